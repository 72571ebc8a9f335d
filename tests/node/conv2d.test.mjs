// conv2d.test.mjs: conv2d / conv2dBackward in every method and option form, max and average
// pooling with their gradients, activation and autoMethod2d, on the WebAssembly build,
// against PyTorch (tests/fixtures/node_conv2d.json, node_pool.json).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertClose, cl, f32, fixture } from './helpers.mjs';

const convCases = fixture('node_conv2d.json');
const poolCases = fixture('node_pool.json');
const methods = [...cl.methods.conv2d, 'auto'];

function label(c) {
  return `${c.name}: x ${JSON.stringify(c.xShape)} w ${JSON.stringify(c.wShape)} stride ${JSON.stringify(c.stride)} padding ${JSON.stringify(c.padding)}`;
}

describe('conv2d vs torch.nn.functional.conv2d', () => {
  for (const c of convCases) {
    test(label(c), () => {
      const x = f32(c.x);
      const w = f32(c.w);
      const options = { stride: c.stride, padding: c.padding };
      if (c.bias) options.bias = f32(c.bias);
      for (const method of methods) {
        const y = cl.conv2d(x, c.xShape, w, c.wShape, { ...options, method });
        assert.deepEqual(y.shape, c.yShape, `${label(c)} ${method}: shape`);
        assertClose(y.data, c.y, `${label(c)} ${method}: y`);
        const g = cl.conv2dBackward(x, c.xShape, w, c.wShape, f32(c.gradOut), { stride: c.stride, padding: c.padding, method });
        assertClose(g.gradInput, c.gradInput, `${label(c)} ${method}: gradInput`);
        assertClose(g.gradWeight, c.gradWeight, `${label(c)} ${method}: gradWeight`);
        assertClose(g.gradBias, c.gradBias, `${label(c)} ${method}: gradBias`);
      }
    });
  }

  test('defaults: stride 1, padding 0, no bias; [h, w] and number forms agree', () => {
    const c = convCases.find((k) => k.name === '3x3 no padding');
    const x = f32(c.x);
    const w = f32(c.w);
    const bias = f32(c.bias);
    const a = cl.conv2d(x, c.xShape, w, c.wShape, { bias });
    assertClose(a.data, c.y, 'defaults');
    const b = cl.conv2d(x, c.xShape, w, c.wShape, { bias, stride: [1, 1], padding: [0, 0] });
    assert.deepEqual(Array.from(b.data), Array.from(a.data));
    const v = cl.conv2d(x, c.xShape, w, c.wShape, { bias, padding: 'valid' });
    assert.deepEqual(Array.from(v.data), Array.from(a.data));
    // Without bias, every output differs from the biased one by exactly that channel's bias.
    const nb = cl.conv2d(x, c.xShape, w, c.wShape);
    const [N, K, Ho, Wo] = nb.shape;
    for (let i = 0; i < N * K * Ho * Wo; i++) {
      const k = Math.floor(i / (Ho * Wo)) % K;
      assert.ok(Math.abs(a.data[i] - nb.data[i] - bias[k]) < 1e-5, `bias of channel ${k}`);
    }
  });

  test('inputs are not modified and results are fresh', () => {
    const c = convCases[0];
    const x = f32(c.x);
    const w = f32(c.w);
    const y1 = cl.conv2d(x, c.xShape, w, c.wShape);
    const y2 = cl.conv2d(x, c.xShape, w, c.wShape);
    assert.notEqual(y1.data.buffer, y2.data.buffer);
    assert.deepEqual(Array.from(x), c.x);
    assert.deepEqual(Array.from(w), c.w);
  });

  test('autoMethod2d names a registry method', () => {
    for (const c of convCases) {
      const m = cl.autoMethod2d(c.xShape, c.wShape, { stride: c.stride, padding: c.padding });
      assert.ok(cl.methods.conv2d.includes(m), `${label(c)}: ${m}`);
    }
    assert.ok(cl.methods.conv2d.includes(cl.autoMethod2d([8, 64, 56, 56], [64, 64, 3, 3], { padding: 1 })));
  });
});

describe('pooling vs torch max_pool2d / avg_pool2d', () => {
  for (const c of poolCases) {
    test(`${c.name}: x ${JSON.stringify(c.xShape)} kernel ${JSON.stringify(c.kernel)} stride ${JSON.stringify(c.stride)}`, () => {
      const x = f32(c.x);
      const options = { kernel: c.kernel };
      if (c.stride !== null) options.stride = c.stride;
      for (const [kind, fwd, bwd] of [['max', 'maxPool2d', 'maxPool2dBackward'], ['avg', 'avgPool2d', 'avgPool2dBackward']]) {
        const r = c[kind];
        const y = cl[fwd](x, c.xShape, options);
        assert.deepEqual(y.shape, r.yShape, `${c.name} ${kind}: shape`);
        assertClose(y.data, r.y, `${c.name} ${kind}: y`);
        const gx = cl[bwd](x, c.xShape, f32(r.gradOut), options);
        assertClose(gx, r.gradInput, `${c.name} ${kind}: gradInput`);
      }
    });
  }

  test('ties send the gradient to the first maximum in row-major window order', () => {
    // One 2x2 window of equal values: all of the gradient goes to element 0.
    const gx = cl.maxPool2dBackward(f32([3, 3, 3, 3]), [1, 1, 2, 2], f32([5]), { kernel: 2 });
    assert.deepEqual(Array.from(gx), [5, 0, 0, 0]);
    const gy = cl.maxPool2dBackward(f32([1, 4, 4, 2]), [1, 1, 2, 2], f32([7]), { kernel: [2, 2] });
    assert.deepEqual(Array.from(gy), [0, 7, 0, 0]);
  });
});

describe('activation', () => {
  test('relu, sigmoid, tanh element-wise (closed form)', () => {
    const x = f32([-2, -0.5, 0, 0.25, 3]);
    const expect = {
      relu: (v) => Math.max(0, v),
      sigmoid: (v) => 1 / (1 + Math.exp(-v)),
      tanh: (v) => Math.tanh(v),
    };
    for (const [name, fn] of Object.entries(expect)) {
      assertClose(cl.activation(name, x), Array.from(x, fn), name);
    }
    assert.equal(cl.activation('relu', new Float32Array(0)).length, 0);
  });
});
