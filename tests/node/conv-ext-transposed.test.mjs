// conv-ext-transposed.test.mjs: the transposed convolution on the WebAssembly build,
// cl.convTranspose2d / cl.convTranspose2dBackward (every method and 'auto') and the
// convtranspose2d layer, against PyTorch's ConvTranspose2d
// (tests/fixtures/conv-ext/convtranspose2d.json, from conv-ext/generate.py), and its errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { methods, throwsMessage } from './conv-ext-helpers.mjs';
import { assertClose, cl, f32, fixture } from './helpers.mjs';

const cases = fixture('conv-ext/convtranspose2d.json');

function label(c) {
  return `${c.name}: x ${JSON.stringify(c.xShape)} w ${JSON.stringify(c.wShape)} stride ${JSON.stringify(c.stride)} padding ${JSON.stringify(c.padding)} outputPadding ${JSON.stringify(c.outputPadding)} dilation ${JSON.stringify(c.dilation)} groups ${c.groups}`;
}

const optionsOf = (c) => ({ stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups });

describe('convTranspose2d vs torch.nn.functional.conv_transpose2d', () => {
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    test(label(c), () => {
      const x = f32(c.x);
      const w = f32(c.w);
      for (const method of methods) {
        const options = { ...optionsOf(c), method };
        if (c.bias) options.bias = f32(c.bias);
        const y = cl.convTranspose2d(x, c.xShape, w, c.wShape, options);
        assert.deepEqual(y.shape, c.yShape, `${label(c)} ${method}: shape`);
        assertClose(y.data, c.y, `${label(c)} ${method}: y`);
        const g = cl.convTranspose2dBackward(x, c.xShape, w, c.wShape, f32(c.gradOut), { ...optionsOf(c), method });
        assertClose(g.gradInput, c.gradInput, `${label(c)} ${method}: gradInput`);
        assertClose(g.gradWeight, c.gradWeight, `${label(c)} ${method}: gradWeight`);
        if (c.bias) assertClose(g.gradBias, c.gradBias, `${label(c)} ${method}: gradBias`);
      }
    });
  }

  test('the convtranspose2d layer: torch shapes, forward and every gradient', () => {
    for (const c of cases) {
      const [N, C, H, W] = c.xShape;
      const spec = { type: 'convtranspose2d', out: c.out, kernel: c.kernel, ...optionsOf(c), bias: c.bias !== undefined };
      const net = cl.sequential([spec], { inputShape: [C, H, W], seed: 5 });
      try {
        assert.deepEqual(net.outputShape, c.yShape.slice(1), label(c));
        const shapes = c.bias ? [c.wShape, [c.out]] : [c.wShape];
        assert.deepEqual(net.parameters().map((p) => p.shape), shapes, label(c));
        const list = [{ name: '0.weight', shape: c.wShape, data: f32(c.w) }];
        if (c.bias) list.push({ name: '0.bias', shape: [c.out], data: f32(c.bias) });
        net.setParameters(list);
        assertClose(net.forward(f32(c.x), N), c.y, `${label(c)}: layer forward`);
        const { gradInput } = net.vjp(f32(c.x), N, f32(c.gradOut));
        assertClose(gradInput, c.gradInput, `${label(c)}: layer gradInput`);
        const grads = net.gradients();
        assertClose(grads[0].data, c.gradWeight, `${label(c)}: layer gradWeight`);
        if (c.bias) assertClose(grads[1].data, c.gradBias, `${label(c)}: layer gradBias`);
      } finally {
        net.dispose();
      }
    }
  });

  test("default initialisation: U(-b, b), b = 1 / sqrt(weight.size(1) R S) as torch's", () => {
    const net = cl.sequential([{ type: 'convtranspose2d', out: 8, kernel: 3, groups: 2, stride: 2 }], { inputShape: [6, 4, 4], seed: 9 });
    const [w, b] = net.parameters();
    net.dispose();
    assert.deepEqual(w.shape, [6, 4, 3, 3]);
    const bound = 1 / Math.sqrt(4 * 3 * 3);
    const most = Math.max(...w.data.map(Math.abs));
    assert.ok(most <= bound && most > 0.9 * bound, `max |w| ${most}, bound ${bound}`);
    assert.ok(Math.max(...b.data.map(Math.abs)) <= bound);
  });

  test('a network of both kinds trains: the loss falls', () => {
    const net = cl.sequential([
      { type: 'conv2d', out: 4, kernel: 3, stride: 2, groups: 2, dilation: 1 },
      { type: 'relu' },
      { type: 'convtranspose2d', out: 2, kernel: 3, stride: 2, outputPadding: 1, groups: 2 },
      { type: 'flatten' },
      { type: 'dense', out: 3 },
    ], { inputShape: [2, 7, 7], seed: 2 });
    try {
      const x = f32(Array.from({ length: 4 * 98 }, (_, i) => Math.sin(i * 0.37)));
      const labels = Int32Array.of(0, 1, 2, 1);
      const first = net.trainStep(x, labels, 4, { lr: 0.1 }).loss;
      let last = first;
      for (let i = 0; i < 30; i++) last = net.trainStep(x, labels, 4, { lr: 0.1 }).loss;
      assert.ok(last < 0.5 * first, `loss ${first} -> ${last}`);
    } finally {
      net.dispose();
    }
  });

  test('bad arguments are refused by name, in the op and in the layer', () => {
    const x = new Float32Array(2 * 16);
    const w = new Float32Array(2 * 3 * 9);
    const op = (o, ws = [2, 3, 3, 3]) => cl.convTranspose2d(x, [1, 2, 4, 4], w, ws, o);
    assert.deepEqual(op({ stride: 2, padding: 1, outputPadding: 1 }).shape, [1, 3, 8, 8]);
    assert.match(throwsMessage(() => op({ stride: 2, outputPadding: 2 })), /^outputPadding: must be smaller than stride or dilation/);
    assert.match(throwsMessage(() => op({ padding: 'same' })), /^padding: expected a non-negative integer or \[h, w\]/);
    assert.match(throwsMessage(() => op({ padding: 3 })), /^padding: too large: the output would be 0x0/);
    assert.match(throwsMessage(() => op({ groups: 3 })), /^groups: expected a divisor of the input channels \(2\)/);
    assert.match(throwsMessage(() => op({}, [3, 3, 3, 2])), /^wShape: expected 2 input channels \(xShape\[1\]\) in wShape\[0\], got 3/);
    assert.match(throwsMessage(() => op({}, [2, 3, 3, 2])), /^w: /);
    assert.match(throwsMessage(() => op({ bias: new Float32Array(2) })), /^bias: /);
    assert.match(throwsMessage(() => op({ outputPading: 1 })), /^outputPading: unknown option 'outputPading'; did you mean 'outputPadding'\?/);
    const layer = (spec) => cl.sequential([{ type: 'convtranspose2d', out: 4, kernel: 3, ...spec }], { inputShape: [2, 4, 4] });
    assert.match(throwsMessage(() => layer({ stride: 2, outputPadding: [0, 2] })), /^layers\[0\]\.outputPadding: must be smaller than stride or dilation/);
    assert.match(throwsMessage(() => layer({ groups: 4 })), /^layers\[0\]\.groups: expected a divisor of both the input channels \(2\) and out \(4\)/);
    assert.match(throwsMessage(() => layer({ padding: 'same' })), /^layers\[0\]\.padding: expected a non-negative integer or \[h, w\]/);
    assert.match(throwsMessage(() => layer({ padding: 3 })), /^layers\[0\]\.padding: too large/);
    assert.match(throwsMessage(() => cl.sequential([{ type: 'convtranspose2d', out: 4, kernel: 3 }], { inputShape: [8] })), /^layers\[0\]\.type: convtranspose2d needs a \(C, H, W\) input/);
  });
});
