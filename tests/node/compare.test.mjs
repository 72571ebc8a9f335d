// compare.test.mjs: the pure parts of the training page's compare panel (web/src/train/
// compare/): the run archive's bound and entries, the standard error of an accuracy, the
// shift-robustness measurement (with a stand-in network whose answers are known), and the
// preprocessing of a drawn digit against cases computed by hand, and the ready comparisons'
// query and queue records.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MAX_RUNS, archiveEntry, bound, droppedNote, finalAccuracy, fingerprint, hasFinalEval, standardError } from '../../web/src/train/compare/archive-data.js';
import { SHIFTS, directions, robustness } from '../../web/src/train/compare/shift.js';
import { areaResample, centreByMass, checkDrawing, preprocess } from '../../web/src/train/compare/drawings-data.js';
import { emptyCurves } from '../../web/src/train/curve-data.js';
import { cl } from './helpers.mjs';
import { DEFAULTS, checkSettings } from '../../web/src/train/settings.js';
import { createNetwork, trainBatch } from '../../web/src/train/engine.js';
import { useCore } from '../../web/src/designer/analyse.js';
import { EPOCHS, READY, describeQueue, finished, newQueue, parseQuery } from '../../web/src/train/compare/queue.js';

function snapshot({ acc = 0.9, steps = 10, done = true, seed = 1 } = {}) {
  const curves = emptyCurves();
  curves.train = { x: [0.5, 1], loss: [0.3, 0.2], acc: [0.8, 0.85] };
  curves.test = { x: [1], loss: [0.25], acc: [acc] };
  return {
    settings: { ...DEFAULTS, epochs: 1, seed },
    progress: { epoch: done ? 1 : 0, position: done ? 0 : 320, steps, done, diverged: null },
    curves,
    lastEval: { epoch: 1, loss: 0.25, acc },
    heldOut: 2000,
  };
}

describe('run archive', () => {
  test('standard error is sqrt(p(1-p)/n)', () => {
    assert.ok(Math.abs(standardError(0.98, 2000) - Math.sqrt(0.0196 / 2000)) < 1e-16);
    assert.ok(Math.abs(standardError(0.98, 2000) - 0.0031304951684997) < 1e-15);
    assert.equal(standardError(0.5, 100), 0.05);
    assert.equal(standardError(1, 50), 0);
    assert.ok(Number.isNaN(standardError(0.5, 0)), 'no examples: no standard error');
    assert.ok(Number.isNaN(standardError(1.2, 10)), 'not an accuracy');
  });

  test('an entry holds the settings, curves, final accuracy and n; a stopped run says so', () => {
    const e = archiveEntry(snapshot({ acc: 0.97 }), { heldOut: 2000 });
    assert.equal(e.acc, 0.97);
    assert.equal(e.n, 2000);
    assert.equal(e.status, 'finished');
    assert.equal(e.accEpoch, 1);
    assert.deepEqual(e.run.curves.test.acc, [0.97]);
    assert.match(e.name, /LeNet-5, mnist, batch 32/);
    const s = archiveEntry(snapshot({ done: false }), { heldOut: 500 });
    assert.equal(s.status, 'stopped');
    assert.match(s.name, /\(stopped\)$/);
    assert.throws(() => archiveEntry(snapshot(), { heldOut: 0 }), /heldOut: expected a positive integer/);
  });

  test('the final accuracy falls back to the held-out curve when the last evaluation is missing', () => {
    const s = { ...snapshot({ acc: 0.91 }), lastEval: null };
    assert.deepEqual(finalAccuracy(s), { acc: 0.91, epoch: 1 });
    assert.deepEqual(finalAccuracy({ lastEval: null, curves: emptyCurves() }), { acc: null, epoch: null });
  });

  test('a run saved done while its final evaluation runs is not finished yet', () => {
    // Done after its last batch, its last evaluation still the one at 3/4 of the epoch.
    const s = { ...snapshot({ acc: 0.93 }), lastEval: { epoch: 0.75, loss: 0.3, acc: 0.93 } };
    assert.equal(hasFinalEval(s), false);
    assert.equal(hasFinalEval(snapshot()), true);
    const e = archiveEntry(s, { heldOut: 2000 });
    assert.equal(e.status, 'stopped');
    assert.equal(e.accEpoch, 0.75);
    assert.notEqual(e.fingerprint, fingerprint(snapshot({ acc: 0.93 })), 'the finished state is another state');
  });

  test('the same run state has one fingerprint; another step or seed another', () => {
    assert.equal(fingerprint(snapshot()), fingerprint(structuredClone(snapshot())));
    assert.notEqual(fingerprint(snapshot()), fingerprint(snapshot({ steps: 11 })));
    assert.notEqual(fingerprint(snapshot()), fingerprint(snapshot({ seed: 2 })));
  });

  test(`the archive keeps at most ${MAX_RUNS} runs, dropping the oldest`, () => {
    const list = Array.from({ length: MAX_RUNS + 3 }, (_, i) => ({ id: i + 1, name: `run ${i + 1}`, addedAt: 1000 + ((i * 7) % (MAX_RUNS + 3)) }));
    const { keep, drop } = bound(list);
    assert.equal(keep.length, MAX_RUNS);
    assert.equal(drop.length, 3);
    const oldest = [...list].sort((a, b) => a.addedAt - b.addedAt).slice(0, 3).map((e) => e.id);
    assert.deepEqual(drop.map((e) => e.id), oldest);
    assert.equal(bound(list.slice(0, 5)).drop.length, 0, 'under the bound nothing goes');
    assert.deepEqual(bound([{ id: 2, addedAt: 5 }, { id: 1, addedAt: 5 }], 1).drop.map((e) => e.id), [1], 'ties: the lower id is older');
    assert.equal(droppedNote(drop.map((e) => e.name)), `The archive keeps the latest ${MAX_RUNS} runs: the oldest was dropped (${drop.map((e) => e.name).join('; ')}).`);
    assert.equal(droppedNote([]), '', 'nothing dropped, nothing said');
  });
});

