// nets.test.mjs: cl.sequential on the WebAssembly build: parameter names and shapes,
// setParameters, forward and every layer's activations, both losses and their gradients, the
// vector-Jacobian product, torch.optim.SGD momentum steps, their momentum buffers
// (optimizerState), a run resumed from parameters + optimizerState and resetOptimizer, all
// against PyTorch (tests/fixtures/node_nets.json); optimizerState's round trip; then
// PyTorch-default initialisation bounds, determinism, and dispose.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertClose, assertNear, cl, f32, fixture } from './helpers.mjs';

const nets = fixture('node_nets.json');

function build(c, seed = 1) {
  const net = cl.sequential(c.layers, { inputShape: c.inputShape, seed });
  net.setParameters(c.params.map((p) => ({ name: p.name, shape: p.shape, data: f32(p.data) })));
  return net;
}

function assertParams(list, expected, what) {
  const byName = new Map(list.map((p) => [p.name, p]));
  for (const [name, data] of Object.entries(expected)) {
    assert.ok(byName.has(name), `${what}: no parameter ${name}`);
    assertClose(byName.get(name).data, data, `${what}: ${name}`);
  }
  assert.equal(list.length, Object.keys(expected).length, `${what}: parameter count`);
}

for (const c of nets) {
  describe(`network ${c.name}`, () => {
    test('shapes and PyTorch nn.Sequential parameter names', () => {
      const net = cl.sequential(c.layers, { inputShape: c.inputShape, seed: 3 });
      assert.deepEqual(net.outputShape, c.outputShape);
      const layers = net.layers;
      assert.equal(layers.length, c.layers.length);
      layers.forEach((l, i) => {
        assert.deepEqual(l, { index: i, type: c.layers[i].type, outputShape: c.layerShapes[i] });
      });
      const params = net.parameters();
      assert.deepEqual(params.map((p) => p.name), c.params.map((p) => p.name));
      assert.deepEqual(params.map((p) => p.shape), c.params.map((p) => p.shape));
      for (const p of params) assert.ok(p.data instanceof Float32Array);
      net.dispose();
    });

    test('setParameters then parameters round-trips exactly', () => {
      const net = build(c);
      const params = net.parameters();
      params.forEach((p, i) => assert.deepEqual(Array.from(p.data), c.params[i].data, p.name));
      // parameters() returns copies: writing to them changes nothing inside.
      params[0].data.fill(123);
      assert.deepEqual(Array.from(net.parameters()[0].data), c.params[0].data);
      net.dispose();
    });

    test('forward and layerOutput vs PyTorch', () => {
      const net = build(c);
      const y = net.forward(f32(c.x), c.batch);
      assert.equal(y.length, c.batch * c.outputShape.reduce((a, b) => a * b, 1));
      assertClose(y, c.forward, 'forward');
      c.layerOutputs.forEach((expected, i) => assertClose(net.layerOutput(i), expected, `layerOutput(${i})`));
      net.dispose();
    });

    for (const loss of ['softmax-cross-entropy', 'mse']) {
      test(`backward with ${loss}: loss and gradients vs autograd`, () => {
        const net = build(c);
        const r = net.backward(f32(c.x), Int32Array.from(c.labels), c.batch, { loss });
        assertNear(r.loss, c[loss].loss, 'loss');
        assertParams(net.gradients(), c[loss].grads, `gradients (${loss})`);
        // backward does not update.
        net.parameters().forEach((p, i) => assert.deepEqual(Array.from(p.data), c.params[i].data));
        // trainStep reports the same loss and accuracy (before its update).
        const s = net.trainStep(f32(c.x), Int32Array.from(c.labels), c.batch, { loss, lr: 0 });
        assertNear(s.loss, c[loss].loss, 'trainStep loss');
        assert.equal(s.accuracy, c[loss].accuracy);
        net.dispose();
      });
    }

    test('vjp vs autograd (gradInput and parameter gradients)', () => {
      const net = build(c);
      const { gradInput } = net.vjp(f32(c.x), c.batch, f32(c.vjp.gradOutput));
      assertClose(gradInput, c.vjp.gradInput, 'gradInput');
      assertParams(net.gradients(), c.vjp.grads, 'vjp gradients');
      net.dispose();
    });

    for (const run of c.sgd) {
      test(`torch.optim.SGD lr ${run.lr} momentum ${run.momentum} with ${run.loss}`, () => {
        const net = build(c);
        const x = f32(c.x);
        const labels = Int32Array.from(c.labels);
        run.steps.forEach((expected, k) => {
          const r = net.trainStep(x, labels, c.batch, { loss: run.loss, optimizer: 'sgd', lr: run.lr, momentum: run.momentum });
          assertNear(r.loss, expected.loss, `step ${k} loss`);
          assert.equal(r.accuracy, expected.accuracy, `step ${k} accuracy`);
        });
        assertParams(net.parameters(), run.params, 'parameters after the steps');
        // The momentum buffers are torch's momentum_buffer; none without momentum.
        assertParams(net.optimizerState(), run.buffers, 'optimizerState after the steps');
        net.dispose();
      });

      // Stopped after k steps, saved as plain JSON (as the training page does), restored
      // into a fresh network: the rest of torch's unbroken trajectory, and bit for bit what
      // the original network does when it simply goes on.
      for (let k = 1; k < run.steps.length; k++) {
        test(`torch.optim.SGD momentum ${run.momentum} with ${run.loss}: resumed after ${k} of ${run.steps.length} steps from parameters + optimizerState`, () => {
          const net = build(c);
          const x = f32(c.x);
          const labels = Int32Array.from(c.labels);
          const opts = { loss: run.loss, optimizer: 'sgd', lr: run.lr, momentum: run.momentum };
          for (let step = 0; step < k; step++) net.trainStep(x, labels, c.batch, opts);
          const plain = (list) => list.map((p) => ({ ...p, data: Array.from(p.data) }));
          const saved = JSON.parse(JSON.stringify({ parameters: plain(net.parameters()), optimizer: plain(net.optimizerState()) }));
          assert.equal(saved.optimizer.length, run.momentum ? c.params.length : 0);
          const resumed = cl.sequential(c.layers, { inputShape: c.inputShape, seed: 2 });
          resumed.setParameters(saved.parameters);
          resumed.setOptimizerState(saved.optimizer);
          for (let step = k; step < run.steps.length; step++) {
            const a = net.trainStep(x, labels, c.batch, opts);
            const r = resumed.trainStep(x, labels, c.batch, opts);
            assertNear(r.loss, run.steps[step].loss, `step ${step} loss`);
            assert.equal(r.loss, a.loss, `step ${step}: the resumed network's loss differs from the original's`);
          }
          assertParams(resumed.parameters(), run.params, 'resumed parameters after the steps');
          assertParams(resumed.optimizerState(), run.buffers, 'resumed optimizerState after the steps');
          assert.deepEqual(resumed.parameters(), net.parameters());
          assert.deepEqual(resumed.optimizerState(), net.optimizerState());
          net.dispose();
          resumed.dispose();
        });
      }
    }

    test('resetOptimizer: the next step starts again from v = g', () => {
      const run = c.sgd[0];
      const net = build(c);
      const x = f32(c.x);
      const labels = Int32Array.from(c.labels);
      const opts = { loss: run.loss, lr: run.lr, momentum: 0.9 };
      const g = c[run.loss].grads;
      // p1 = p0 - lr * g(p0) after one step from p0, whatever the momentum.
      const afterOne = Object.fromEntries(c.params.map((p) => [p.name, p.data.map((v, i) => v - run.lr * g[p.name][i])]));
      net.trainStep(x, labels, c.batch, opts);
      assertParams(net.parameters(), afterOne, 'first step');
      // Back to p0 with the momentum buffer forgotten: the same step again.
      net.setParameters(c.params.map((p) => ({ name: p.name, shape: p.shape, data: f32(p.data) })));
      net.resetOptimizer();
      net.trainStep(x, labels, c.batch, opts);
      assertParams(net.parameters(), afterOne, 'step after resetOptimizer');
      // Without the reset the buffer remembers: v = 0.9 g + g, a different step.
      net.setParameters(c.params.map((p) => ({ name: p.name, shape: p.shape, data: f32(p.data) })));
      net.trainStep(x, labels, c.batch, opts);
      const p = net.parameters()[0];
      const expectedMomentum = c.params[0].data.map((v, i) => v - run.lr * 1.9 * g[p.name][i]);
      assertClose(p.data, expectedMomentum, 'step with remembered momentum');
      net.dispose();
    });
  });
}

