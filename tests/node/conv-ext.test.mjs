// conv-ext.test.mjs: conv2d's dilation and groups on the WebAssembly build, in cl.conv2d /
// cl.conv2dBackward (every method and 'auto') and in the conv2d layer, against PyTorch
// (tests/fixtures/conv-ext/conv2d.json, from conv-ext/generate.py), and their errors by name.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { methods, throwsMessage } from './conv-ext-helpers.mjs';
import { assertClose, cl, f32, fixture } from './helpers.mjs';

const cases = fixture('conv-ext/conv2d.json');

function label(c) {
  return `${c.name}: x ${JSON.stringify(c.xShape)} w ${JSON.stringify(c.wShape)} stride ${JSON.stringify(c.stride)} padding ${JSON.stringify(c.padding)} dilation ${JSON.stringify(c.dilation)} groups ${c.groups}`;
}

describe('conv2d with dilation and groups vs torch.nn.functional.conv2d', () => {
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    test(label(c), () => {
      const x = f32(c.x);
      const w = f32(c.w);
      const options = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
      for (const method of methods) {
        const y = cl.conv2d(x, c.xShape, w, c.wShape, { ...options, bias: f32(c.bias), method });
        assert.deepEqual(y.shape, c.yShape, `${label(c)} ${method}: shape`);
        assertClose(y.data, c.y, `${label(c)} ${method}: y`);
        const g = cl.conv2dBackward(x, c.xShape, w, c.wShape, f32(c.gradOut), { ...options, method });
        assertClose(g.gradInput, c.gradInput, `${label(c)} ${method}: gradInput`);
        assertClose(g.gradWeight, c.gradWeight, `${label(c)} ${method}: gradWeight`);
        assertClose(g.gradBias, c.gradBias, `${label(c)} ${method}: gradBias`);
      }
      assert.ok(methods.includes(cl.autoMethod2d(c.xShape, c.wShape, options)));
    });
  }

  test('the conv2d layer: weights (out, C / groups, R, S), forward and every gradient as torch', () => {
    for (const c of cases) {
      const [N, C, H, W] = c.xShape;
      const [K, , R, S] = c.wShape;
      const spec = { type: 'conv2d', out: K, kernel: [R, S], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
      const net = cl.sequential([spec], { inputShape: [C, H, W], seed: 3 });
      try {
        assert.deepEqual(net.parameters().map((p) => p.shape), [c.wShape, [K]], label(c));
        net.setParameters([{ name: '0.weight', shape: c.wShape, data: f32(c.w) }, { name: '0.bias', shape: [K], data: f32(c.bias) }]);
        assertClose(net.forward(f32(c.x), N), c.y, `${label(c)}: layer forward`);
        const { gradInput } = net.vjp(f32(c.x), N, f32(c.gradOut));
        assertClose(gradInput, c.gradInput, `${label(c)}: layer gradInput`);
        const [gw, gb] = net.gradients();
        assertClose(gw.data, c.gradWeight, `${label(c)}: layer gradWeight`);
        assertClose(gb.data, c.gradBias, `${label(c)}: layer gradBias`);
      } finally {
        net.dispose();
      }
    }
  });

  test("'same' padding pads for the dilated kernel, as torch's padding='same'", () => {
    const x = f32(Array.from({ length: 2 * 9 * 8 }, (_, i) => Math.sin(i)));
    const w = f32(Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => Math.cos(i)));
    const same = cl.conv2d(x, [1, 2, 9, 8], w, [2, 2, 3, 3], { padding: 'same', dilation: [2, 3] });
    const explicit = cl.conv2d(x, [1, 2, 9, 8], w, [2, 2, 3, 3], { padding: [2, 3], dilation: [2, 3] });
    assert.deepEqual(same.shape, [1, 2, 9, 8]);
    assert.deepEqual(Array.from(same.data), Array.from(explicit.data));
  });

  test('bad dilation and groups are refused by name, in the op and in the layer', () => {
    const x = new Float32Array(4 * 64);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(36), [2, 2, 3, 3], { groups: 3 })), /^groups: expected a divisor/);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(72), [2, 4, 3, 3], { groups: 2 })), /^wShape: expected 2 input channels per group/);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(18), [1, 2, 3, 3], { groups: 2 })), /^groups: expected a divisor/);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(72), [2, 4, 3, 3], { dilation: 0 })), /^dilation: expected a positive integer or \[h, w\]/);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(72), [2, 4, 3, 3], { dilation: 4 })), /^dilation: the dilated kernel \(9x9/);
    assert.match(throwsMessage(() => cl.conv2d(x, [1, 4, 8, 8], new Float32Array(72), [2, 4, 3, 3], { groups: 2.5 })), /^groups: expected a positive integer/);
    assert.match(throwsMessage(() => cl.conv2dBackward(x, [1, 4, 8, 8], new Float32Array(72), [2, 4, 3, 3], new Float32Array(72), { groups: 2 })), /^wShape: expected 2 input channels per group/);
    const build = (spec) => cl.sequential([{ type: 'conv2d', out: 6, kernel: 3, ...spec }], { inputShape: [4, 8, 8] });
    assert.match(throwsMessage(() => build({ groups: 3 })), /^layers\[0\]\.groups: expected a divisor of both the input channels \(4\) and out \(6\), got 3/);
    assert.match(throwsMessage(() => build({ groups: 0 })), /^layers\[0\]\.groups: expected a positive integer/);
    assert.match(throwsMessage(() => build({ dilation: 4 })), /^layers\[0\]\.dilation: the dilated kernel 9x9 is larger than the padded input 8x8/);
    assert.match(throwsMessage(() => build({ dilation: [1, 0] })), /^layers\[0\]\.dilation: expected a positive integer or \[h, w\]/);
    const net = build({ groups: 2, dilation: 2, padding: 'same' });
    assert.deepEqual(net.parameters()[0].shape, [6, 2, 3, 3]);
    assert.deepEqual(net.outputShape, [6, 8, 8]);
    net.dispose();
  });
});
