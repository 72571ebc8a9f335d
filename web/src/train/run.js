// run.js: one training run: the network, the position in the schedule, the curves. Driven
// by `work()`, which does one unit (a training batch or a chunk of the evaluation) and
// returns what happened, so that a worker can stop between any two, post messages and save.
// The network is reached only through engine.js; inputs come from augmentation.js.

import { drawShift, epochStreams, normalisationOf, writeExample } from './augmentation.js';
import { appendPoint, boundedCopy, emptyCurves } from './curve-data.js';
import { createNetwork, evaluateBatch, inspectOne, readState, stagingFor, trainBatch, writeState } from './engine.js';
import { FORMAT, VERSION, checkRun } from './schema.js';
import { batchSize, checkSettings, learningRate } from './settings.js';

const EVAL_CHUNK = 250;

export class Run {
  // cl: the loaded convlab API. data: decodeDataset()'s result. saved: optional snapshot()
  // (or a run file's contents) to continue; it is checked in full (schema.js) first.
  constructor(cl, data, settings, saved = null) {
    const checked = saved ? checkRun(saved, { nTrain: data.train.n }) : null;
    this.data = data;
    this.settings = checkSettings(checked?.settings ?? settings);
    this.side = data.width;
    this.classes = data.classes;
    this.norm = normalisationOf(data.id);
    this.net = createNetwork(cl, this.settings, this.side);
    this.batch = batchSize(this.settings, data.train.n);
    this.progress = { epoch: 0, position: 0, steps: 0, done: false };
    this.curves = emptyCurves();
    this.fresh = { train: [], test: [] }; // points not yet handed out by takeNewPoints()
    this.lastEval = null; // { epoch, loss, acc, predictions, confusion }
    this.window = { loss: 0, correct: 0, n: 0 };
    this.evalState = null;
    if (checked) {
      try {
        this.restore(checked);
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
    ({ order: this.order, shiftRand: this.shiftRand } = epochStreams(this.settings.seed, epoch, this.data.train.n, position));
  }

  // Examples between evaluations of the held-out part.
  get evalInterval() {
    return Math.max(1, Math.floor(this.data.train.n / this.settings.evalsPerEpoch));
  }

  // Examples between points of the training curve (running means of the batch losses).
  get pointInterval() {
    return Math.max(1, Math.min(this.evalInterval, 400));
  }

  addPoint(part, point) {
    appendPoint(this.curves[part], point);
    this.fresh[part].push(point);
  }

  // The curve points [x, loss, acc] recorded since the last call: { train, test }.
  takeNewPoints() {
    const out = this.fresh;
    this.fresh = { train: [], test: [] };
    return out;
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
    const { x, labels } = stagingFor(this.net, count);
    for (let i = 0; i < count; i++) {
      const k = this.order[position + i];
      const [dy, dx] = drawShift(this.shiftRand, this.settings.shift);
      writeExample(x, i * size, this.data.train.pixels, k, this.side, dy, dx, this.norm);
      labels[i] = this.data.train.labels[k];
    }
    const lr = learningRate(this.settings, this.examplesDone, this.totalExamples);
    const { loss, momentum, optimizer, weightDecay } = this.settings;
    const r = trainBatch(this.net, x, labels, count, { loss, lr, momentum, optimizer, weightDecay });
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
    this.addPoint('train', [this.epochs, w.loss / w.n, w.correct / w.n]);
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
    const size = this.side * this.side;
    const { x, labels } = stagingFor(this.net, count);
    for (let i = 0; i < count; i++) writeExample(x, i * size, test.pixels, s.next + i, this.side, 0, 0, this.norm);
    labels.set(test.labels.subarray(s.next, s.next + count));
    const r = evaluateBatch(this.net, x, labels, count, this.settings.loss);
    s.predictions.set(r.predictions, s.next);
    s.lossSum += r.lossSum;
    s.correct += r.correct;
    s.next += count;
    if (s.next < test.n) return { kind: 'eval-chunk' };
    this.evalState = null;
    const confusion = new Int32Array(this.classes * this.classes); // rows: true class, columns: predicted
    for (let i = 0; i < test.n; i++) confusion[test.labels[i] * this.classes + s.predictions[i]] += 1;
    this.lastEval = { epoch: this.epochs, loss: s.lossSum / test.n, acc: s.correct / test.n, predictions: s.predictions, confusion };
    if (s.record) this.addPoint('test', [this.epochs, this.lastEval.loss, this.lastEval.acc]);
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

  // The network's outputs and every layer's activations for one digit (side x side bytes,
  // a held-out digit or a drawing), staged like a training batch so it allocates nothing.
  inspect(pixels) {
    const { x } = stagingFor(this.net, 1);
    writeExample(x, 0, pixels, 0, this.side, 0, 0, this.norm);
    return inspectOne(this.net, x, this.settings.loss);
  }

  // Plain data to persist or download (schema.js describes every field).
  snapshot() {
    const { epoch, position, steps, done, diverged } = this.progress;
    return {
      format: FORMAT,
      version: VERSION,
      dataset: this.data.id,
      heldOut: this.data.test.n, // the accuracy's n (its standard error, on the compare panel)
      settings: { ...this.settings },
      progress: { epoch, position, steps, done, diverged: diverged ?? null },
      curves: boundedCopy(this.curves), // a copy: saving is asynchronous, training goes on
      lastEval: this.lastEval && { epoch: this.lastEval.epoch, loss: this.lastEval.loss, acc: this.lastEval.acc },
      ...readState(this.net), // fresh copies; optimizer is [] before a step with momentum
    };
  }

  // Continues from a checked snapshot, exactly where it stopped. A version 1 snapshot has
  // no momentum buffers: its momentum starts again from v = g, so the first steps differ
  // slightly from an unbroken run's.
  restore(saved) {
    writeState(this.net, saved.parameters, saved.optimizer, saved.buffers);
    const p = saved.progress;
    this.progress = { epoch: p.epoch, position: p.position, steps: p.steps, done: p.done };
    if (p.diverged) this.progress.diverged = p.diverged;
    this.curves = saved.curves;
    this.beginEval(false); // refills the confusion matrix and the misclassified digits
  }

  dispose() {
    this.net.dispose();
  }
}
