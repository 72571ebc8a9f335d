// errors.test.mjs: every invalid argument of API.md throws an Error whose message names the
// argument, and afterwards the module still computes correctly and malloc holds exactly the
// bytes it held before (no leak on the error path, no aborted instance).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cl, f32 } from './helpers.mjs';

const f = f32([1, 2, 3]);
const h = f32([1, 1]);
const x9 = new Float32Array(9).fill(1);    // (1, 1, 3, 3)
const w4 = new Float32Array(4).fill(1);    // (1, 1, 2, 2)
const x16 = new Float32Array(16).fill(1);  // (1, 1, 4, 4)

// Each case: [what, call, argument name that the message must contain].
const opCases = [
  // 1-D
  ['convolve f as Array', () => cl.convolve([1, 2, 3], h), 'f: expected a Float32Array, got Array'],
  ['convolve h as Float64Array', () => cl.convolve(f, new Float64Array(2)), 'h: expected a Float32Array, got Float64Array'],
  ['convolve f empty', () => cl.convolve(new Float32Array(0), h), 'f:'],
  ['convolve h null', () => cl.convolve(f, null), 'h:'],
  ['convolve unknown mode', () => cl.convolve(f, h, { mode: 'circular' }), 'mode'],
  ['correlate unknown method', () => cl.correlate(f, h, { method: 'winograd' }), 'method'],
  ['correlate 2-D method name', () => cl.correlate(f, h, { method: 'im2col' }), 'method'],
  ['convolve options not an object', () => cl.convolve(f, h, 'full'), 'options'],
  ['toeplitz n = 0', () => cl.toeplitz(h, 0), 'n:'],
  ['toeplitz n = 2.5', () => cl.toeplitz(h, 2.5), 'n:'],
  ['toeplitz n = NaN', () => cl.toeplitz(h, NaN), 'n:'],
  ['toeplitz h as Array', () => cl.toeplitz([1, 2], 3), 'h:'],
  ['fft im of another length', () => cl.fft(f, f32([1, 2])), 'im'],
  ['fft re empty', () => cl.fft(new Float32Array(0), new Float32Array(0)), 're'],
  ['ifft re as string', () => cl.ifft('abc'), 're'],
  ['autoMethod1d n = 0', () => cl.autoMethod1d(0, 3), 'n:'],
  ['autoMethod1d m = -1', () => cl.autoMethod1d(3, -1), 'm:'],
  // 2-D
  ['conv2d x of the wrong length', () => cl.conv2d(new Float32Array(8), [1, 1, 3, 3], w4, [1, 1, 2, 2]), 'x:'],
  ['conv2d x as Array', () => cl.conv2d(Array.from(x9), [1, 1, 3, 3], w4, [1, 1, 2, 2]), 'x: expected a Float32Array, got Array'],
  ['conv2d w as Float64Array', () => cl.conv2d(x9, [1, 1, 3, 3], new Float64Array(4), [1, 1, 2, 2]), 'w:'],
  ['conv2d NaN in xShape', () => cl.conv2d(x9, [1, NaN, 3, 3], w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d xShape with 0', () => cl.conv2d(x9, [0, 1, 3, 3], w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d xShape with -3', () => cl.conv2d(x9, [1, 1, -3, -3], w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d xShape with 2.5', () => cl.conv2d(x9, [1, 1, 2.5, 3], w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d xShape of 3 dims', () => cl.conv2d(x9, [1, 3, 3], w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d xShape as string', () => cl.conv2d(x9, '1,1,3,3', w4, [1, 1, 2, 2]), 'xShape'],
  ['conv2d NaN in wShape', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, NaN, 2]), 'wShape'],
  ['conv2d channel mismatch', () => cl.conv2d(x9, [1, 1, 3, 3], new Float32Array(8), [1, 2, 2, 2]), 'wShape'],
  ['conv2d kernel larger than the padded input', () => cl.conv2d(x9, [1, 1, 3, 3], x16, [1, 1, 4, 4]), 'wShape'],
  ['conv2d stride 0', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { stride: 0 }), 'stride'],
  ['conv2d stride [1]', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { stride: [1] }), 'stride'],
  ['conv2d stride NaN', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { stride: NaN }), 'stride'],
  ['conv2d stride string', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { stride: 'two' }), 'stride'],
  ['conv2d padding -1', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { padding: -1 }), 'padding'],
  ['conv2d padding unknown word', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { padding: 'full' }), 'padding'],
  ["conv2d padding 'same' with stride 2", () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { padding: 'same', stride: 2 }), 'padding'],
  ['conv2d bias of the wrong length', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { bias: f32([1, 2]) }), 'bias'],
  ['conv2d bias as Array', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { bias: [1] }), 'bias'],
  ['conv2d unknown method', () => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], { method: 'toeplitz' }), 'method'],
  ['conv2dBackward gradOut of the wrong length', () => cl.conv2dBackward(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], f32([1, 2, 3])), 'gradOut'],
  ['conv2dBackward gradOut as Array', () => cl.conv2dBackward(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], [1, 2, 3, 4]), 'gradOut'],
  ["conv2dBackward padding 'same' with stride [1, 2]", () => cl.conv2dBackward(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], f32([1]), { padding: 'same', stride: [1, 2] }), 'padding'],
  ['autoMethod2d NaN in xShape', () => cl.autoMethod2d([1, 1, NaN, 3], [1, 1, 2, 2]), 'xShape'],
  ['autoMethod2d kernel larger than input', () => cl.autoMethod2d([1, 1, 3, 3], [1, 1, 4, 4]), 'wShape'],
  ['maxPool2d without kernel', () => cl.maxPool2d(x9, [1, 1, 3, 3]), 'kernel'],
  ['maxPool2d kernel 0', () => cl.maxPool2d(x9, [1, 1, 3, 3], { kernel: 0 }), 'kernel'],
  ['maxPool2d kernel larger than the input', () => cl.maxPool2d(x9, [1, 1, 3, 3], { kernel: 4 }), 'kernel'],
  ['avgPool2d stride 0', () => cl.avgPool2d(x9, [1, 1, 3, 3], { kernel: 2, stride: 0 }), 'stride'],
  ['avgPool2d x of the wrong length', () => cl.avgPool2d(x16, [1, 1, 3, 3], { kernel: 2 }), 'x:'],
  ['avgPool2d NaN in xShape', () => cl.avgPool2d(x9, [1, 1, 3, NaN], { kernel: 2 }), 'xShape'],
  ['maxPool2dBackward gradOut of the wrong length', () => cl.maxPool2dBackward(x16, [1, 1, 4, 4], f32([1, 2, 3]), { kernel: 2 }), 'gradOut'],
  ['avgPool2dBackward gradOut of the wrong length', () => cl.avgPool2dBackward(x16, [1, 1, 4, 4], f32([1]), { kernel: 2 }), 'gradOut'],
  ['avgPool2dBackward x as Array', () => cl.avgPool2dBackward([1, 2, 3, 4], [1, 1, 2, 2], f32([1]), { kernel: 2 }), 'x:'],
  ['activation unknown name', () => cl.activation('softplus', f), 'name'],
  ['activation x as Array', () => cl.activation('relu', [1, 2]), 'x:'],
  // network construction
  ['sequential layers not an array', () => cl.sequential('lenet', { inputShape: [3] }), 'layers'],
  ['sequential no layers', () => cl.sequential([], { inputShape: [3] }), 'layers'],
  ['sequential unknown layer type', () => cl.sequential([{ type: 'dense', out: 2 }, { type: 'sofmax' }], { inputShape: [3] }), 'layers[1].type'],
  ['sequential layer not an object', () => cl.sequential([{ type: 'dense', out: 2 }, 'relu'], { inputShape: [3] }), 'layers[1]'],
  ['sequential without inputShape', () => cl.sequential([{ type: 'dense', out: 2 }]), 'inputShape'],
  ['sequential NaN in inputShape', () => cl.sequential([{ type: 'relu' }], { inputShape: [1, NaN, 3] }), 'inputShape'],
  ['sequential inputShape of 2 dims', () => cl.sequential([{ type: 'relu' }], { inputShape: [4, 4] }), 'inputShape'],
  ['sequential dense out 0', () => cl.sequential([{ type: 'dense', out: 0 }], { inputShape: [3] }), 'layers[0].out'],
  ['sequential dense without out', () => cl.sequential([{ type: 'flatten' }, { type: 'dense' }], { inputShape: [3] }), 'layers[1].out'],
  ['sequential conv2d without kernel', () => cl.sequential([{ type: 'conv2d', out: 2 }], { inputShape: [1, 5, 5] }), 'layers[0].kernel'],
  ['sequential conv2d kernel larger than the padded input', () => cl.sequential([{ type: 'conv2d', out: 2, kernel: 7 }], { inputShape: [1, 5, 5] }), 'layers[0]'],
  ["sequential conv2d padding 'same' with stride 2", () => cl.sequential([{ type: 'conv2d', out: 2, kernel: 3, stride: 2, padding: 'same' }], { inputShape: [1, 5, 5] }), 'layers[0].padding'],
  ['sequential conv2d on a flat input', () => cl.sequential([{ type: 'conv2d', out: 2, kernel: 1 }], { inputShape: [5] }), 'layers[0]'],
  ['sequential pool kernel larger than its input', () => cl.sequential([{ type: 'maxpool2d', kernel: 6 }], { inputShape: [1, 5, 5] }), 'layers[0]'],
  ['sequential negative seed', () => cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: -1 }), 'seed'],
  ['sequential seed NaN', () => cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: NaN }), 'seed'],
];

