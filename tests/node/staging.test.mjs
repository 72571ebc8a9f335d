// staging.test.mjs: tensors stay in WebAssembly memory. A training step on the network's
// staging views allocates nothing on the JavaScript side and trains exactly as one on copied
// arrays; evaluate() gives the core's loss without gradients; parameter() one parameter;
// memoryStats() counts the wrapper's allocations; and a network whose conv or pooling stride
// would overflow is refused before anything is allocated.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cl } from './helpers.mjs';

const layers = [
  { type: 'conv2d', out: 3, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dense', out: 4 },
];
const options = { inputShape: [1, 6, 6], seed: 3 };
const batch = 5;

function fillBatch(x, labels, step) {
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(0.37 * i + step);
  for (let b = 0; b < labels.length; b++) labels[b] = (b + step) % 4;
}

describe('staging views', () => {
  test('a training step on them allocates nothing in JavaScript and equals a step on copies', () => {
    const staged = cl.sequential(layers, options);
    const copied = cl.sequential(layers, options);
    const view = staged.staging(batch);
    assert.equal(view.x.length, batch * 36);
    assert.equal(view.labels.length, batch);
    const x = new Float32Array(batch * 36);
    const labels = new Int32Array(batch);
    const opts = { lr: 0.05, momentum: 0.9 };
    // A first step lays out the network's buffers; the ones after must allocate nothing.
    fillBatch(view.x, view.labels, 0);
    staged.trainStep(view.x, view.labels, batch, opts);
    fillBatch(x, labels, 0);
    copied.trainStep(x, labels, batch, opts);
    for (let step = 1; step <= 5; step++) {
      fillBatch(view.x, view.labels, step);
      fillBatch(x, labels, step);
      const before = cl.memoryStats();
      const a = staged.trainStep(view.x, view.labels, batch, opts);
      const after = cl.memoryStats();
      assert.equal(after.jsAllocations, before.jsAllocations, `step ${step}: JS-side allocations`);
      assert.equal(after.mallocBytes, before.mallocBytes, `step ${step}: malloc'd bytes`);
      assert.equal(after.heapBytes, before.heapBytes, `step ${step}: memory grew`);
      const b = copied.trainStep(x, labels, batch, opts);
      assert.deepEqual(a, b, `step ${step}`);
    }
    // The copying path does allocate (and frees): the counter sees it.
    const c0 = cl.memoryStats().jsAllocations;
    copied.forward(x, batch);
    assert.equal(cl.memoryStats().jsAllocations, c0 + 1);
    assert.deepEqual(staged.parameters(), copied.parameters());
    assert.deepEqual(staged.forward(view.x, batch), copied.forward(x, batch));
    staged.dispose();
    copied.dispose();
  });

  test('views are re-acquired after the memory grows', () => {
    const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [4], seed: 1 });
    let view = net.staging(2);
    view.x.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const y = net.forward(view.x, 2);
    // A large staging request grows the memory; the old views may be detached. Ask again.
    net.staging(1 << 20);
    view = net.staging(2);
    view.x.set([1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(net.forward(view.x, 2), y);
    net.dispose();
  });

  test('a staged view of a disposed network is no longer trusted as an address', () => {
    const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [2], seed: 1 });
    const view = net.staging(1);
    net.dispose();
    assert.throws(() => net.forward(view.x, 1), /forward: this network was disposed/);
  });
});

describe('evaluate and parameter', () => {
  test("evaluate gives backward's loss and accuracy and forward's argmax, without gradients", () => {
    const net = cl.sequential(layers, options);
    const x = new Float32Array(batch * 36);
    const labels = new Int32Array(batch);
    fillBatch(x, labels, 2);
    for (const loss of cl.registry.losses) {
      const e = net.evaluate(x, labels, batch, { loss });
      const y = net.forward(x, batch);
      const predictions = Array.from({ length: batch }, (_, b) => {
        const row = Array.from(y.subarray(b * 4, b * 4 + 4));
        return row.indexOf(Math.max(...row));
      });
      assert.deepEqual(Array.from(e.predictions), predictions);
      assert.ok(e.predictions instanceof Int32Array);
      if (loss === cl.registry.losses[0]) assert.throws(() => net.gradients(), /gradients: none yet/); // evaluate computes none
      const r = net.backward(x, labels, batch, { loss });
      assert.equal(e.loss, r.loss);
      assert.equal(e.accuracy, r.accuracy);
      assert.equal(e.accuracy, predictions.filter((p, b) => p === labels[b]).length / batch);
      net.resetOptimizer();
    }
    assert.throws(() => net.evaluate(x, Int32Array.of(0, 1, 2, 3, 9), batch), /^RangeError: labels: /);
    net.dispose();
  });

  test('parameter(name) is one copy of one parameter', () => {
    const net = cl.sequential(layers, options);
    const all = net.parameters();
    for (const p of all) assert.deepEqual(net.parameter(p.name), p);
    const p = net.parameter('4.bias');
    p.data[0] = 99;
    assert.notEqual(net.parameter('4.bias').data[0], 99);
    assert.throws(() => net.parameter('4.weigth'), /^RangeError: name: expected one of '0.weight'/);
    net.dispose();
  });
});

describe('overflow in a network', () => {
  for (const stride of [2 ** 30, 2 ** 23]) {
    for (const type of ['conv2d', 'maxpool2d', 'avgpool2d']) {
      test(`a ${type} of stride 2^${Math.log2(stride)} is refused before any allocation`, () => {
        const before = cl.memoryStats();
        const spec = type === 'conv2d' ? { type, out: 4, kernel: 3, stride } : { type, kernel: 2, stride };
        assert.throws(() => cl.sequential([spec, { type: 'flatten' }, { type: 'dense', out: 2 }], { inputShape: [1, 28, 28] }),
          /^RangeError: layers\[0\]\.stride: too large for this input/);
        const after = cl.memoryStats();
        assert.equal(after.mallocBytes, before.mallocBytes);
        assert.equal(after.heapBytes, before.heapBytes);
      });
    }
  }
});
