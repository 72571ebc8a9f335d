// layers-nets.test.mjs: the layer kinds batchnorm2d, batchnorm1d, dropout, globalavgpool2d,
// leakyrelu and softmax on the WebAssembly build against torch (tests/fixtures/layers_*.txt, written
// by generate_layers.py, the files the native tests read): each layer's output and gradients
// in training and eval mode, batch norm's running statistics after three training forwards,
// four small networks (one with a residual block) after three SGD steps; and the public surface of the modes and
// buffers: net.train() / eval() / training, net.buffers() / setBuffers() and their refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { assertClose, cl, f32 } from './helpers.mjs';

// Cases of a fixture file: "---" separates them, each line is "key: v1 v2 ...".
function layerFixture(name) {
  const text = readFileSync(new URL(`../fixtures/layers_${name}`, import.meta.url), 'utf8');
  return text.split(/^---$/m).slice(1).map((block) => {
    const c = {};
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) c[line.slice(0, i)] = line.slice(i + 1).trim().split(/\s+/).filter(Boolean).map(Number);
    }
    return c;
  });
}

// Output (layerOutput of the same call), dL/dx and the parameter gradients of
// L = sum(dy * y) for a one-layer network.
function vjpOf(net, x, batch, dy) {
  const { gradInput } = net.vjp(f32(x), batch, f32(dy));
  const grads = net.parameters().length ? Object.fromEntries(net.gradients().map((g) => [g.name, g.data])) : {};
  return { y: net.layerOutput(0), dx: gradInput, grads };
}

function checkMode(r, c, mode, what) {
  assertClose(r.y, c[`${mode}.y`], `${what} ${mode} y`, 1e-5);
  assertClose(r.dx, c[`${mode}.dx`], `${what} ${mode} dx`, 1e-4);
  if (c[`${mode}.dweight`]) {
    assertClose(r.grads['0.weight'], c[`${mode}.dweight`], `${what} ${mode} dweight`, 1e-4);
    assertClose(r.grads['0.bias'], c[`${mode}.dbias`], `${what} ${mode} dbias`, 1e-5);
  }
}

describe('each new layer kind equals torch', () => {
  for (const kind of ['batchnorm2d', 'batchnorm1d']) {
    test(`${kind}: training and eval mode, running statistics after three training forwards`, () => {
      const dims = kind === 'batchnorm2d' ? 4 : 2;
      for (const c of layerFixture(`${kind}.txt`)) {
        const [N, ...shape] = c.config.slice(0, dims);
        const [eps, momentum] = c.config.slice(dims);
        const what = `${kind} [${N}, ${shape}] eps ${eps}`;
        const fresh = () => {
          const net = cl.sequential([{ type: kind, eps, momentum }], { inputShape: shape, seed: 1 });
          net.setParameters([{ name: '0.weight', shape: [shape[0]], data: f32(c.weight) }, { name: '0.bias', shape: [shape[0]], data: f32(c.bias) }]);
          return net;
        };
        const net = fresh();
        assert.equal(net.training, true);
        checkMode(vjpOf(net, c.x, N, c.dy), c, 'train', what);
        net.dispose();

        const stats = fresh();
        for (const key of ['x', 'x2', 'x3']) stats.forward(f32(c[key]), N);
        const buffers = Object.fromEntries(stats.buffers().map((b) => [b.name, b]));
        assert.deepEqual(Object.keys(buffers), ['0.running_mean', '0.running_var', '0.num_batches_tracked']);
        assertClose(buffers['0.running_mean'].data, c.running_mean, `${what} running_mean`, 1e-5);
        assertClose(buffers['0.running_var'].data, c.running_var, `${what} running_var`, 1e-5);
        assert.deepEqual(buffers['0.num_batches_tracked'], { name: '0.num_batches_tracked', shape: [], data: f32([3]) });
        assert.equal(stats.eval(), stats);
        assert.equal(stats.training, false);
        checkMode(vjpOf(stats, c.x, N, c.dy), c, 'eval', what);
        assert.deepEqual(stats.buffers()[2].data, f32([3]), 'eval mode moves no statistic');
        stats.dispose();
      }
    });
  }

  for (const kind of ['leakyrelu', 'softmax', 'globalavgpool2d']) {
    test(`${kind}: output and dL/dx`, () => {
      for (const c of layerFixture(`${kind}.txt`)) {
        const config = kind === 'leakyrelu' ? c.config.slice(0, -1) : c.config;
        const [N, ...shape] = config;
        const spec = kind === 'leakyrelu' ? { type: kind, negativeSlope: c.config.at(-1) } : { type: kind };
        const net = cl.sequential([spec], { inputShape: shape });
        checkMode(vjpOf(net, c.x, N, c.dy), c, 'train', `${kind} [${config}]`);
        net.dispose();
      }
    });
  }

  test('dropout: the identity in eval mode; in training 0 or x / (1 - p), the same mask backward', () => {
    const [c] = layerFixture('dropout.txt');
    const [N, ...shape] = c.config.slice(0, 4);
    const p = c.config[4];
    const net = cl.sequential([{ type: 'dropout', p }], { inputShape: shape, seed: 5 });
    const x = f32(c.x.map((v) => v + (v >= 0 ? 0.5 : -0.5))); // no zeros: a zero marks a drop
    const dy = f32(x.map((_, i) => (i % 7) - 3));
    const r = vjpOf(net, x, N, dy);
    const scale = Math.fround(1 / (1 - p));
    let zeros = 0;
    r.y.forEach((y, i) => {
      if (y === 0) {
        zeros++;
        assert.ok(r.dx[i] === 0, `dx[${i}] = ${r.dx[i]} where y = 0`); // -0 counts
      } else {
        assert.equal(y, Math.fround(x[i] * scale));
        assert.equal(r.dx[i], Math.fround(dy[i] * scale));
      }
    });
    assert.ok(zeros > 0 && zeros < x.length, `${zeros} of ${x.length} dropped`);
    net.eval();
    assert.deepEqual(net.forward(f32(c.x), N), f32(c['eval.y']));
    net.dispose();
  });
});