describe('shift robustness', () => {
  test('directions: shift 0 is the plain image, others the four moves', () => {
    assert.deepEqual(directions(0), [[0, 0]]);
    assert.deepEqual(directions(3), [[0, 3], [0, -3], [3, 0], [-3, 0]]);
    assert.deepEqual(SHIFTS, [0, 1, 2, 3, 4]);
  });

  test('accuracies per shift, averaged over the four directions, from a network with known answers', () => {
    const side = 28;
    // Digit k: one bright pixel at row 14, column 14 + d[k]. The stand-in network is right
    // exactly when the pixel it looks at, (14, 14), is bright after the shift.
    const d = [0, -1, 1, -2];
    const n = d.length;
    const pixels = new Uint8Array(n * side * side);
    d.forEach((off, k) => { pixels[k * side * side + 14 * side + 14 + off] = 255; });
    const test = { n, labels: new Uint8Array(n), pixels };
    const norm = { mean: 0.1307, std: 0.3081 };
    const stage = (count) => ({ x: new Float32Array(count * side * side), labels: new Uint8Array(count) });
    let backgroundOk = true;
    const evaluate = (x, labels, count) => {
      let correct = 0;
      for (let i = 0; i < count; i++) {
        if (x[i * side * side + 14 * side + 14] > 0) correct += 1;
        if (Math.abs(x[i * side * side] - (-norm.mean / norm.std)) > 1e-6) backgroundOk = false;
      }
      return correct;
    };
    const r = robustness(test, side, norm, { stage, evaluate });
    // shift 0: only d = 0 is right (1 of 4). Shift 1: moving right brings d = -1, left
    // brings d = +1, up and down bring none: 2 of 16. Shift 2: right brings d = -2: 1 of 16.
    assert.deepEqual(r.acc, [1 / 4, 2 / 16, 1 / 16, 0, 0]);
    assert.deepEqual(r.shifts, [0, 1, 2, 3, 4]);
    assert.equal(r.n, n);
    assert.ok(backgroundOk, 'the corner stays background, normalised');
  });
});

