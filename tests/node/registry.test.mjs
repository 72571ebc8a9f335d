// registry.test.mjs: the names and options the core registers reach JavaScript and the
// .d.ts without being written there, and every public function and layer kind, walked from
// the registry, refuses an unknown option or field by name with the nearest known one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { load } from 'convlab';

import { REGISTRY_DTS, REGISTRY_NAMES, registryDts, registryNames } from '../../web/bindings/registry-dts.mjs';
import { CHOICES } from '../../web/src/train/settings.js';
import { cl, f32 } from './helpers.mjs';

const r = cl.registry;

describe('cl.registry', () => {
  test('is frozen plain data naming what the API accepts', () => {
    assert.ok(Object.isFrozen(r) && Object.isFrozen(r.layers) && Object.isFrozen(r.layers[0].fields));
    assert.deepEqual(r.losses, ['softmax-cross-entropy', 'mse']);
    assert.deepEqual(r.activations, ['relu', 'sigmoid', 'tanh']);
    assert.deepEqual(r.optimizers, ['sgd', 'adam', 'adamw', 'rmsprop']);
    assert.deepEqual(r.modes, ['full', 'same', 'valid']);
    assert.deepEqual(r.paddings, ['same', 'valid']);
    assert.deepEqual(cl.methods, r.methods);
    assert.deepEqual(r.layers.map((l) => l.type), ['conv2d', 'relu', 'sigmoid', 'tanh', 'maxpool2d', 'avgpool2d', 'flatten', 'dense',
      'batchnorm2d', 'batchnorm1d', 'dropout', 'globalavgpool2d', 'leakyrelu', 'softmax', 'residual', 'convtranspose2d']);
    const conv = r.layers.find((l) => l.type === 'conv2d');
    assert.deepEqual(conv.fields.find((f) => f.name === 'kernel'), { name: 'kernel', type: 'int-or-pair', default: 'required' });
    assert.deepEqual(conv.fields.find((f) => f.name === 'dilation'), { name: 'dilation', type: 'int-or-pair', default: '1' });
    assert.deepEqual(conv.fields.find((f) => f.name === 'groups'), { name: 'groups', type: 'positive-int', default: '1' });
  });

  test('every registered name is accepted where it is used', () => {
    for (const loss of r.losses) {
      const net = cl.sequential([{ type: 'dense', out: 3 }], { inputShape: [2], seed: 1 });
      assert.ok(Number.isFinite(net.trainStep(f32([1, 2]), Int32Array.of(1), 1, { loss, optimizer: r.optimizers[0] }).loss));
      net.dispose();
    }
    for (const name of r.activations) assert.equal(cl.activation(name, f32([0])).length, 1);
    for (const mode of r.modes) for (const method of [...r.methods.conv1d, 'auto']) cl.convolve(f32([1, 2, 3]), f32([1, 1]), { mode, method });
    for (const padding of r.paddings) cl.conv2d(new Float32Array(9), [1, 1, 3, 3], new Float32Array(1), [1, 1, 1, 1], { padding });
  });
});

describe('registry-names.js and the training page', () => {
  test('is generated from the registry and up to date (node web/bindings/registry-dts.mjs)', () => {
    assert.equal(readFileSync(REGISTRY_NAMES, 'utf8'), registryNames(r));
  });

  test("the training page offers exactly the core's losses and activations", () => {
    assert.deepEqual([...CHOICES.loss], [...r.losses]);
    assert.deepEqual([...CHOICES.activation], [...r.activations]);
  });

  test('a new loss or activation reaches the generated names without being written there', () => {
    const grown = structuredClone(r);
    grown.losses.push('hinge');
    grown.activations.push('leakyrelu');
    const js = registryNames(grown);
    assert.match(js, /export const LOSSES = Object\.freeze\(\["softmax-cross-entropy","mse","hinge"\]\);/);
    assert.match(js, /export const ACTIVATIONS = Object\.freeze\(\[.*"leakyrelu"\]\);/);
  });
});