const NETS = {
  conv_bn: [[{ type: 'conv2d', out: 4, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
    { type: 'globalavgpool2d' }, { type: 'flatten' }, { type: 'dense', out: 3 }], [2, 8, 8], 'softmax-cross-entropy'],
  residual: [[{ type: 'conv2d', out: 4, kernel: 3, padding: 1 },
    { type: 'residual', layers: [{ type: 'conv2d', out: 4, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' },
      { type: 'conv2d', out: 4, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }] },
    { type: 'relu' }, { type: 'globalavgpool2d' }, { type: 'flatten' }, { type: 'dense', out: 3 }], [2, 6, 6], 'softmax-cross-entropy'],
  mlp_bn1d: [[{ type: 'dense', out: 8 }, { type: 'batchnorm1d' }, { type: 'leakyrelu', negativeSlope: 0.1 }, { type: 'dense', out: 3 }], [6], 'softmax-cross-entropy'],
  conv_softmax: [[{ type: 'conv2d', out: 3, kernel: 3 }, { type: 'leakyrelu' }, { type: 'globalavgpool2d' }, { type: 'flatten' },
    { type: 'dense', out: 4 }, { type: 'softmax' }], [2, 5, 5], 'mse'],
};

describe('small networks train as torch (three SGD steps, lr 0.1)', () => {
  for (const [name, [layers, inputShape, loss]] of Object.entries(NETS)) {
    test(name, () => {
      const [c] = layerFixture(`net_${name}.txt`);
      const net = cl.sequential(layers, { inputShape, seed: 1 });
      net.setParameters(net.parameters().map((p) => ({ ...p, data: f32(c[`param ${p.name}`]) })));
      const labels = Int32Array.from(c.labels);
      c.losses.forEach((want, step) => {
        const { loss: got } = net.trainStep(f32(c.x), labels, labels.length, { lr: 0.1, loss });
        assert.ok(Math.abs(got - want) <= 1e-5 * Math.abs(want), `step ${step}: loss ${got}, torch ${want}`);
      });
      for (const p of net.parameters()) assertClose(p.data, c[`final ${p.name}`], `${name} ${p.name}`, 2e-5);
      for (const b of net.buffers()) assertClose(b.data, c[`buffer ${b.name}`], `${name} ${b.name}`, 2e-5);
      net.eval();
      assertClose(net.forward(f32(c.x), labels.length), c['eval.y'], `${name} eval output`, 2e-5);
      net.dispose();
    });
  }
});

describe('modes and buffers', () => {
  test('train() / eval() switch what forward computes; buffers restore eval outputs exactly', () => {
    const layers = [{ type: 'dense', out: 5 }, { type: 'batchnorm1d' }, { type: 'dropout', p: 0.3 }, { type: 'dense', out: 2 }];
    const net = cl.sequential(layers, { inputShape: [4], seed: 3 });
    assert.equal(net.training, true);
    const x = f32(Array.from({ length: 24 }, (_, i) => Math.sin(i)));
    net.forward(x, 6);
    net.forward(x, 6);
    assert.notDeepEqual(net.forward(x, 6), net.forward(x, 6), 'dropout draws a new mask per call');
    net.eval();
    const y = net.forward(x, 6);
    assert.deepEqual(net.forward(x, 6), y, 'eval mode is deterministic');
    assert.equal(net.train(), net);
    assert.equal(net.training, true);
    net.eval();
    const twin = cl.sequential(layers, { inputShape: [4], seed: 3 }).eval();
    assert.notDeepEqual(twin.forward(x, 6), y);
    twin.setBuffers(net.buffers());
    assert.deepEqual(twin.forward(x, 6), y);
    // Plain arrays are accepted, as for setParameters.
    twin.setBuffers(net.buffers().map((b) => ({ ...b, data: Array.from(b.data) })));
    assert.deepEqual(twin.forward(x, 6), y);
    for (const n of [net, twin]) n.dispose();
  });

  test('setBuffers refuses a bad list by name before writing anything', () => {
    const net = cl.sequential([{ type: 'batchnorm1d' }], { inputShape: [3] });
    const good = net.buffers();
    const before = cl.memoryStats().mallocBytes;
    assert.throws(() => net.setBuffers(good.slice(1)), { message: "list: missing buffer '0.running_mean'" });
    assert.throws(() => net.setBuffers([{ ...good[0], name: '0.running_men' }, ...good.slice(1)]), { message: /^list\[0\]\.name: expected one of '0\.running_mean'/ });
    assert.throws(() => net.setBuffers([...good, good[1]]), { message: "list[3].name: '0.running_var' appears twice" });
    assert.throws(() => net.setBuffers([good[0], good[1], { ...good[2], shape: [1] }]), { message: "list[2].shape: expected [] for '0.num_batches_tracked', got [1]" });
    assert.throws(() => net.setBuffers([{ ...good[0], data: f32([1, 2]) }, good[1], good[2]]), { message: 'list[0].data: expected 3 elements for shape [3], got 2' });
    assert.throws(() => net.setBuffers('x'), { message: "list: expected an array of { name, shape, data }, got 'x'" });
    assert.deepEqual(net.buffers(), good);
    assert.equal(cl.memoryStats().mallocBytes, before);
    const none = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3] });
    assert.deepEqual(none.buffers(), []);
    none.setBuffers([]);
    for (const n of [net, none]) n.dispose();
  });

  test('fields are checked by the core, naming them; a batch norm cannot train on one value per channel', () => {
    const make = (spec, inputShape = [3]) => () => cl.sequential([spec], { inputShape });
    assert.throws(make({ type: 'batchnorm1d', eps: 0 }), { message: /^layers\[0\]\.eps: expected a finite number > 0/ });
    assert.throws(make({ type: 'batchnorm1d', momentum: 2 }), { message: /^layers\[0\]\.momentum: expected a number in \[0, 1\]/ });
    assert.throws(make({ type: 'batchnorm1d', momentum: 'fast' }), { message: /^layers\[0\]\.momentum: expected a finite number/ });
    assert.throws(make({ type: 'dropout', p: 1 }), { message: /^layers\[0\]\.p: expected a number in \[0, 1\)/ });
    assert.throws(make({ type: 'leakyrelu', negativeSlope: Infinity }), { message: /^layers\[0\]\.negativeSlope: expected a finite number/ });
    assert.throws(make({ type: 'batchnorm2d' }), { message: /^layers\[0\]\.type: batchnorm2d needs a \(C, H, W\) input/ });
    assert.throws(make({ type: 'batchnorm1d' }, [1, 2, 2]), { message: /^layers\[0\]\.type: batchnorm1d needs a flat input/ });
    assert.throws(make({ type: 'dropout', pp: 0.2 }), { message: "layers[0]: unknown field 'pp'; did you mean 'p'?" });
    // A residual block's sub-layers are named by their path.
    const block = (layers) => make({ type: 'residual', layers });
    assert.throws(block([{ type: 'relu' }, { type: 'conv2d', out: 2, kernal: 3 }]), { message: "layers[0].layers[1]: unknown field 'kernal'; did you mean 'kernel'?" });
    assert.throws(block([{ type: 'relu' }, 'tanh']), { message: /^layers\[0\]\.layers\[1\]: expected a layer object such as \{ type: 'relu' \}/ });
    assert.throws(make({ type: 'residual', layers: 'relu' }), { message: /^layers\[0\]\.layers: expected an array of layer specs/ });
    assert.throws(block([{ type: 'dense', out: 2 }]), { message: /^layers\[0\]\.layers: the sub-network maps \(3\) to \(2\)/ });
    assert.throws(block([{ type: 'residual', layers: [{ type: 'dense', out: 0 }] }]), { message: /^layers\[0\]\.layers\[0\]\.layers\[0\]\.out: expected a positive integer/ });
    assert.throws(make({ type: 'relu', layers: [] }), { message: /^layers\[0\]: unknown field 'layers'/ });
    const nested = cl.sequential([{ type: 'residual', layers: [{ type: 'dense', out: 3 }, { type: 'batchnorm1d' }] }], { inputShape: [3] });
    assert.deepEqual(nested.parameters().map((p) => p.name), ['0.layers.0.weight', '0.layers.0.bias', '0.layers.1.weight', '0.layers.1.bias']);
    assert.deepEqual(nested.buffers().map((b) => b.name), ['0.layers.1.running_mean', '0.layers.1.running_var', '0.layers.1.num_batches_tracked']);
    nested.dispose();
    const net = cl.sequential([{ type: 'batchnorm1d' }], { inputShape: [3] });
    assert.throws(() => net.forward(f32([1, 2, 3]), 1), { message: /^batch: layers\[0\] \(batchnorm1d\) in training mode needs more than one value per channel/ });
    assert.deepEqual(net.eval().forward(f32([0, 0, 0]), 1), f32([0, 0, 0]));
    net.dispose();
  });
});
