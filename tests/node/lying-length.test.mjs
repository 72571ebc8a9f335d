// lying-length.test.mjs: a typed array whose own `length` property lies (longer or shorter
// than its buffer holds) is read through its real length on every public function and
// Network method that takes arrays: where the shape fixes the length, the call throws an
// Error naming the argument; where it does not, the result is the one for the real array.
// Afterwards the module computes correctly and malloc holds what it held before.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cl, f32 } from './helpers.mjs';

// `real` elements (filled with 1, 2, ...) claiming to have `claimed`.
function liar(real, claimed, Type = Float32Array) {
  const a = Type.from({ length: real }, (_, i) => (Type === Int32Array ? i % 2 : i + 1));
  Object.defineProperty(a, 'length', { value: claimed });
  return a;
}

function assertUsable(what) {
  assert.deepEqual(Array.from(cl.convolve(f32([1, 2, 3]), f32([1, 1]))), [1, 3, 5, 3], `${what}: module broken afterwards`);
}

function assertNamedError(fn, argument, what) {
  let thrown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `${what}: did not throw an Error`);
  assert.ok(thrown.message.startsWith(`${argument}:`), `${what}: message "${thrown.message}" does not start with ${argument}:`);
  assert.ok(thrown.message.length > argument.length + 12, `${what}: message "${thrown.message}" says little`);
}

// Calls whose length the shape fixes: [name, argument, (lying array of n claiming m) => call].
// Each is run with the array really shorter (1 element claiming the right count) and really
// longer (twice the right count claiming the right count).
const shapeBound = [
  ['conv2d x', 'x', 9, (a) => cl.conv2d(a, [1, 1, 3, 3], f32([1, 1, 1, 1]), [1, 1, 2, 2])],
  ['conv2d w', 'w', 4, (a) => cl.conv2d(new Float32Array(9), [1, 1, 3, 3], a, [1, 1, 2, 2])],
  ['conv2d bias', 'bias', 2, (a) => cl.conv2d(new Float32Array(9), [1, 1, 3, 3], new Float32Array(8), [2, 1, 2, 2], { bias: a })],
  ['conv2dBackward x', 'x', 9, (a) => cl.conv2dBackward(a, [1, 1, 3, 3], f32([1, 1, 1, 1]), [1, 1, 2, 2], new Float32Array(4))],
  ['conv2dBackward w', 'w', 4, (a) => cl.conv2dBackward(new Float32Array(9), [1, 1, 3, 3], a, [1, 1, 2, 2], new Float32Array(4))],
  ['conv2dBackward gradOut', 'gradOut', 4, (a) => cl.conv2dBackward(new Float32Array(9), [1, 1, 3, 3], f32([1, 1, 1, 1]), [1, 1, 2, 2], a)],
  ['maxPool2d x', 'x', 16, (a) => cl.maxPool2d(a, [1, 1, 4, 4], { kernel: 2 })],
  ['avgPool2d x', 'x', 16, (a) => cl.avgPool2d(a, [1, 1, 4, 4], { kernel: 2 })],
  ['maxPool2dBackward x', 'x', 16, (a) => cl.maxPool2dBackward(a, [1, 1, 4, 4], new Float32Array(4), { kernel: 2 })],
  ['maxPool2dBackward gradOut', 'gradOut', 4, (a) => cl.maxPool2dBackward(new Float32Array(16), [1, 1, 4, 4], a, { kernel: 2 })],
  ['avgPool2dBackward x', 'x', 16, (a) => cl.avgPool2dBackward(a, [1, 1, 4, 4], new Float32Array(4), { kernel: 2 })],
  ['avgPool2dBackward gradOut', 'gradOut', 4, (a) => cl.avgPool2dBackward(new Float32Array(16), [1, 1, 4, 4], a, { kernel: 2 })],
  ['fft im', 'im', 4, (a) => cl.fft(f32([1, 2, 3, 4]), a)],
  ['ifft im', 'im', 4, (a) => cl.ifft(f32([1, 2, 3, 4]), a)],
];

