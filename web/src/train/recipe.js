// recipe.js: how the training page trains, shared word for word by the worker and the Node
// test: the architectures (LeNet-5 as in the notes, a small MLP), the default settings, the
// learning-rate schedule, the seeded shuffling and the small random shifts used as data
// augmentation, and `Run`, the training loop cut into small steps so a worker can stop
// between any two. Every piece of network math (forward, loss, gradients, the SGD update)
// goes through the convlab API; this file only moves bytes, draws random numbers and keeps
// score (argmax, running means, and the evaluation loss of the held-out digits, which is the
// same formula as the core's loss, checked against it by tests/node/train.test.mjs).
//
// Left out: anything about the DOM, messages or storage (see worker.js and main.js).

import { mulberry32, permutation, randInt } from '../lib/random.js';

// Pixel normalisation (the training set's mean and standard deviation of intensities in
// [0, 1], rounded): inputs of zero mean and unit variance keep the default learning rate
// right for both data sets.
export const NORMALISATION = {
  mnist: { mean: 0.1307, std: 0.3081 },
  fashion: { mean: 0.286, std: 0.353 },
};

// The defaults reach 98.05-98.45% on the 2,000 held-out digits (seeds 1-7; README.md beside
// this file lists them). The loss is LeNet's squared loss, as in the notes; softmax
// cross-entropy (learning rate 0.02) reaches 97.75-98.5%, less reliably. A plain run
// (batch 1, no momentum, no shifts, 4 epochs, constant rate 0.01) lands at 96.2%.
export const DEFAULTS = Object.freeze({
  dataset: 'mnist',
  arch: 'lenet5',
  activation: 'relu',
  pool: 'max',
  loss: 'mse',
  lr: 0.5,
  momentum: 0.9,
  batch: 32,
  epochs: 10,
  schedule: 'cosine',
  shift: 1,
  seed: 1,
  evalsPerEpoch: 4,
});

// A good learning rate for each loss (the squared loss, a mean over the ten outputs, has
// gradients about five times smaller); the page switches between them with the loss.
export const DEFAULT_LR = Object.freeze({ 'softmax-cross-entropy': 0.02, mse: 0.5 });

export const CHOICES = {
  dataset: ['mnist', 'fashion'],
  arch: ['lenet5', 'mlp'],
  activation: ['relu', 'tanh', 'sigmoid'],
  pool: ['max', 'avg'],
  loss: ['softmax-cross-entropy', 'mse'],
  schedule: ['cosine', 'constant'],
};

// Returns settings with every field present and valid (defaults fill the gaps); throws an
// Error naming the field otherwise. batch may be the string 'all' (steepest descent).
export function checkSettings(settings = {}) {
  const s = { ...DEFAULTS, ...settings };
  for (const [k, list] of Object.entries(CHOICES)) {
    if (!list.includes(s[k])) throw new Error(`${k}: expected one of ${list.join(', ')}, got ${s[k]}`);
  }
  const num = (k, lo, hi, int = false) => {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      throw new Error(`${k}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${v}`);
    }
  };
  num('lr', 1e-6, 10);
  num('momentum', 0, 0.999);
  num('epochs', 1, 200, true);
  num('shift', 0, 4, true);
  num('seed', 0, 2 ** 31 - 1, true);
  num('evalsPerEpoch', 1, 20, true);
  if (s.batch !== 'all') num('batch', 1, 8000, true);
  return s;
}

// The network, as the list of layers of convlab's `sequential`. LeNet-5 (LeCun et al. 1998,
// the notes' "Architecture LeNet5"): C1 6@5x5 on the 28x28 digit padded by 2 (LeCun's 32x32
// input), S2 2x2, C3 16@5x5, S4 2x2, C5 120@5x5 kept a convolution as in the paper (on the
// 5x5 maps of S4 it is the same map as flatten + dense 120), F6 84, output 10.
// Differences from the paper, on purpose: C3 connects to all six S2 maps (LeCun's table left
// some out), pooling has no trainable coefficient, the output is a plain linear layer (not
// RBF units), and the activation is selectable (LeCun's was a scaled tanh).
export function layersFor(settings) {
  const act = { type: settings.activation };
  if (settings.arch === 'mlp') {
    return [{ type: 'flatten' }, { type: 'dense', out: 128 }, act, { type: 'dense', out: 64 }, { ...act }, { type: 'dense', out: 10 }];
  }
  const pool = { type: settings.pool === 'avg' ? 'avgpool2d' : 'maxpool2d', kernel: 2 };
  return [
    { type: 'conv2d', out: 6, kernel: 5, padding: 2 }, { ...act }, { ...pool }, // C1, S2
    { type: 'conv2d', out: 16, kernel: 5 }, { ...act }, { ...pool }, // C3, S4
    { type: 'conv2d', out: 120, kernel: 5 }, { ...act }, { type: 'flatten' }, // C5
    { type: 'dense', out: 84 }, { ...act }, // F6
    { type: 'dense', out: 10 }, // output
  ];
}