function assertUsable(what) {
  // The instance still computes (numpy.convolve([1, 2, 3], [1, 1]) == [1, 3, 5, 3]).
  assert.deepEqual(Array.from(cl.convolve(f, h)), [1, 3, 5, 3], `${what}: module broken afterwards`);
}

function assertThrowsNaming(call, argument, what) {
  let thrown = null;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== null, `${what}: did not throw`);
  assert.ok(thrown instanceof Error, `${what}: threw ${thrown} (not an Error)`);
  assert.ok(thrown.message.includes(argument), `${what}: message "${thrown.message}" does not name "${argument}"`);
  const name = argument.split(':')[0];
  assert.ok(thrown.message.length >= name.length + 12, `${what}: message "${thrown.message}" says little of what was expected`);
}

describe('invalid arguments of the ops', () => {
  for (const [what, call, argument] of opCases) {
    test(what, () => {
      const before = cl.memoryStats().mallocBytes;
      assertThrowsNaming(call, argument, what);
      assertUsable(what);
      assert.equal(cl.memoryStats().mallocBytes, before, `${what}: malloc'd bytes changed (leak)`);
    });
  }
});

describe('invalid arguments of a network', () => {
  const layers = [
    { type: 'conv2d', out: 2, kernel: 3, padding: 1 },
    { type: 'relu' },
    { type: 'maxpool2d', kernel: 2 },
    { type: 'flatten' },
    { type: 'dense', out: 4 },
  ];
  const x = new Float32Array(2 * 36).fill(0.5); // batch 2 of (1, 6, 6)
  const labels = Int32Array.from([1, 3]);
  const netCases = [
    ['forward x of the wrong length', (n) => n.forward(new Float32Array(35), 1), 'x:'],
    ['forward x as Array', (n) => n.forward(Array.from(x), 2), 'x: expected a Float32Array, got Array'],
    ['forward batch 0', (n) => n.forward(x, 0), 'batch'],
    ['forward batch 1.5', (n) => n.forward(x, 1.5), 'batch'],
    ['forward batch NaN', (n) => n.forward(x, NaN), 'batch'],
    ['trainStep labels out of range', (n) => n.trainStep(x, Int32Array.from([1, 4]), 2), 'labels'],
    ['trainStep negative label', (n) => n.trainStep(x, Int32Array.from([-1, 0]), 2), 'labels'],
    ['trainStep one label for two examples', (n) => n.trainStep(x, Int32Array.from([1]), 2), 'labels'],
    ['trainStep fractional labels', (n) => n.trainStep(x, f32([1.5, 2]), 2), 'labels'],
    ['trainStep labels as string', (n) => n.trainStep(x, '13', 2), 'labels'],
    ['trainStep unknown loss', (n) => n.trainStep(x, labels, 2, { loss: 'hinge' }), 'loss'],
    ['trainStep unknown optimizer', (n) => n.trainStep(x, labels, 2, { optimizer: 'adagrad' }), 'optimizer'],
    ['trainStep lr NaN', (n) => n.trainStep(x, labels, 2, { lr: NaN }), 'lr'],
    ['trainStep lr Infinity', (n) => n.trainStep(x, labels, 2, { lr: Infinity }), 'lr'],
    ['trainStep lr negative', (n) => n.trainStep(x, labels, 2, { lr: -0.1 }), 'lr'],
    ['trainStep momentum negative', (n) => n.trainStep(x, labels, 2, { momentum: -0.5 }), 'momentum'],
    ['trainStep momentum string', (n) => n.trainStep(x, labels, 2, { momentum: '0.9' }), 'momentum'],
    ['backward unknown loss', (n) => n.backward(x, labels, 2, { loss: 'l1' }), 'loss'],
    ['backward x of the wrong length', (n) => n.backward(new Float32Array(70), labels, 2), 'x:'],
    ['vjp gradOutput of the wrong length', (n) => n.vjp(x, 2, f32([1, 2, 3])), 'gradOutput'],
    ['vjp gradOutput as Array', (n) => n.vjp(x, 2, [1, 2, 3, 4, 5, 6, 7, 8]), 'gradOutput'],
    ['layerOutput index out of range', (n) => n.layerOutput(5), 'index'],
    ['layerOutput index -1', (n) => n.layerOutput(-1), 'index'],
    ['setParameters not an array', (n) => n.setParameters('weights'), 'list'],
    ['setParameters unknown name', (n) => n.setParameters(n.parameters().map((p, i) => (i === 1 ? { ...p, name: '1.bias' } : p))), 'list[1].name'],
    ['setParameters wrong shape', (n) => n.setParameters(n.parameters().map((p, i) => (i === 0 ? { ...p, shape: [2, 1, 3, 2] } : p))), 'list[0].shape'],
    ['setParameters wrong data length', (n) => n.setParameters(n.parameters().map((p, i) => (i === 2 ? { ...p, data: new Float32Array(3) } : p))), 'list[2].data'],
    ['setParameters data as Float64Array', (n) => n.setParameters(n.parameters().map((p, i) => (i === 0 ? { ...p, data: new Float64Array(p.data) } : p))), 'list[0].data'],
    ['setParameters a parameter missing', (n) => n.setParameters(n.parameters().slice(1)), "'0.weight'"],
    ['setParameters a parameter twice', (n) => n.setParameters([...n.parameters(), n.parameters()[0]]), 'list[4].name'],
  ];

  for (const [what, call, argument] of netCases) {
    test(what, () => {
      const net = cl.sequential(layers, { inputShape: [1, 6, 6], seed: 5 });
      const params = net.parameters();
      const reference = net.forward(x, 2);
      const before = cl.memoryStats().mallocBytes;
      assertThrowsNaming(() => call(net), argument, what);
      assert.equal(cl.memoryStats().mallocBytes, before, `${what}: malloc'd bytes changed (leak)`);
      // The network is intact: same parameters (setParameters checks everything before
      // writing anything), same answers, and it still trains.
      assert.deepEqual(net.parameters(), params, `${what}: parameters changed`);
      assert.deepEqual(Array.from(net.forward(x, 2)), Array.from(reference), `${what}: forward changed`);
      assert.ok(Number.isFinite(net.trainStep(x, labels, 2, { lr: 0.1 }).loss));
      net.dispose();
      assertUsable(what);
    });
  }

  // setOptimizerState takes the same list form as setParameters and checks it the same way.
  const state = (n) => n.optimizerState();
  const stateCases = [
    ['setOptimizerState not an array', (n) => n.setOptimizerState({ '0.weight': [] }), 'list: expected an array'],
    ['setOptimizerState null', (n) => n.setOptimizerState(null), 'list: expected an array'],
    ['setOptimizerState an entry that is not an object', (n) => n.setOptimizerState([...state(n).slice(1), 7]), 'list[3]:'],
    ['setOptimizerState unknown name', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 1 ? { ...p, name: '0.weigth' } : p))), "list[1].name: expected one of '0.weight', '0.bias', '4.weight', '4.bias', got '0.weigth'"],
    ['setOptimizerState a name twice', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 3 ? state(n)[2] : p))), "list[3].name: '4.weight' appears twice"],
    ['setOptimizerState wrong shape', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 2 ? { ...p, shape: [18, 4] } : p))), "list[2].shape: expected [4, 18] for '4.weight', got [18, 4]"],
    ['setOptimizerState wrong data length', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 3 ? { ...p, data: new Float32Array(5) } : p))), 'list[3].data: expected 4 elements'],
    ['setOptimizerState data of plain arrays, too short', (n) => n.setOptimizerState(state(n).map((p, i) => ({ ...p, data: Array.from(p.data).slice(i === 0 ? 1 : 0) }))), 'list[0].data: expected 18 elements'],
    ['setOptimizerState data as Float64Array', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 0 ? { ...p, data: new Float64Array(p.data) } : p))), 'list[0].data: expected a Float32Array'],
    ['setOptimizerState data with a string in it', (n) => n.setOptimizerState(state(n).map((p, i) => (i === 1 ? { ...p, data: ['0.1', 0.2] } : p))), 'list[1].data'],
    ['setOptimizerState a parameter missing', (n) => n.setOptimizerState(state(n).slice(0, 3)), "list: missing parameter '4.bias'"],
  ];

  for (const [what, call, argument] of stateCases) {
    test(what, () => {
      const net = cl.sequential(layers, { inputShape: [1, 6, 6], seed: 5 });
      net.trainStep(x, labels, 2, { lr: 0.1, momentum: 0.9 });
      const params = net.parameters();
      const buffers = net.optimizerState();
      assert.equal(buffers.length, 4);
      const before = cl.memoryStats().mallocBytes;
      assertThrowsNaming(() => call(net), argument, what);
      assert.equal(cl.memoryStats().mallocBytes, before, `${what}: malloc'd bytes changed (leak)`);
      // Nothing was written: the same buffers and parameters, and the next step uses them
      // exactly as a twin network that saw no error.
      assert.deepEqual(net.optimizerState(), buffers, `${what}: optimizer state changed`);
      assert.deepEqual(net.parameters(), params, `${what}: parameters changed`);
      const twin = cl.sequential(layers, { inputShape: [1, 6, 6], seed: 9 });
      twin.setParameters(params);
      twin.setOptimizerState(buffers);
      const opts = { lr: 0.1, momentum: 0.9 };
      assert.equal(net.trainStep(x, labels, 2, opts).loss, twin.trainStep(x, labels, 2, opts).loss);
      assert.deepEqual(net.parameters(), twin.parameters(), `${what}: the next step differs`);
      for (const n of [net, twin]) n.dispose();
      assertUsable(what);
    });
  }

  test('a failed sequential() leaks nothing', () => {
    const before = cl.memoryStats().mallocBytes;
    for (let i = 0; i < 50; i++) {
      assert.throws(() => cl.sequential([{ type: 'conv2d', out: 3, kernel: 9 }], { inputShape: [1, 5, 5] }), /layers\[0\]/);
    }
    assert.equal(cl.memoryStats().mallocBytes, before);
  });
});