// Network methods: the network is dense 3 -> 2 on inputShape [3], batch 2.
const netBound = [
  ['forward x', 'x', 6, (n, a) => n.forward(a, 2)],
  ['backward x', 'x', 6, (n, a) => n.backward(a, Int32Array.of(0, 1), 2)],
  ['trainStep x', 'x', 6, (n, a) => n.trainStep(a, Int32Array.of(0, 1), 2, { lr: 0.1 })],
  ['evaluate x', 'x', 6, (n, a) => n.evaluate(a, Int32Array.of(0, 1), 2)],
  ['vjp x', 'x', 6, (n, a) => n.vjp(a, 2, new Float32Array(4))],
  ['vjp gradOutput', 'gradOutput', 4, (n, a) => n.vjp(new Float32Array(6), 2, a)],
  ['setParameters data', 'list[0].data', 6, (n, a) => n.setParameters(n.parameters().map((p, i) => (i === 0 ? { ...p, data: a } : p)))],
  ['setOptimizerState data', 'list[1].data', 2, (n, a) => n.setOptimizerState(n.parameters().map((p, i) => (i === 1 ? { ...p, data: a } : p)))],
];
const labelBound = [
  ['backward labels', (n, l) => n.backward(new Float32Array(6), l, 2)],
  ['trainStep labels', (n, l) => n.trainStep(new Float32Array(6), l, 2)],
  ['evaluate labels', (n, l) => n.evaluate(new Float32Array(6), l, 2)],
];

describe('lying lengths where the shape fixes the length', () => {
  for (const [what, argument, n, call] of shapeBound) {
    for (const [how, real] of [['shorter', 1], ['longer', 2 * n]]) {
      test(`${what}: really ${how} than it claims`, () => {
        call(f32(Array.from({ length: n }, () => 1))); // fills any workspace the op keeps
        const before = cl.memoryStats().mallocBytes;
        assertNamedError(() => call(liar(real, n)), argument, what);
        assert.equal(cl.memoryStats().mallocBytes, before, `${what}: leak`);
        assertUsable(what);
      });
    }
  }

  for (const [what, argument, n, call] of netBound) {
    for (const [how, real] of [['shorter', 1], ['longer', 2 * n]]) {
      test(`Network ${what}: really ${how} than it claims`, () => {
        const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: 1 });
        net.trainStep(new Float32Array(6).fill(0.5), Int32Array.of(0, 1), 2, { lr: 0.1, momentum: 0.9 });
        const params = net.parameters();
        const reference = net.forward(f32([1, 2, 3, 4, 5, 6]), 2);
        const before = cl.memoryStats().mallocBytes;
        assertNamedError(() => call(net, liar(real, n)), argument, what);
        assert.equal(cl.memoryStats().mallocBytes, before, `${what}: leak`);
        assert.deepEqual(net.parameters(), params, `${what}: parameters changed`);
        assert.deepEqual(net.forward(f32([1, 2, 3, 4, 5, 6]), 2), reference);
        net.dispose();
        assertUsable(what);
      });
    }
  }

  for (const [what, call] of labelBound) {
    for (const [how, real] of [['shorter', 1], ['longer', 4]]) {
      test(`Network ${what}: really ${how} than it claims`, () => {
        const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: 1 });
        assertNamedError(() => call(net, liar(real, 2, Int32Array)), 'labels', what);
        net.dispose();
        assertUsable(what);
      });
    }
  }
});

describe('lying lengths where any length is valid: the real array is used', () => {
  const cases = [
    ['convolve f', (a) => cl.convolve(a, f32([1, 1]))],
    ['convolve h', (a) => cl.convolve(f32([1, 2, 3]), a)],
    ['correlate f', (a) => cl.correlate(a, f32([1, -1]), { mode: 'same' })],
    ['correlate h', (a) => cl.correlate(f32([1, 2, 3, 4]), a)],
    ['toeplitz h', (a) => cl.toeplitz(a, 3).data],
    ['fft re', (a) => cl.fft(a).re],
    ['ifft re', (a) => cl.ifft(a).im],
    ['activation x', (a) => cl.activation('tanh', a)],
    ['forward x without batch', (a) => { const net = cl.sequential([{ type: 'relu' }], { inputShape: [1] }); try { return net.forward(a); } finally { net.dispose(); } }],
  ];
  for (const [what, call] of cases) {
    for (const [how, real, claimed] of [['claims more', 2, 16], ['claims less', 5, 1]]) {
      test(`${what}: ${how} than it has`, () => {
        const honest = call(liar(real, real));
        const before = cl.memoryStats().mallocBytes;
        let got;
        try {
          got = call(liar(real, claimed));
        } catch (e) {
          assert.fail(`${what}: threw ${e.message}`);
        }
        assert.deepEqual(Array.from(got), Array.from(honest), `${what}: did not compute on the real array`);
        assert.equal(cl.memoryStats().mallocBytes, before);
      });
    }
  }

  test("convolve with a lying h never throws an Error that is just 'vector'", () => {
    for (const claimed of [0, 1, 2 ** 31, -1]) {
      try {
        cl.convolve(f32([1, 2, 3]), liar(2, claimed));
      } catch (e) {
        assert.notEqual(e.message, 'vector');
        assert.match(e.message, /^h: /);
      }
    }
    assertUsable('convolve');
  });
});
