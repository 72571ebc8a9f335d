// memory.test.mjs: ten thousand mixed calls (every op, failing calls, networks created,
// trained and disposed) leave the wasm memory and malloc's count exactly where they were
// after a warm-up round: nothing leaks on any path.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cl } from './helpers.mjs';

const rand = (n, seed) => new Float32Array(n).map((_, i) => Math.sin(seed + i * 1.7));

const f = rand(100, 1);
const h = rand(9, 2);
const long = rand(3000, 3);
const x = rand(2 * 3 * 12 * 12, 4);     // (2, 3, 12, 12)
const w = rand(4 * 3 * 3 * 3, 5);       // (4, 3, 3, 3)
const bias = rand(4, 6);
const gy = rand(2 * 4 * 12 * 12, 7);    // conv output with padding 1
const py = rand(2 * 3 * 6 * 6, 8);      // pool output, kernel 2
const layers = [
  { type: 'conv2d', out: 3, kernel: 3, padding: 1 }, { type: 'tanh' },
  { type: 'avgpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'dense', out: 5 },
];
const nx = rand(4 * 64, 9);             // batch 4 of (1, 8, 8)
const labels = Int32Array.from([0, 4, 2, 1]);

function expectThrow(call) {
  assert.throws(call, Error);
}

// One round touches every entry point once, succeeding and failing.
function round(i, net) {
  const method1d = cl.methods.conv1d[i % 3];
  const method2d = cl.methods.conv2d[i % 3];
  switch (i % 20) {
    case 0: cl.convolve(f, h, { mode: 'same', method: method1d }); break;
    case 1: cl.correlate(long, h, { mode: 'valid' }); break;
    case 2: cl.fft(f, f); cl.ifft(h); break;
    case 3: cl.toeplitz(h, 20); break;
    case 4: cl.conv2d(x, [2, 3, 12, 12], w, [4, 3, 3, 3], { bias, padding: 1, method: method2d }); break;
    case 5: cl.conv2dBackward(x, [2, 3, 12, 12], w, [4, 3, 3, 3], gy, { padding: 'same', method: method2d }); break;
    case 6: cl.maxPool2d(x, [2, 3, 12, 12], { kernel: 2 }); cl.avgPool2d(x, [2, 3, 12, 12], { kernel: [3, 2], stride: 1 }); break;
    case 7: cl.maxPool2dBackward(x, [2, 3, 12, 12], py, { kernel: 2 }); cl.avgPool2dBackward(x, [2, 3, 12, 12], py, { kernel: 2 }); break;
    case 8: cl.activation('sigmoid', f); cl.autoMethod1d(1000, 30); cl.autoMethod2d([2, 3, 12, 12], [4, 3, 3, 3], { padding: 1 }); break;
    case 9: expectThrow(() => cl.conv2d(x, [2, 3, 12, 12], w, [4, 3, 13, 13])); break;             // core check
    case 10: expectThrow(() => cl.conv2dBackward(x, [2, 3, 12, 12], w, [4, 3, 3, 3], py)); break; // gradOut length
    case 11: expectThrow(() => cl.convolve(f, h, { method: 'nope' })); break;
    case 12: expectThrow(() => cl.maxPool2dBackward(x, [2, 3, 12, 12], gy, { kernel: 2 })); break;
    case 13: net.trainStep(nx, labels, 4, { lr: 0.01, momentum: 0.9 }); break;
    case 14: net.forward(nx, 4); net.layerOutput(i % 5); net.parameters(); net.optimizerState(); break;
    case 15: net.backward(nx, labels, 4, { loss: 'mse' }); net.gradients(); break;
    case 16: net.vjp(nx, 4, rand(20, i)); break;
    case 17: expectThrow(() => net.trainStep(nx, Int32Array.from([0, 9, 0, 0]), 4)); break;       // label range
    case 18: {
      const other = cl.sequential(layers, { inputShape: [1, 8, 8], seed: i });
      other.trainStep(nx, labels, 4, { lr: 0.1, momentum: 0.5 });
      net.setParameters(other.parameters());
      net.setOptimizerState(i % 40 === 18 ? other.optimizerState() : []); // copied in, freed
      other.dispose();
      break;
    }
    case 19: expectThrow(() => cl.sequential([...layers, { type: 'dense', out: 0 }], { inputShape: [1, 8, 8] })); break;
    default: break;
  }
}

test('10,000 mixed calls leak nothing', () => {
  const net = cl.sequential(layers, { inputShape: [1, 8, 8], seed: 1 });
  for (let i = 0; i < 60; i++) round(i, net); // warm-up: buffers reach their steady size
  const before = cl.memoryStats();
  for (let i = 0; i < 10000; i++) round(i, net);
  const after = cl.memoryStats();
  assert.equal(after.heapBytes, before.heapBytes, 'the wasm memory grew');
  assert.equal(after.mallocBytes, before.mallocBytes, "malloc'd bytes changed");
  net.dispose();
  const afterDispose = cl.memoryStats();
  assert.ok(afterDispose.mallocBytes < after.mallocBytes, 'dispose freed nothing');
});

test('creating and disposing big networks returns every byte', () => {
  const lenet = [
    { type: 'conv2d', out: 6, kernel: 5, padding: 2 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'conv2d', out: 16, kernel: 5 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' }, { type: 'dense', out: 120 }, { type: 'relu' },
    { type: 'dense', out: 84 }, { type: 'relu' }, { type: 'dense', out: 10 },
  ];
  const input = rand(8 * 784, 11);
  const y = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const cycle = (seed) => {
    const net = cl.sequential(lenet, { inputShape: [1, 28, 28], seed });
    net.trainStep(input, y, 8, { lr: 0.01, momentum: 0.9 });
    net.dispose();
  };
  // The first cycle may leave shared scratch space (GEMM packing, plans) at its steady size.
  cycle(0);
  const before = cl.memoryStats();
  for (let i = 1; i <= 20; i++) cycle(i);
  const after = cl.memoryStats();
  assert.equal(after.mallocBytes, before.mallocBytes);
  assert.equal(after.heapBytes, before.heapBytes);
});