describe('error kinds', () => {
  test('type errors are TypeErrors, value errors RangeErrors', () => {
    assert.throws(() => cl.convolve([1], h), TypeError);
    assert.throws(() => cl.convolve(f, h, { mode: 'nope' }), RangeError);
    assert.throws(() => cl.conv2d(x9, [1, 1, 3, 3], x16, [1, 1, 4, 4]), RangeError);
  });
});

describe('garbage arguments', () => {
  // Every entry point called with arguments drawn from a pool of wrong and right values:
  // each call either returns or throws an Error; the module keeps working and leaks nothing.
  const pool = [
    undefined, null, NaN, -1, 0, 1, 2, 3, 1.5, 2 ** 31, Infinity, 'x', 'same', 'valid', 'full',
    'auto', 'direct', 'fft', {}, [], [1], [1, 2], [NaN, 1], [1, 1, 3, 3], [1, 1, 2, 2], [1, 1, 0, 3],
    [1, 1, 3, 3.5], new Float32Array(0), f32([1, 2, 3]), new Float32Array(9), new Float32Array(4),
    new Int32Array(3), new Float64Array(9), true, { kernel: 2 }, { stride: 0 }, { padding: 'same', stride: 2 },
    { mode: 'same', method: 'fft' }, { kernel: [2, 2], stride: [1, NaN] }, { bias: f32([1]) },
  ];
  let seed = 12345;
  const pick = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return pool[seed % pool.length];
  };
  const entryPoints = [
    ['convolve', 3], ['correlate', 3], ['toeplitz', 2], ['fft', 2], ['ifft', 2], ['autoMethod1d', 2],
    ['conv2d', 5], ['conv2dBackward', 6], ['autoMethod2d', 3], ['maxPool2d', 3], ['avgPool2d', 3],
    ['maxPool2dBackward', 4], ['avgPool2dBackward', 4], ['activation', 2], ['sequential', 2],
  ];

  test('2,000 random calls', () => {
    const before = cl.memoryStats().mallocBytes;
    let threw = 0;
    for (let i = 0; i < 2000; i++) {
      const [name, arity] = entryPoints[i % entryPoints.length];
      const args = Array.from({ length: arity }, pick);
      try {
        const r = cl[name](...args);
        if (name === 'sequential') r.dispose();
      } catch (e) {
        threw++;
        assert.ok(e instanceof Error, `${name}(${args.map(String).join(', ')}) threw a non-Error: ${e}`);
        assert.ok(e.message.length > 5, `${name}: empty message`);
      }
    }
    assert.ok(threw > 1000, `only ${threw} of 2000 garbage calls threw`);
    assertUsable('garbage');
    assert.equal(cl.memoryStats().mallocBytes, before);
  });

  test('1,000 random calls on a network', () => {
    const net = cl.sequential([{ type: 'dense', out: 3 }], { inputShape: [3], seed: 1 });
    const params = net.parameters();
    const reference = net.forward(f32([1, 2, 3]), 1);
    const before = cl.memoryStats().mallocBytes;
    const methods = [['forward', 2], ['backward', 4], ['trainStep', 4], ['vjp', 3], ['layerOutput', 1], ['setParameters', 1],
      ['optimizerState', 0], ['setOptimizerState', 1]];
    for (let i = 0; i < 1000; i++) {
      const [name, arity] = methods[i % methods.length];
      const args = Array.from({ length: arity }, pick);
      try {
        net[name](...args);
      } catch (e) {
        assert.ok(e instanceof Error, `net.${name}(${args.map(String).join(', ')}) threw a non-Error: ${e}`);
      }
    }
    assert.equal(cl.memoryStats().mallocBytes, before);
    // Garbage may have trained it (e.g. trainStep(x, labels) with valid values); put it back.
    net.setParameters(params);
    assert.deepEqual(Array.from(net.forward(f32([1, 2, 3]), 1)), Array.from(reference));
    net.dispose();
    assertUsable('garbage on a network');
  });
});