// A name for each layer of layersFor(), for the feature-map view.
export function layerNames(settings) {
  if (settings.arch === 'mlp') return ['flatten', 'hidden 128', settings.activation, 'hidden 64', settings.activation, 'output'];
  const a = settings.activation;
  const p = settings.pool === 'avg' ? 'avg pool' : 'max pool';
  return ['C1 conv 6@5x5', a, `S2 ${p}`, 'C3 conv 16@5x5', a, `S4 ${p}`, 'C5 conv 120@5x5', a, 'flatten', 'F6 dense 84', a, 'output 10'];
}

export function batchSize(settings, nTrain) {
  return settings.batch === 'all' ? nTrain : Math.min(settings.batch, nTrain);
}

// Learning rate at `done` examples of `total`: cosine decay from lr to 0, or constant.
export function learningRate(settings, done, total) {
  if (settings.schedule === 'constant') return settings.lr;
  return settings.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, done / total)));
}

// Independent streams of random numbers per (seed, epoch, purpose), so that a run resumed in
// the middle of an epoch draws the same numbers as one that never stopped.
function streamSeed(seed, epoch, purpose) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [epoch, purpose]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}
const SHUFFLE = 1;
const SHIFTS = 2;

// Copies example k of `pixels` (n x side x side bytes) into `dst` at `offset`, moved by
// (dy, dx) pixels with background filling the gap, and normalised.
export function writeExample(dst, offset, pixels, k, side, dy, dx, norm) {
  const size = side * side;
  const src = k * size;
  const scale = 1 / (255 * norm.std);
  const bg = -norm.mean / norm.std;
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    const row = offset + y * side;
    if (sy < 0 || sy >= side) {
      dst.fill(bg, row, row + side);
      continue;
    }
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      dst[row + x] = sx < 0 || sx >= side ? bg : pixels[src + sy * side + sx] * scale + bg;
    }
  }
}

