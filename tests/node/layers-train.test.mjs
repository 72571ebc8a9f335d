// layers-train.test.mjs: networks with batch norm learn the packed MNIST split (8,000 training
// digits, 2,000 held out; see train.test.mjs) through the public API on the WebAssembly build:
// LeNet-5 with a batchnorm2d after each convolution passes 98% held-out accuracy, and the
// design a student would draw (conv-bn-relu-pool twice, global average pooling, one dense
// layer) passes 97%. Held-out accuracy is measured in eval mode, with the running statistics.
// The recipe: cross-entropy, SGD with momentum 0.9, batch 32, learning rate decaying along a
// half cosine, every digit shifted by a seeded random -1, 0 or +1 pixel; all seeded, so the
// accuracies are the same on every run of the same build.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';

import { cl } from './helpers.mjs';
import { packData } from '../../web/pack-data.mjs';
import { HEADER_BYTES, decodeDataset, decodeHeader } from '../../web/src/train/data.js';
import { NORMALISATION, inputsOf, writeExample } from '../../web/src/train/augmentation.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SIDE = 28;
const SIZE = SIDE * SIDE;

function readMnist() {
  const file = join(root, 'build', 'data', 'mnist.bin');
  if (!existsSync(file)) packData({ root, log: () => {} });
  const bytes = new Uint8Array(readFileSync(file));
  const header = decodeHeader(bytes);
  const stored = bytes.subarray(HEADER_BYTES, HEADER_BYTES + header.payloadBytes);
  return decodeDataset(header, header.encoding === 1 ? new Uint8Array(zlib.gunzipSync(stored)) : stored);
}

const mnist = readMnist();
const norm = NORMALISATION.mnist;

// mulberry32: a small seeded generator for the order and the shifts.
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// In chunks of 250: one call on all 2,000 would keep 2,000 examples' activations allocated.
function heldOutAccuracy(net) {
  net.eval();
  const n = mnist.test.n;
  let correct = 0;
  for (let start = 0; start < n; start += 250) {
    const idx = Array.from({ length: Math.min(250, n - start) }, (_, i) => start + i);
    const x = inputsOf(mnist.test, idx, SIDE, norm);
    correct += Math.round(net.evaluate(x, Int32Array.from(idx, (i) => mnist.test.labels[i]), idx.length).accuracy * idx.length);
  }
  net.train();
  return correct / n;
}

// Trains `layers` on the whole training split; returns the held-out accuracy and seconds per epoch.
function train(layers, { epochs, lr, momentum = 0.9, batch = 32, seed = 1 }) {
  const net = cl.sequential(layers, { inputShape: [1, SIDE, SIDE], seed });
  const n = mnist.train.n;
  const steps = Math.floor(n / batch);
  const next = random(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const t0 = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < steps; s++) {
      const stage = net.staging(batch); // again each step: the first step may grow the memory
      for (let b = 0; b < batch; b++) {
        const k = order[s * batch + b];
        const dy = Math.floor(next() * 3) - 1;
        const dx = Math.floor(next() * 3) - 1;
        writeExample(stage.x, b * SIZE, mnist.train.pixels, k, SIDE, dy, dx, norm);
        stage.labels[b] = mnist.train.labels[k];
      }
      const t = (epoch * steps + s) / (epochs * steps);
      const r = net.trainStep(stage.x, stage.labels, batch, { lr: lr * 0.5 * (1 + Math.cos(Math.PI * t)), momentum });
      assert.ok(Number.isFinite(r.loss), `epoch ${epoch} step ${s}: loss ${r.loss}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000 / epochs;
  const accuracy = heldOutAccuracy(net);
  const buffers = net.buffers();
  net.dispose();
  return { accuracy, seconds, buffers };
}

const conv = (out, kernel, padding = 0) => ({ type: 'conv2d', out, kernel, padding });
const bn = { type: 'batchnorm2d' };
const relu = { type: 'relu' };
const pool = { type: 'maxpool2d', kernel: 2 };

describe('networks with batch norm on the packed digits', () => {
  test('LeNet-5 with batch norm after each convolution passes 98% held out', () => {
    const layers = [
      conv(6, 5, 2), bn, relu, pool, // C1, S2
      conv(16, 5), bn, relu, pool, // C3, S4
      conv(120, 5), bn, relu, { type: 'flatten' }, // C5
      { type: 'dense', out: 84 }, relu, { type: 'dense', out: 10 },
    ];
    const r = train(layers, { epochs: 8, lr: 0.05 });
    console.log(`# LeNet-5 + batch norm: ${(100 * r.accuracy).toFixed(2)}% held out after 8 epochs, ${r.seconds.toFixed(1)} s per epoch in Node`);
    assert.equal(r.buffers.find((b) => b.name === '1.num_batches_tracked').data[0], 8 * 250);
    assert.ok(r.accuracy > 0.98, `held-out accuracy ${r.accuracy}`);
  });

  test('conv-bn-relu-pool twice, global average pooling and one dense layer pass 97% held out', () => {
    const layers = [
      conv(16, 5, 2), bn, relu, pool,
      conv(32, 5, 2), bn, relu, pool,
      { type: 'globalavgpool2d' }, { type: 'flatten' }, { type: 'dense', out: 10 },
    ];
    const r = train(layers, { epochs: 6, lr: 0.2 });
    console.log(`# conv-bn-relu-pool x2 + global average pooling: ${(100 * r.accuracy).toFixed(2)}% held out after 6 epochs, ${r.seconds.toFixed(1)} s per epoch in Node`);
    assert.ok(r.accuracy > 0.97, `held-out accuracy ${r.accuracy}`);
  });
});