describe('registry.d.ts', () => {
  test('is generated from the registry and up to date (node web/bindings/registry-dts.mjs)', () => {
    assert.equal(readFileSync(REGISTRY_DTS, 'utf8'), registryDts(r));
  });

  test('a new layer kind, field, loss or method appears in the .d.ts without being written there', () => {
    const grown = structuredClone(r);
    grown.layers.push({ type: 'batchnorm2d', fields: [{ name: 'eps', type: 'number', default: '1e-5' }] });
    grown.losses.push('hinge');
    grown.optimizers.push('adagrad');
    grown.methods.conv2d.push('winograd');
    grown.options['Network.trainStep'].push({ name: 'lrDecay', type: 'number', default: '0' });
    const dts = registryDts(grown);
    assert.match(dts, /\| \{ type: 'batchnorm2d'; eps\?: number; \}/);
    assert.match(dts, /export type LayerType = .*'batchnorm2d'/);
    assert.match(dts, /export type Loss = 'softmax-cross-entropy' \| 'mse' \| 'hinge';/);
    assert.match(dts, /export type OptimizerName = 'sgd' \| 'adam' \| 'adamw' \| 'rmsprop' \| 'adagrad';/);
    assert.match(dts, /export type Method2d = .*'winograd'/);
    assert.match(dts, /NetworkTrainStepOptions \{.*lrDecay\?: number;/);
    // And the one in the repository names every layer kind and loss of the live registry.
    const committed = readFileSync(REGISTRY_DTS, 'utf8');
    for (const l of r.layers) assert.match(committed, new RegExp(`type: '${l.type}'`));
    for (const l of r.losses) assert.ok(committed.includes(`'${l}'`));
  });
});

// A valid call of every public function that takes options, given its options object.
const x9 = new Float32Array(9).fill(1);
const w4 = new Float32Array(4).fill(1);
const calls = {
  convolve: (o) => cl.convolve(f32([1, 2, 3]), f32([1, 1]), o),
  correlate: (o) => cl.correlate(f32([1, 2, 3]), f32([1, 1]), o),
  conv2d: (o) => cl.conv2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], o),
  conv2dBackward: (o) => cl.conv2dBackward(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], f32([1, 1, 1, 1]), o),
  autoMethod2d: (o) => cl.autoMethod2d([1, 1, 3, 3], [1, 1, 2, 2], o),
  convTranspose2d: (o) => cl.convTranspose2d(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], o),
  convTranspose2dBackward: (o) => cl.convTranspose2dBackward(x9, [1, 1, 3, 3], w4, [1, 1, 2, 2], new Float32Array(16), o),
  maxPool2d: (o) => cl.maxPool2d(x9, [1, 1, 3, 3], { kernel: 2, ...o }),
  maxPool2dBackward: (o) => cl.maxPool2dBackward(x9, [1, 1, 3, 3], f32([1]), { kernel: 2, ...o }),
  avgPool2d: (o) => cl.avgPool2d(x9, [1, 1, 3, 3], { kernel: 2, ...o }),
  avgPool2dBackward: (o) => cl.avgPool2dBackward(x9, [1, 1, 3, 3], f32([1]), { kernel: 2, ...o }),
  sequential: (o) => cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], ...o }).dispose(),
  'Network.backward': (o) => withNet((n) => n.backward(f32([1, 2, 3]), Int32Array.of(1), 1, o)),
  'Network.evaluate': (o) => withNet((n) => n.evaluate(f32([1, 2, 3]), Int32Array.of(1), 1, o)),
  'Network.trainStep': (o) => withNet((n) => n.trainStep(f32([1, 2, 3]), Int32Array.of(1), 1, o)),
};
function withNet(fn) {
  const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3], seed: 1 });
  try {
    return fn(net);
  } finally {
    net.dispose();
  }
}

function throwsMessage(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error);
    return e.message;
  }
  return '(no error)';
}