describe('optimizer state', () => {
  const layers = [{ type: 'dense', out: 4 }, { type: 'tanh' }, { type: 'dense', out: 3 }];
  const x = new Float32Array(2 * 5).map((_, i) => Math.cos(i * 0.7));
  const labels = Int32Array.from([2, 0]);

  test('[] before a step with momentum, after resetOptimizer and after setOptimizerState([])', () => {
    const net = cl.sequential(layers, { inputShape: [5], seed: 4 });
    assert.deepEqual(net.optimizerState(), []);
    net.trainStep(x, labels, 2, { lr: 0.1 }); // momentum 0 keeps no buffers, as torch
    assert.deepEqual(net.optimizerState(), []);
    net.trainStep(x, labels, 2, { lr: 0.1, momentum: 0.9 });
    const state = net.optimizerState();
    assert.deepEqual(state.map((p) => [p.name, p.shape]), net.parameters().map((p) => [p.name, p.shape]));
    // After the first step with momentum v = g (torch clones the gradient).
    assert.deepEqual(state, net.gradients());
    net.resetOptimizer();
    assert.deepEqual(net.optimizerState(), []);
    net.setOptimizerState(state);
    assert.deepEqual(net.optimizerState(), state);
    net.setOptimizerState([]);
    assert.deepEqual(net.optimizerState(), []);
    net.dispose();
  });

  test('round trip: any order, plain arrays, fresh copies; the next step continues from v', () => {
    const net = cl.sequential(layers, { inputShape: [5], seed: 4 });
    net.trainStep(x, labels, 2, { lr: 0.1, momentum: 0.9 });
    const state = net.optimizerState().map((p) => ({ ...p, data: p.data.map((v, i) => v + 0.01 * i) }));
    net.setOptimizerState([...state].reverse().map((p) => ({ ...p, data: Array.from(p.data) })));
    const back = net.optimizerState();
    assert.deepEqual(back, state);
    back[0].data.fill(123); // a copy: writing to it changes nothing inside
    assert.deepEqual(net.optimizerState(), state);
    // One more step: v' = 0.9 v + g, p' = p - lr v', in float32 as the core rounds it.
    const p0 = net.parameters();
    net.trainStep(x, labels, 2, { lr: 0.1, momentum: 0.9 });
    const g = net.gradients();
    const v1 = net.optimizerState();
    const p1 = net.parameters();
    state.forEach((s, i) => {
      const want = s.data.map((v, j) => Math.fround(Math.fround(Math.fround(0.9) * v) + g[i].data[j]));
      assert.deepEqual(v1[i].data, want, `${s.name}: v = 0.9 v + g`);
      assert.deepEqual(p1[i].data, p0[i].data.map((p, j) => Math.fround(p - Math.fround(Math.fround(0.1) * want[j]))), `${s.name}: p -= lr v`);
    });
    net.dispose();
  });
});