// Float inputs for examples `indices` of a data-set part, without shifts.
export function inputsOf(part, indices, side, norm) {
  const x = new Float32Array(indices.length * side * side);
  indices.forEach((k, i) => writeExample(x, i * side * side, part.pixels, k, side, 0, 0, norm));
  return x;
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

const EVAL_CHUNK = 250;

// Snapshot versions restore() and store.js read: 1 (no momentum buffers) and 2 (with them).
export const SNAPSHOT_VERSION = 2;
export const SNAPSHOT_VERSIONS = Object.freeze([1, 2]);

// One training run: the network, the position in the schedule, the curves. Driven by
// `work()`, which does one unit (a training batch or a chunk of the evaluation) and returns
// what happened, so that callers can interleave messages, pauses and drawing.
export class Run {
  // cl: the loaded convlab API. data: decodeDataset()'s result. saved: optional
  // { parameters, optimizer?, progress, curves } from snapshot(), to continue a run.
  constructor(cl, data, settings, saved = null) {
    this.cl = cl;
    this.data = data;
    this.settings = checkSettings(settings);
    this.side = data.width;
    this.classes = data.classes;
    this.norm = NORMALISATION[data.id] ?? { mean: 0.5, std: 0.5 };
    this.net = cl.sequential(layersFor(this.settings), { inputShape: [1, this.side, this.side], seed: this.settings.seed });
    this.batch = batchSize(this.settings, data.train.n);
    this.x = new Float32Array(this.batch * this.side * this.side);
    this.y = new Int32Array(this.batch);
    this.progress = { epoch: 0, position: 0, steps: 0, done: false };
    this.curves = { train: { x: [], loss: [], acc: [] }, test: { x: [], loss: [], acc: [] } };
    this.lastEval = null; // { epoch, loss, acc, predictions, confusion }
    this.window = { loss: 0, correct: 0, n: 0 };
    this.evalState = null;
    if (saved) {
      try {
        this.restore(saved);
      } catch (error) {
        this.net.dispose(); // a snapshot that does not fit: nobody else holds the network
        throw error;
      }
    }
    this.startEpoch();
  }

  get totalExamples() {
    return this.settings.epochs * this.data.train.n;
  }

  get examplesDone() {
    return this.progress.epoch * this.data.train.n + this.progress.position;
  }

  // Fractional epochs done, the x axis of the curves.
  get epochs() {
    return this.examplesDone / this.data.train.n;
  }

  startEpoch() {
    const { epoch, position } = this.progress;
    this.order = permutation(this.data.train.n, mulberry32(streamSeed(this.settings.seed, epoch, SHUFFLE)));
    this.shiftRand = mulberry32(streamSeed(this.settings.seed, epoch, SHIFTS));
    for (let i = 0; i < 2 * position; i++) this.shiftRand(); // resume mid-epoch
  }

  // Examples between evaluations of the held-out part (and between training-curve points).
  get evalInterval() {
    return Math.max(1, Math.floor(this.data.train.n / this.settings.evalsPerEpoch));
  }

  // Examples between points of the training curve (running means of the batch losses).
  get pointInterval() {
    return Math.max(1, Math.min(this.evalInterval, 400));
  }

  // Does one unit of work. Returns { kind: 'train', loss, accuracy, examples, lr } for a
  // training batch, { kind: 'eval-chunk' } or { kind: 'eval', ...lastEval } for evaluation,
  // { kind: 'diverged', loss } when the loss stopped being finite (the run then stays put),
  // or { kind: 'done' } at the end of the schedule, only once the last evaluation finished.
  work() {
    if (this.evalState) return this.evalChunk();
    if (this.progress.done) return { kind: 'done' };
    if (this.progress.diverged) return { kind: 'diverged', loss: this.progress.diverged };
    const n = this.data.train.n;
    const size = this.side * this.side;
    const { position } = this.progress;
    const count = Math.min(this.batch, n - position);
    const shift = this.settings.shift;
    for (let i = 0; i < count; i++) {
      const k = this.order[position + i];
      const dy = randInt(this.shiftRand, 2 * shift + 1) - shift;
      const dx = randInt(this.shiftRand, 2 * shift + 1) - shift;
      writeExample(this.x, i * size, this.data.train.pixels, k, this.side, dy, dx, this.norm);
      this.y[i] = this.data.train.labels[k];
    }
    const lr = learningRate(this.settings, this.examplesDone, this.totalExamples);
    const x = count === this.batch ? this.x : this.x.subarray(0, count * size);
    const y = count === this.batch ? this.y : this.y.subarray(0, count);
    const r = this.net.trainStep(x, y, count, { loss: this.settings.loss, optimizer: 'sgd', lr, momentum: this.settings.momentum });
    if (!Number.isFinite(r.loss)) {
      this.progress.diverged = String(r.loss);
      return { kind: 'diverged', loss: r.loss, lr, epochs: this.epochs };
    }
    const before = this.examplesDone;
    this.progress.position += count;
    this.progress.steps += 1;
    this.window.loss += r.loss * count;
    this.window.correct += r.accuracy * count;
    this.window.n += count;
    const crosses = (every) => Math.floor(this.examplesDone / every) > Math.floor(before / every);
    const crossed = crosses(this.evalInterval);
    if (this.progress.position >= n) {
      this.progress.epoch += 1;
      this.progress.position = 0;
      if (this.progress.epoch >= this.settings.epochs) this.progress.done = true;
      else this.startEpoch();
    }
    if (crossed || this.progress.done || crosses(this.pointInterval)) this.closeWindow();
    if (crossed || this.progress.done) this.beginEval(true);
    return { kind: 'train', loss: r.loss, accuracy: r.accuracy, examples: count, lr, epochs: this.epochs };
  }

  closeWindow() {
    const w = this.window;
    if (w.n === 0) return;
    const c = this.curves.train;
    c.x.push(this.epochs);
    c.loss.push(w.loss / w.n);
    c.acc.push(w.correct / w.n);
    this.window = { loss: 0, correct: 0, n: 0 };
  }

  // record: false evaluates without adding a point to the curves (after a restore).
  beginEval(record) {
    this.evalState = { next: 0, lossSum: 0, correct: 0, predictions: new Uint8Array(this.data.test.n), record };
  }

  evalChunk() {
    const s = this.evalState;
    const test = this.data.test;
    const count = Math.min(EVAL_CHUNK, test.n - s.next);
    const idx = Array.from({ length: count }, (_, i) => s.next + i);
    const out = this.net.forward(inputsOf(test, idx, this.side, this.norm), count);
    const r = scoreOutputs(out, test.labels.subarray(s.next, s.next + count), count, this.classes, this.settings.loss);
    s.predictions.set(r.predictions, s.next);
    s.lossSum += r.lossSum;
    s.correct += r.correct;
    s.next += count;
    if (s.next < test.n) return { kind: 'eval-chunk' };
    this.evalState = null;
    const confusion = new Int32Array(this.classes * this.classes); // rows: true class, columns: predicted
    for (let i = 0; i < test.n; i++) confusion[test.labels[i] * this.classes + s.predictions[i]] += 1;
    this.lastEval = { epoch: this.epochs, loss: s.lossSum / test.n, acc: s.correct / test.n, predictions: s.predictions, confusion };
    if (!s.record) return { kind: 'eval', ...this.lastEval };
    const c = this.curves.test;
    c.x.push(this.epochs);
    c.loss.push(this.lastEval.loss);
    c.acc.push(this.lastEval.acc);
    return { kind: 'eval', ...this.lastEval };
  }

  // Runs until the schedule ends (Node test, scripts). onEvent sees every work() result.
  // Bounded by the work the schedule can still need, so a fault that stopped progress
  // throws instead of spinning.
  trainToEnd(onEvent = () => {}) {
    const { epochs, evalsPerEpoch } = this.settings;
    const steps = Math.ceil((this.totalExamples - this.examplesDone) / this.batch) + epochs;
    const evals = (epochs * evalsPerEpoch + epochs + 2) * Math.ceil(this.data.test.n / EVAL_CHUNK);
    const limit = steps + evals + 2;
    for (let i = 0; i < limit; i++) {
      const e = this.work();
      onEvent(e);
      if (e.kind === 'diverged' || e.kind === 'done') return e;
    }
    throw new Error(`trainToEnd: no end after ${limit} work() calls (at epoch ${this.epochs.toFixed(3)}, ${this.progress.steps} steps)`);
  }

  // The network's outputs and every layer's activations for one example (a Float32Array of
  // side x side normalised pixels, e.g. from inputsOf or a drawing).
  inspect(x) {
    const out = this.net.forward(x, 1);
    const layers = this.net.layers.map((l) => ({ type: l.type, shape: l.outputShape, data: this.net.layerOutput(l.index) }));
      return { output: Array.from(out), probabilities: displayProbabilities(out, this.settings.loss), loss: this.settings.loss, layers };
  }

  // Plain data to persist or download: settings, parameters, the optimiser's momentum
  // buffers, position, curves. Version 2 added `optimizer`; restore() reads both versions.
  snapshot() {
    const { epoch, position, steps, done, diverged } = this.progress;
    return {
      format: 'convlab-train-run',
      version: SNAPSHOT_VERSION,
      dataset: this.data.id,
      settings: { ...this.settings },
      progress: { epoch, position, steps, done, diverged: diverged ?? null },
      curves: this.curves,
      lastEval: this.lastEval && { epoch: this.lastEval.epoch, loss: this.lastEval.loss, acc: this.lastEval.acc },
      parameters: this.net.parameters(), // fresh { name, shape, data } copies
      optimizer: this.net.optimizerState(), // the same form; [] before a step with momentum
    };
  }

  // Continues from a snapshot, exactly where it stopped. A version 1 snapshot has no momentum
  // buffers: its momentum starts again from v = g, so the first steps differ slightly from
  // an unbroken run's.
  restore(saved) {
    const tensors = (list) => list.map((p) => ({ name: p.name, shape: p.shape, data: Float32Array.from(p.data) }));
    this.net.setParameters(tensors(saved.parameters));
    if (saved.optimizer) this.net.setOptimizerState(tensors(saved.optimizer));
    const p = saved.progress ?? {};
    this.progress = { epoch: p.epoch | 0, position: p.position | 0, steps: p.steps | 0, done: !!p.done };
    if (p.diverged) this.progress.diverged = p.diverged;
    const copy = (c) => ({ x: Array.from(c?.x ?? []), loss: Array.from(c?.loss ?? []), acc: Array.from(c?.acc ?? []) });
    this.curves = { train: copy(saved.curves?.train), test: copy(saved.curves?.test) };
    this.beginEval(false); // refills the confusion matrix and the misclassified digits
  }

  dispose() {
    this.net.dispose();
  }
}