describe('unknown options are refused everywhere', () => {
  test('the test knows a call for every function the registry lists', () => {
    assert.deepEqual(Object.keys(r.options).sort(), Object.keys(calls).sort());
  });

  for (const [fn, options] of Object.entries(r.options)) {
    test(`${fn}: an unknown option is refused, a misspelt one with the nearest name`, () => {
      calls[fn]({}); // the base call is valid (and fills any workspace an op keeps)
      const before = cl.memoryStats().mallocBytes;
      assert.equal(throwsMessage(() => calls[fn]({ zzqqxx: 1 })).startsWith("zzqqxx: unknown option 'zzqqxx'"), true);
      for (const o of options) {
        // One edit away: a doubled last letter.
        const typo = o.name + o.name.at(-1);
        assert.equal(throwsMessage(() => calls[fn]({ [typo]: 1 })), `${typo}: unknown option '${typo}'; did you mean '${o.name}'?`);
        if (o.type === 'unsupported') assert.match(throwsMessage(() => calls[fn]({ [o.name]: 2 })), new RegExp(`^${o.name}: not supported`));
      }
      assert.equal(cl.memoryStats().mallocBytes, before);
    });
  }

  for (const kind of r.layers) {
    test(`layer '${kind.type}': an unknown field is refused, a misspelt one with the nearest name`, () => {
      const spec = { type: kind.type };
      for (const f of kind.fields) if (f.default === 'required') spec[f.name] = f.type === 'layers' ? [{ type: 'relu' }] : 2;
      const inputShape = kind.type === 'dense' || kind.type === 'batchnorm1d' ? [6] : [2, 6, 6];
      cl.sequential([spec], { inputShape }).dispose();
      const message = throwsMessage(() => cl.sequential([{ type: 'relu' }, { ...spec, zzqqxx: 1 }], { inputShape }));
      assert.ok(message.startsWith("layers[1]: unknown field 'zzqqxx'"), message);
      for (const f of kind.fields) {
        const typo = f.name + f.name.at(-1);
        assert.equal(throwsMessage(() => cl.sequential([{ ...spec, [typo]: 1 }], { inputShape })), `layers[0]: unknown field '${typo}'; did you mean '${f.name}'?`);
        if (f.type === 'unsupported') assert.match(throwsMessage(() => cl.sequential([{ ...spec, [f.name]: 2 }], { inputShape })), new RegExp(`^layers\\[0\\]\\.${f.name}: not supported`));
      }
    });
  }

  test("the issue's cases: dilation on conv2d honoured and checked, padding on pooling honoured, a dense layer's foo", () => {
    const x64 = new Float32Array(64);
    assert.deepEqual(cl.conv2d(x64, [1, 1, 8, 8], new Float32Array(9), [1, 1, 3, 3], { stride: 2, padding: 1, dilation: 2 }).shape, [1, 1, 3, 3]);
    assert.match(throwsMessage(() => cl.conv2d(x64, [1, 1, 8, 8], new Float32Array(9), [1, 1, 3, 3], { dilation: -1 })), /^dilation: expected a positive integer or \[h, w\]/);
    assert.equal(throwsMessage(() => cl.conv2d(x64, [1, 1, 8, 8], new Float32Array(9), [1, 1, 3, 3], { dilatation: 2 })), "dilatation: unknown option 'dilatation'; did you mean 'dilation'?");
    assert.deepEqual(cl.maxPool2d(new Float32Array(49), [1, 1, 7, 7], { kernel: 3, stride: 2, padding: 1 }).shape, [1, 1, 4, 4]);
    assert.deepEqual(cl.maxPool2d(new Float32Array(36), [1, 1, 6, 6], { kernel: 3, stride: 2, ceilMode: true }).shape, [1, 1, 3, 3]);
    assert.match(throwsMessage(() => cl.avgPool2d(new Float32Array(49), [1, 1, 7, 7], { kernel: 3, dilation: 2 })), /^dilation: unknown option 'dilation'/);
    assert.match(throwsMessage(() => cl.sequential([{ type: 'dense', out: 2, foo: 1 }], { inputShape: [3] })), /^layers\[0\]: unknown field 'foo'/);
    assert.equal(throwsMessage(() => cl.sequential([{ type: 'conv2d', out: 2, kernal: 3 }], { inputShape: [1, 5, 5] })), "layers[0]: unknown field 'kernal'; did you mean 'kernel'?");
  });

  test('load() refuses an unknown option', async () => {
    await assert.rejects(load({ wasmUrll: 'x' }), /^RangeError: options: unknown option 'wasmUrll'; did you mean 'wasmUrl'\?/);
  });
});