describe('network set-up', () => {
  const lenet = [
    { type: 'conv2d', out: 6, kernel: 5, padding: 2 },
    { type: 'relu' },
    { type: 'maxpool2d', kernel: 2 },
    { type: 'conv2d', out: 16, kernel: 5 },
    { type: 'relu' },
    { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' },
    { type: 'dense', out: 120 }, { type: 'relu' },
    { type: 'dense', out: 84 }, { type: 'relu' },
    { type: 'dense', out: 10 },
  ];

  test("API.md's LeNet-5: output shape, names, shapes", () => {
    const net = cl.sequential(lenet, { inputShape: [1, 28, 28], seed: 1 });
    assert.deepEqual(net.outputShape, [10]);
    assert.deepEqual(net.parameters().map((p) => [p.name, p.shape]), [
      ['0.weight', [6, 1, 5, 5]], ['0.bias', [6]],
      ['3.weight', [16, 6, 5, 5]], ['3.bias', [16]],
      ['7.weight', [120, 400]], ['7.bias', [120]],
      ['9.weight', [84, 120]], ['9.bias', [84]],
      ['11.weight', [10, 84]], ['11.bias', [10]],
    ]);
    assert.deepEqual(net.layers.map((l) => l.outputShape), [
      [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5],
      [400], [120], [120], [84], [84], [10],
    ]);
    net.dispose();
  });

  test('PyTorch default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases', () => {
    const net = cl.sequential(lenet, { inputShape: [1, 28, 28], seed: 7 });
    for (const p of net.parameters()) {
      const layer = p.name.split('.')[0];
      const w = net.parameters().find((q) => q.name === `${layer}.weight`);
      const fanIn = w.shape.slice(1).reduce((a, b) => a * b, 1);
      const bound = 1 / Math.sqrt(fanIn);
      let max = 0;
      for (const v of p.data) max = Math.max(max, Math.abs(v));
      assert.ok(max <= bound * (1 + 1e-6), `${p.name}: max |v| ${max} > bound ${bound}`);
      if (p.data.length >= 50) assert.ok(max > 0.8 * bound, `${p.name}: max |v| ${max} is not spread over ±${bound}`);
    }
    net.dispose();
  });

  test('same seed, settings and data give the same numbers; another seed differs', () => {
    const x = new Float32Array(4 * 784).map((_, i) => Math.sin(i * 0.37));
    const labels = Int32Array.from([3, 1, 4, 1]);
    const run = (seed) => {
      const net = cl.sequential(lenet, { inputShape: [1, 28, 28], seed });
      const params = net.parameters();
      const losses = [];
      for (let k = 0; k < 3; k++) losses.push(net.trainStep(x, labels, 4, { lr: 0.05, momentum: 0.9 }).loss);
      const out = net.forward(x, 4);
      net.dispose();
      return { params, losses, out };
    };
    const a = run(42);
    const b = run(42);
    assert.deepEqual(a.params, b.params);
    assert.deepEqual(a.losses, b.losses);
    assert.deepEqual(Array.from(a.out), Array.from(b.out));
    const c = run(43);
    assert.notDeepEqual(Array.from(c.params[0].data), Array.from(a.params[0].data));
  });

  test('flat input: a dense network on inputShape [features]', () => {
    const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: 0 });
    net.setParameters([
      { name: '0.weight', shape: [2, 3], data: f32([1, 2, 3, -1, 0, 1]) },
      { name: '0.bias', shape: [2], data: f32([0.5, -0.5]) },
    ]);
    // y = W x + b, closed form.
    assert.deepEqual(Array.from(net.forward(f32([1, 1, 1, 2, 0, -1]), 2)), [6.5, -0.5, -0.5, -3.5]);
    // batch may be left out when x's length says it.
    assert.deepEqual(Array.from(net.forward(f32([1, 1, 1]))), [6.5, -0.5]);
    // labels may be a plain array of integers too.
    const r = net.backward(f32([1, 1, 1]), [0], 1, { loss: 'mse' });
    // mse against one-hot [1, 0]: ((6.5 - 1)^2 + (-0.5)^2) / 2.
    assert.ok(Math.abs(r.loss - (5.5 ** 2 + 0.25) / 2) < 1e-5);
    net.dispose();
  });

  test('dispose frees, is idempotent, and later calls throw a clear Error', () => {
    const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3] });
    net.dispose();
    net.dispose();
    assert.equal(net.disposed, true);
    for (const call of [
      () => net.forward(f32([1, 2, 3]), 1),
      () => net.parameters(),
      () => net.setParameters([]),
      () => net.gradients(),
      () => net.trainStep(f32([1, 2, 3]), Int32Array.from([0]), 1),
      () => net.backward(f32([1, 2, 3]), Int32Array.from([0]), 1),
      () => net.vjp(f32([1, 2, 3]), 1, f32([1, 0])),
      () => net.layerOutput(0),
      () => net.resetOptimizer(),
      () => net.optimizerState(),
      () => net.setOptimizerState([]),
      () => net.layers,
    ]) {
      assert.throws(call, /disposed/);
    }
  });

  test('gradients before any backward is a clear Error; layerOutput before forward too', () => {
    const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3] });
    assert.throws(() => net.gradients(), /gradients: none yet/);
    assert.throws(() => net.layerOutput(0), /layerOutput: no activations yet/);
    net.dispose();
  });
});
