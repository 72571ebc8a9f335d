// pool2d.test.mjs: maxPool2d / avgPool2d and their gradients with padding, dilation, ceilMode
// and countIncludePad against PyTorch (tests/fixtures/pool2d_padded_torch.txt, the file
// tests/native/test_pool2d.cpp reads), and the maxpool2d / avgpool2d layers with the same
// fields in a sequential network (a ResNet stem's pooling), forward, vjp and training.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { assertClose, assertNear, cl, f32 } from './helpers.mjs';

// The fixture: '#' comments, cases separated by '---', each line "key: numbers..." and one
// "name <case>:" line.
function paddedCases() {
  const text = readFileSync(new URL('../fixtures/pool2d_padded_torch.txt', import.meta.url), 'utf8');
  const cases = [];
  let c = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === '---') {
      c = {};
      cases.push(c);
      continue;
    }
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    if (key.startsWith('name ')) c.name = key.slice(5);
    else c[key] = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean).map(Number);
  }
  return cases;
}

function optionsOf(g) {
  const [, , , , kh, kw, sh, sw, ph, pw, dh, dw, ceil, include] = g;
  const base = { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], ceilMode: ceil !== 0 };
  return { max: { ...base, dilation: [dh, dw] }, avg: { ...base, countIncludePad: include !== 0 } };
}

describe('pooling with padding, dilation, ceilMode, countIncludePad vs PyTorch', () => {
  const cases = paddedCases();
  test('the fixture holds the cases the native test reads', () => {
    assert.ok(cases.length >= 15, `${cases.length} cases`);
  });
  for (const c of cases) {
    test(c.name, () => {
      const xShape = c.geometry.slice(0, 4);
      const x = f32(c.x);
      const dy = f32(c.dy);
      const o = optionsOf(c.geometry);
      const y = cl.maxPool2d(x, xShape, o.max);
      assert.equal(y.data.length, c.max_y.length, `${c.name}: output size`);
      assert.equal(y.shape[0] * y.shape[1] * y.shape[2] * y.shape[3], dy.length);
      assertClose(y.data, c.max_y, `${c.name}: max y`);
      assertClose(cl.maxPool2dBackward(x, xShape, dy, o.max), c.max_dx, `${c.name}: max dx`);
      if (!c.avg_y) {
        assert.ok(c.geometry[10] * c.geometry[11] > 1, 'only dilated cases lack an average');
        assert.throws(() => cl.avgPool2d(x, xShape, { ...o.avg, dilation: o.max.dilation }), { message: /^dilation: unknown option 'dilation'/ });
        return;
      }
      assertClose(cl.avgPool2d(x, xShape, o.avg).data, c.avg_y, `${c.name}: avg y`);
      assertClose(cl.avgPool2dBackward(x, xShape, dy, o.avg), c.avg_dx, `${c.name}: avg dx`);
    });
  }

  test("issue 16's case: a 7x7 input, kernel 3, stride 2, padding 1 gives torch's 4x4", () => {
    const x = f32(Array.from({ length: 49 }, (_, i) => i));
    const y = cl.maxPool2d(x, [1, 1, 7, 7], { kernel: 3, stride: 2, padding: 1 });
    assert.deepEqual(y.shape, [1, 1, 4, 4]);
    // increasing values: each window's maximum is its bottom-right cell inside the input
    assert.deepEqual([...y.data], [8, 10, 12, 13, 22, 24, 26, 27, 36, 38, 40, 41, 43, 45, 47, 48]);
    const a = cl.avgPool2d(x, [1, 1, 7, 7], { kernel: 3, stride: 2, padding: 1, countIncludePad: false });
    assertNear(a.data[0], (0 + 1 + 7 + 8) / 4, 'countIncludePad false: the corner divides by 4');
    assertNear(cl.avgPool2d(x, [1, 1, 7, 7], { kernel: 3, stride: 2, padding: 1 }).data[0], (0 + 1 + 7 + 8) / 9, 'the default divides by 9');
  });

  test('the new options are checked and named', () => {
    const x = new Float32Array(49);
    const xShape = [1, 1, 7, 7];
    const message = (f) => {
      try {
        f();
      } catch (e) {
        return e.message;
      }
      return '(no error)';
    };
    assert.match(message(() => cl.maxPool2d(x, xShape, { kernel: 3, padding: 2 })), /^padding: expected at most half the kernel/);
    assert.match(message(() => cl.maxPool2d(x, xShape, { kernel: 3, padding: 'same' })), /^padding: expected a non-negative integer or \[h, w\]/);
    assert.match(message(() => cl.maxPool2d(x, xShape, { kernel: 3, dilation: 0 })), /^dilation: expected a positive integer/);
    assert.match(message(() => cl.maxPool2d(x, xShape, { kernel: 3, ceilMode: 1 })), /^ceilMode: expected true or false, got 1/);
    assert.match(message(() => cl.avgPool2d(x, xShape, { kernel: 3, countIncludePad: 'no' })), /^countIncludePad: expected true or false/);
    assert.match(message(() => cl.avgPool2d(x, xShape, { kernel: 3, dilation: 2 })), /^dilation: unknown option 'dilation'/);
  });
});

