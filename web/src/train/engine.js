// engine.js: every call the training page makes into the convlab network, in one place, so
// that the run (run.js) and the worker never touch the API directly. Written against the
// public API (docs/api.md): staged batches, the core's own loss for evaluation, one parameter
// at a time for the views.

import { layersFor } from './architectures.js';
import { optimizerOptions } from './settings.js';

// The optimiser options of each network's run, fixed when the network is made (a run never
// changes optimiser), so that a step needs only what changes per step: loss and lr.
const optimizerOf = new WeakMap();

export function createNetwork(cl, settings, side) {
  const net = cl.sequential(layersFor(settings), { inputShape: [1, side, side], seed: settings.seed });
  optimizerOf.set(net, optimizerOptions(settings));
  return net;
}

// One optimiser step on `count` examples; returns { loss, accuracy } of the batch. The
// options are the run's (settings.js's optimizerOptions); `momentum`, given by callers of
// the SGD-only time, must agree with them. A module that lacks an option refuses it here,
// naming it, and the worker reports that.
export function trainBatch(net, x, labels, count, { loss, lr, momentum }) {
  const options = optimizerOf.get(net) ?? { optimizer: 'sgd', momentum };
  if ('momentum' in options && momentum !== undefined && momentum !== options.momentum) throw new Error(`momentum: ${momentum} differs from the run's ${options.momentum}`);
  return net.trainStep(x, labels, count, { loss, lr, ...options });
}

// Views of the network's own input and label buffers for `count` examples, in WebAssembly
// memory: the batch is written straight into them, and a step on them copies and allocates
// nothing. Asked for again every batch, since a view dies when the memory grows.
export function stagingFor(net, count) {
  return net.staging(count);
}

// Runs fn with the network in eval mode (torch's model.eval(): batch norm uses its running
// statistics and moves none, dropout is off), then back in the mode it was in. Scoring and
// inspecting must not see the batch's statistics, nor change the run's.
export function inEvalMode(net, fn) {
  const training = net.training;
  net.eval();
  try {
    return fn();
  } finally {
    if (training) net.train();
  }
}

// Loss sum, correct count and predictions of `count` examples, from the core's loss without
// gradients, in eval mode.
export function evaluateBatch(net, x, labels, count, loss) {
  const r = inEvalMode(net, () => net.evaluate(x, labels, count, { loss }));
  return { lossSum: r.loss * count, correct: Math.round(r.accuracy * count), predictions: r.predictions };
}

// Probabilities shown for one output row: softmax for the cross-entropy model; for the
// squared loss the outputs themselves estimate the one-hot target, so they are shown clipped
// to [0, 1].
export function displayProbabilities(row, loss) {
  if (loss === 'mse') return Array.from(row, (v) => Math.min(1, Math.max(0, v)));
  const m = Math.max(...row);
  const e = Array.from(row, (v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

// The outputs and every layer's activations for one example.
export function inspectOne(net, x, loss) {
  const out = inEvalMode(net, () => net.forward(x, 1));
  const layers = net.layers.map((l) => ({ type: l.type, shape: l.outputShape, data: net.layerOutput(l.index) }));
  return { output: Array.from(out), probabilities: displayProbabilities(out, loss), loss, layers };
}

// The named parameters only ({ name, shape, data } copies), for a view that shows a few.
export function parametersNamed(net, names) {
  return names.map((n) => net.parameter(n));
}

// Parameters, the optimiser's state and the non-trainable buffers (batch norm's running
// statistics) as fresh { name, shape, data } copies.
export function readState(net) {
  return { parameters: net.parameters(), optimizer: net.optimizerState(), buffers: net.buffers() };
}

// optimizer: null (a file without buffers: momentum restarts) or a list like parameters.
// buffers: batch norm's running statistics, a list like parameters ([] or absent without).
export function writeState(net, parameters, optimizer, buffers) {
  const tensors = (list) => list.map((p) => ({ name: p.name, shape: p.shape, data: Float32Array.from(p.data) }));
  net.setParameters(tensors(parameters));
  if (optimizer) net.setOptimizerState(tensors(optimizer));
  if (buffers?.length) net.setBuffers(tensors(buffers));
}
