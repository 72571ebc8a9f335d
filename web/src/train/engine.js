// engine.js: every call the training page makes into the convlab network, in one place, so
// that the run (run.js) and the worker never touch the API directly. Written against the
// public API of API.md; where a network offers a faster path (net.parameter(name) for one
// parameter without copying the others) it is used when present.

import { layersFor } from './architectures.js';

export function createNetwork(cl, settings, side) {
  return cl.sequential(layersFor(settings), { inputShape: [1, side, side], seed: settings.seed });
}

// One SGD step on `count` examples; returns { loss, accuracy } of the batch.
export function trainBatch(net, x, labels, count, { loss, lr, momentum }) {
  return net.trainStep(x, labels, count, { loss, optimizer: 'sgd', lr, momentum });
}

// Scores a batch of network outputs (batch x classes) against labels the way the core's
// losses do (mean over the batch; 'mse' also over the classes, one-hot targets). Returns
// { lossSum, correct, predictions } with lossSum summed over the batch.
export function scoreOutputs(out, labels, batch, classes, loss) {
  let lossSum = 0;
  let correct = 0;
  const predictions = new Uint8Array(batch);
  for (let b = 0; b < batch; b++) {
    const o = b * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (out[o + c] > out[o + best]) best = c;
    predictions[b] = best;
    if (best === labels[b]) correct++;
    if (loss === 'mse') {
      let s = 0;
      for (let c = 0; c < classes; c++) {
        const d = out[o + c] - (c === labels[b] ? 1 : 0);
        s += d * d;
      }
      lossSum += s / classes;
    } else {
      let m = -Infinity;
      for (let c = 0; c < classes; c++) m = Math.max(m, out[o + c]);
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(out[o + c] - m);
      lossSum += m + Math.log(z) - out[o + labels[b]];
    }
  }
  return { lossSum, correct, predictions };
}

// Loss sum, correct count and predictions of `count` examples.
export function evaluateBatch(net, x, labels, count, classes, loss) {
  return scoreOutputs(net.forward(x, count), labels, count, classes, loss);
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
  const out = net.forward(x, 1);
  const layers = net.layers.map((l) => ({ type: l.type, shape: l.outputShape, data: net.layerOutput(l.index) }));
  return { output: Array.from(out), probabilities: displayProbabilities(out, loss), loss, layers };
}

// The named parameters only ({ name, shape, data } copies), for a view that shows a few.
export function parametersNamed(net, names) {
  if (typeof net.parameter === 'function') return names.map((n) => net.parameter(n));
  return net.parameters().filter((p) => names.includes(p.name));
}

// Parameters and momentum buffers as fresh { name, shape, data } copies.
export function readState(net) {
  return { parameters: net.parameters(), optimizer: net.optimizerState() };
}

// optimizer: null (a file without buffers: momentum restarts) or a list like parameters.
export function writeState(net, parameters, optimizer) {
  const tensors = (list) => list.map((p) => ({ name: p.name, shape: p.shape, data: Float32Array.from(p.data) }));
  net.setParameters(tensors(parameters));
  if (optimizer) net.setOptimizerState(tensors(optimizer));
}