describe('the maxpool2d / avgpool2d layers with the same fields', () => {
  const inputShape = [2, 7, 7];
  const stem = { type: 'maxpool2d', kernel: 3, stride: 2, padding: 1 };
  const x = f32(Array.from({ length: 98 }, (_, i) => Math.sin(1.7 * i + 0.3)));

  test('a ResNet stem pooling layer equals cl.maxPool2d forward and backward', () => {
    for (const [spec, fn, options] of [
      [stem, 'maxPool2d', { kernel: 3, stride: 2, padding: 1 }],
      [{ type: 'maxpool2d', kernel: 2, stride: 2, dilation: 2, ceilMode: true }, 'maxPool2d', { kernel: 2, stride: 2, dilation: 2, ceilMode: true }],
      [{ type: 'avgpool2d', kernel: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true }, 'avgPool2d', { kernel: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true }],
    ]) {
      const net = cl.sequential([spec], { inputShape });
      const expected = cl[fn](x, [1, ...inputShape], options);
      assert.deepEqual(net.outputShape, expected.shape.slice(1), JSON.stringify(spec));
      assertClose(net.forward(x, 1), expected.data, `${JSON.stringify(spec)}: forward`);
      const dy = f32(Array.from(expected.data, (_, i) => Math.cos(0.9 * i)));
      const { gradInput } = net.vjp(x, 1, dy);
      assertClose(gradInput, cl[`${fn}Backward`](x, [1, ...inputShape], dy, options), `${JSON.stringify(spec)}: vjp`);
      net.dispose();
    }
  });

  test('the stem in a network: shape 4x4, input gradient by central differences, training', () => {
    const net = cl.sequential([stem, { type: 'flatten' }, { type: 'dense', out: 3 }], { inputShape, seed: 4 });
    assert.deepEqual(net.layers[0].outputShape, [2, 4, 4]);
    const dy = f32([0.5, -1, 2]);
    // a permutation of multiples of 1/98: every two values differ by 0.01 or more, so a step
    // of 1e-3 keeps every window's winner
    const x = f32(Array.from({ length: 98 }, (_, i) => ((i * 37) % 98) / 98 - 0.5));
    const { gradInput } = net.vjp(x, 1, dy);
    // f(x) = dy . net(x)
    const f = (v) => net.forward(v, 1).reduce((s, y, i) => s + y * dy[i], 0);
    const h = 1e-3;
    for (let i = 0; i < x.length; i++) {
      const p = x.slice(), m = x.slice();
      p[i] += h;
      m[i] -= h;
      const numeric = (f(p) - f(m)) / (2 * h);
      assert.ok(Math.abs(numeric - gradInput[i]) <= 2e-3 * Math.max(1, Math.abs(numeric)), `x[${i}]: ${gradInput[i]} vs numeric ${numeric}`);
    }
    const labels = new Int32Array([2, 0]);
    const batch = f32([...x, ...x.map((v) => -v)]);
    const first = net.trainStep(batch, labels, 2, { lr: 0.1 }).loss;
    let last = first;
    for (let s = 0; s < 20; s++) last = net.trainStep(batch, labels, 2, { lr: 0.1 }).loss;
    assert.ok(last < first, `loss ${first} -> ${last}`);
    net.dispose();
  });

  test('layer fields are checked and named', () => {
    const message = (layers) => {
      try {
        cl.sequential(layers, { inputShape });
      } catch (e) {
        return e.message;
      }
      return '(no error)';
    };
    assert.match(message([{ ...stem, padding: 2 }]), /^layers\[0\]\.padding: expected at most half the kernel/);
    assert.match(message([{ ...stem, padding: 'same' }]), /^layers\[0\]\.padding: expected a non-negative integer/);
    assert.match(message([{ ...stem, ceilMode: 'yes' }]), /^layers\[0\]\.ceilMode: expected true or false/);
    assert.match(message([{ type: 'avgpool2d', kernel: 2, dilation: 2 }]), /^layers\[0\]: unknown field 'dilation'/);
  });
});