describe('drawing preprocessing', () => {
  test('a 2x4 block becomes a 10x20 block centred in 28x28', () => {
    const W = 40, H = 40;
    const alpha = new Uint8Array(W * H);
    for (let y = 5; y <= 8; y++) for (let x = 10; x <= 11; x++) alpha[y * W + x] = 255;
    const out = preprocess(alpha, W, H);
    // scale 20/4 = 5: 10 wide, 20 high, placed at column floor(18/2) = 9, row 4; its
    // centre of mass is then (13.5, 13.5) already, so it is not moved.
    const want = new Uint8Array(28 * 28);
    for (let y = 4; y <= 23; y++) for (let x = 9; x <= 18; x++) want[y * 28 + x] = 255;
    assert.deepEqual(out, want);
  });

  test('an L of three pixels is scaled by 10 and moved by (2, 2) to centre its mass', () => {
    const W = 30, H = 30;
    const alpha = new Uint8Array(W * H);
    alpha[3 * W + 7] = 200; alpha[3 * W + 8] = 200; alpha[4 * W + 7] = 200;
    const out = preprocess(alpha, W, H);
    // Each pixel becomes a 10x10 block at offset 4; the blocks' centres (8.5, 8.5), (18.5,
    // 8.5), (8.5, 18.5) average to 11.83 in x and y, so the move is round(1.67) = 2.
    const want = new Uint8Array(28 * 28);
    const block = (r0, c0) => { for (let y = r0; y < r0 + 10; y++) for (let x = c0; x < c0 + 10; x++) want[y * 28 + x] = 200; };
    block(6, 6); block(6, 16); block(16, 6);
    assert.deepEqual(out, want);
  });

  test('area averaging and centring by mass, by hand', () => {
    // [0, 90, 180] to 2 pixels: each covers 1.5 inputs: (0 + 0.5*90)/1.5, (0.5*90 + 180)/1.5.
    assert.deepEqual(Array.from(areaResample(Uint8Array.from([0, 90, 180]), 3, 0, 0, 3, 1, 2, 1)), [30, 150]);
    const img = new Float64Array(4 * 4);
    img[0] = 100; // mass at (0, 0); the centre is (1.5, 1.5): moved by round(1.5) = 2
    const out = centreByMass(img, 4);
    assert.equal(out[2 * 4 + 2], 100);
    assert.equal(out.reduce((a, b) => a + b, 0), 100);
    assert.equal(preprocess(new Uint8Array(100), 10, 10), null, 'a blank pad is no digit');
    assert.equal(preprocess(Uint8Array.from({ length: 100 }, () => 20), 10, 10), null, 'coverage at the threshold is paper');
  });

  test('a stored drawing is checked, naming the field', () => {
    assert.throws(() => checkDrawing({ label: 10, pixels: new Uint8Array(784) }), /drawing.label/);
    assert.throws(() => checkDrawing({ label: 3, pixels: new Uint8Array(10) }, 'drawings[2]'), /drawings\[2\].pixels: expected 784 bytes/);
    assert.throws(() => checkDrawing({ label: 3, pixels: new Array(784).fill(300) }), /pixels: values must be integers 0-255/);
    assert.equal(checkDrawing({ label: 3, pixels: new Array(784).fill(7) }).pixels[5], 7);
  });
});

describe('ready comparisons', () => {
  test('the query names a comparison; a bad name or override is refused by name', () => {
    assert.equal(parseQuery('?foo=1'), null);
    assert.deepEqual(parseQuery('?compare=shifts'), { name: 'shifts', epochs: 0, limit: 0 });
    assert.deepEqual(parseQuery('?compare=batch-size&compareEpochs=1&compareLimit=300'), { name: 'batch-size', epochs: 1, limit: 300 });
    assert.throws(() => parseQuery('?compare=nope'), /^Error: compare: no ready comparison "nope"/);
    assert.throws(() => parseQuery('?compare=shifts&compareEpochs=0'), /compareEpochs: expected an integer in \[1, 200\], got "0"/);
    assert.throws(() => parseQuery('?compare=shifts&compareLimit=2.5'), /compareLimit: expected an integer/);
  });

  test('a new queue holds every run pending, short, and says so', () => {
    const q = newQueue({ name: 'shifts' });
    assert.equal(q.epochs, EPOCHS);
    assert.deepEqual(q.items.map((i) => [i.status, i.robustness]), [['pending', true], ['pending', true]]);
    assert.match(describeQueue(q), new RegExp(`2 runs of ${EPOCHS} epochs each on the 8,000 training digits`));
    assert.match(describeQueue(newQueue({ name: 'weight-sharing', epochs: 1, limit: 200 })), /2 runs of 1 epoch each on the first 200 training and 200 held-out digits \(a test setting\)/);
    assert.equal(finished({ items: [{ status: 'done' }, { status: 'failed' }] }), true);
    assert.equal(finished({ items: [{ status: 'done' }, { status: 'pending' }] }), false);
  });

  test("every ready run's settings are valid page settings, and the core takes one step with them", () => {
    useCore(cl);
    for (const [name, c] of Object.entries(READY)) {
      c.items.forEach((item, i) => {
        const at = `${name}.items[${i}]`;
        const settings = checkSettings(item.settings);
        const net = createNetwork(cl, settings, 28);
        try {
          const s = net.staging(4);
          s.x.fill(0.25);
          s.labels.set([0, 1, 2, 3]);
          const r = trainBatch(net, s.x, s.labels, 4, { loss: settings.loss, lr: settings.lr, momentum: settings.momentum });
          assert.ok(Number.isFinite(r.loss), `${at}: loss ${r.loss}`);
        } finally {
          net.dispose();
        }
      });
    }
  });
});
