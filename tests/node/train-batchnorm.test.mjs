// train-batchnorm.test.mjs: a training-page run of a design with batch norm and dropout, on
// the WebAssembly build. Scoring runs in eval mode (running statistics, no dropout) and
// leaves the run's statistics and mode alone; the run's file carries the running statistics,
// requires them, and a resumed run scores exactly as the one it was saved from.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cl } from './helpers.mjs';
import { useCore } from '../../web/src/designer/analyse.js';
import { evaluateBatch } from '../../web/src/train/engine.js';
import { checkRun } from '../../web/src/train/schema.js';
import { Run } from '../../web/src/train/run.js';
import { fromFile, toFile } from '../../web/src/train/snapshot.js';
import { DEFAULTS } from '../../web/src/train/settings.js';

useCore(cl);
const SIDE = 28; // the run-file schema checks shapes for 28 x 28 digits
const design = [
  { type: 'conv2d', out: 4, kernel: 3 }, { type: 'batchnorm2d' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dropout', p: 0.25 }, { type: 'dense', out: 10 },
];
const settings = { ...DEFAULTS, arch: 'custom', design, loss: 'softmax-cross-entropy', lr: 0.05, batch: 8, epochs: 2, shift: 0, seed: 5 };

// A small data set of random "digits" (the run only needs the format of decodeDataset()).
function dataset(nTrain, nTest) {
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) & 255;
  const part = (n) => ({ n, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), pixels: Uint8Array.from({ length: n * SIDE * SIDE }, rand) });
  return { id: 'mnist', width: SIDE, height: SIDE, classes: 10, train: part(nTrain), test: part(nTest) };
}

function runFor(data, saved = null) {
  return new Run(cl, data, settings, saved);
}

const stats = (net) => net.buffers().map((b) => Array.from(b.data));

describe('a run of a design with batch norm and dropout', () => {
  test('scoring uses eval mode and changes neither the running statistics nor the mode', () => {
    const data = dataset(64, 16);
    const run = runFor(data);
    for (let i = 0; i < 4; i++) run.work();
    const before = stats(run.net);
    assert.ok(before[0].some((v) => v !== 0), 'the running mean moved during training');
    const s = run.net.staging(16);
    s.x.fill(0.5);
    s.labels.fill(3);
    const a = evaluateBatch(run.net, s.x, s.labels, 16, 'softmax-cross-entropy');
    const b = evaluateBatch(run.net, s.x, s.labels, 16, 'softmax-cross-entropy');
    assert.deepEqual(stats(run.net), before);
    assert.equal(run.net.training, true);
    // Eval mode: dropout is off and the statistics are the running ones, so two scorings agree
    // (in training mode the dropout masks would differ between the two calls).
    assert.equal(a.lossSum, b.lossSum);
    run.dispose();
  });

  test("the run's file carries the running statistics, requires them, and a resumed run scores the same", async () => {
    const data = dataset(64, 16);
    const run = runFor(data);
    for (let i = 0; i < 6; i++) run.work();
    const snap = run.snapshot();
    assert.deepEqual(snap.buffers.map((b) => b.name), ['1.running_mean', '1.running_var', '1.num_batches_tracked']);
    const checked = checkRun(snap, { nTrain: 64 });
    assert.deepEqual(checked.buffers.map((b) => Array.from(b.data)), stats(run.net));
    const back = fromFile(await toFile(snap).text(), { nTrain: 64 });
    assert.deepEqual(back.buffers.map((b) => Array.from(b.data)), stats(run.net));
    assert.throws(() => checkRun({ ...snap, buffers: undefined }, { nTrain: 64 }), /^Error: buffers: missing$/);
    assert.throws(() => checkRun({ ...snap, buffers: snap.buffers.slice(1) }, { nTrain: 64 }), /^Error: buffers: 2 tensors, the network has 3$/);

    const resumed = runFor(data, back);
    assert.deepEqual(stats(resumed.net), stats(run.net));
    const score = (r) => {
      const s = r.net.staging(16);
      s.x.set(Float32Array.from({ length: 16 * SIDE * SIDE }, (_, i) => Math.sin(i)));
      s.labels.fill(1);
      return evaluateBatch(r.net, s.x, s.labels, 16, 'softmax-cross-entropy');
    };
    assert.equal(score(resumed).lossSum, score(run).lossSum);
    resumed.dispose();
    run.dispose();
  });
});
