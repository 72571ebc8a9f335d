// The network designer's plain-data parts on the WebAssembly build: a design's link encoding
// round trip and its refusals, the training settings of a custom design and of the
// optimisers (old settings still load), the optimiser options reaching trainStep, the edits,
// and the table's figures against the notes' formulas written out here (PyTorch's output
// size, K x C x R x S + K parameters, output elements x C x R x S multiply-adds).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cl } from './helpers.mjs';
import { analyse, errorPath, useCore } from '../../web/src/designer/analyse.js';
import { addLayer, checkDesignData, defaultOf, moveLayer, newLayer, parseFieldText, removeLayer, setField } from '../../web/src/designer/model.js';
import { PRESETS, availablePresets, presetOf } from '../../web/src/designer/presets.js';
import { MAX_ENCODED, decodeDesign, designTextOfHash, encodeDesign, hashWithDesign } from '../../web/src/designer/url.js';
import { parameterShapes } from '../../web/src/train/architectures.js';
import { createNetwork, trainBatch } from '../../web/src/train/engine.js';
import { DEFAULTS, checkSettings, optimizerOptions } from '../../web/src/train/settings.js';

useCore(cl);
const kinds = cl.registry.layers.map((l) => l.type);
const small = [
  { type: 'conv2d', out: 4, kernel: 5, stride: 2, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dense', out: 10 },
];

describe('design links', () => {
  test('every preset, and a nested block, survives encode -> decode exactly; the text is base64url', () => {
    const designs = [...PRESETS.map((p) => p.layers()), small, [{ type: 'residual', layers: [{ type: 'conv2d', out: 2, kernel: [3, 1], padding: 'same' }] }]];
    for (const d of designs) {
      const text = encodeDesign(d);
      assert.match(text, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(decodeDesign(text), d);
      assert.deepEqual(decodeDesign(designTextOfHash(hashWithDesign('#x=1', d))), d);
    }
    assert.equal(hashWithDesign('#design=abc&x=1', null), '#x=1');
    assert.ok(encodeDesign(PRESETS[0].layers()).length < 600, 'a LeNet-5 link stays short');
  });

  test('a hostile link is refused naming what is wrong', () => {
    const b64 = (s) => Buffer.from(s).toString('base64url');
    const cases = [
      ['', /empty/],
      ['a+b/', /not base64url/],
      [b64('{not json'), /not JSON/],
      [Buffer.from([0xff, 0xfe]).toString('base64url'), /not UTF-8/],
      [b64('{"type":"relu"}'), /design: expected a list of layers/],
      [b64('[]'), /design: no layers/],
      [b64('[{"kind":"relu"}]'), /design\[0\]\.type/],
      [b64('[{"type":"conv2d","out":1e999}]'), /design\[0\]\.out: expected a finite number/],
      [b64('[{"type":"conv2d","out":{"a":1}}]'), /design\[0\]\.out/],
      [b64(JSON.stringify(Array(65).fill({ type: 'relu' }))), /65 layers, more than 64/],
      [b64(JSON.stringify([{ type: 'r', layers: [{ type: 'r', layers: [{ type: 'r', layers: [{ type: 'r', layers: [{ type: 'r', layers: [{ type: 'relu' }] }] }] }] }] }])), /nested more than 4/],
      ['A'.repeat(MAX_ENCODED + 1), /more than/],
    ];
    for (const [text, re] of cases) assert.throws(() => decodeDesign(text), re, text.slice(0, 40));
  });
});

describe('settings of a design and of the optimisers', () => {
  test("arch 'custom' needs a design, a fixed arch refuses one, and the core's refusal names the layer", () => {
    assert.throws(() => checkSettings({ arch: 'custom' }), /design: missing/);
    assert.throws(() => checkSettings({ arch: 'lenet5', design: small }), /design: only used with arch 'custom'/);
    assert.throws(() => checkSettings({ arch: 'resnet' }), /arch: expected one of lenet5, mlp, custom/);
    assert.throws(() => checkSettings({ arch: 'custom', design: [small[0], { type: 'dense', out: 10 }] }, { field: 'settings' }), /^Error: settings\.design: layers\[1\]/);
    assert.throws(() => checkSettings({ arch: 'custom', design: [{ type: 'conv2d', out: 4, kernel: 29 }] }), /design: layers\[0\]\.kernel/);
    assert.throws(() => checkSettings({ arch: 'custom', design: [{ type: 'conv2d', out: 4, kernal: 3 }] }), /layers\[0\]: unknown field 'kernal'/);
    assert.deepEqual(checkSettings({ arch: 'custom', design: small }).design, small);
  });

  test('a run saved before the designer (no design, optimizer, weightDecay, nesterov, betas) still loads complete', () => {
    const old = { ...DEFAULTS };
    for (const k of ['design', 'optimizer', 'weightDecay', 'nesterov', 'betas']) delete old[k];
    const s = checkSettings(old, { complete: true });
    assert.equal(s.optimizer, 'sgd');
    assert.equal(s.weightDecay, 0);
    assert.equal(s.design, null);
    const partial = { ...old };
    delete partial.epochs;
    assert.throws(() => checkSettings(partial, { complete: true, field: 'settings' }), /settings\.epochs: missing/);
    assert.throws(() => checkSettings({ ...old, optimiser: 'sgd' }), /optimiser: unknown setting/);
  });

  test("an option of another optimiser set away from its default is refused by name; the options sent are the optimiser's", () => {
    assert.throws(() => checkSettings({ betas: [0.8, 0.999] }), /betas: not an option of sgd/);
    assert.throws(() => checkSettings({ betas: [0.8] }), /betas: expected \[b1, b2\]/);
    assert.throws(() => checkSettings({ weightDecay: -1 }), /weightDecay: expected a number in \[0, 1\]/);
    assert.throws(() => checkSettings({ optimizer: 'lbfgs' }), /optimizer: expected one of/);
    assert.deepEqual(optimizerOptions(checkSettings({})), { optimizer: 'sgd', momentum: 0.9 });
    assert.deepEqual(optimizerOptions(checkSettings({ weightDecay: 0.01, nesterov: true })), { optimizer: 'sgd', momentum: 0.9, weightDecay: 0.01, nesterov: true });
    // Adam, AdamW and RMSprop, as settings.js maps them (whether the core has them or not).
    assert.deepEqual(optimizerOptions({ ...DEFAULTS, optimizer: 'adam', momentum: 0, betas: [0.8, 0.9] }), { optimizer: 'adam', betas: [0.8, 0.9] });
    assert.deepEqual(optimizerOptions({ ...DEFAULTS, optimizer: 'rmsprop', momentum: 0.5, weightDecay: 0.1 }), { optimizer: 'rmsprop', momentum: 0.5, weightDecay: 0.1 });
  });

  test('the run\'s optimiser options reach trainStep; the core refuses one it lacks, naming it', () => {
    const calls = [];
    const fake = { sequential: () => ({ trainStep: (...args) => { calls.push(args); return { loss: 1, accuracy: 0 }; } }) };
    const net = createNetwork(fake, checkSettings({ weightDecay: 0.001, nesterov: true }), 28);
    trainBatch(net, 'x', 'labels', 3, { loss: 'mse', lr: 0.1, momentum: 0.9 });
    assert.deepEqual(calls[0], ['x', 'labels', 3, { loss: 'mse', lr: 0.1, optimizer: 'sgd', momentum: 0.9, weightDecay: 0.001, nesterov: true }]);
    const real = createNetwork(cl, checkSettings({ arch: 'custom', design: small, weightDecay: 0.001 }), 28);
    const known = cl.registry.options['Network.trainStep'].map((o) => o.name);
    const step = () => trainBatch(real, new Float32Array(784), [3], 1, { loss: 'mse', lr: 0.1, momentum: 0.9 });
    if (known.includes('weightDecay')) assert.ok(Number.isFinite(step().loss));
    else assert.throws(step, /weightDecay/);
    real.dispose();
  });

  test("a custom design's parameter shapes are the core's", () => {
    const settings = checkSettings({ arch: 'custom', design: small });
    assert.deepEqual(parameterShapes(settings), [
      { name: '0.weight', shape: [4, 1, 5, 5] }, { name: '0.bias', shape: [4] },
      { name: '4.weight', shape: [10, 4 * 6 * 6] }, { name: '4.bias', shape: [10] },
    ]);
  });
});

describe('edits and the table', () => {
  test('add, move, remove and set a field give the expected lists; defaults are read from the registry', () => {
    let d = addLayer([], cl.registry, 'conv2d');
    assert.deepEqual(d, [{ type: 'conv2d', out: 8, kernel: 3 }]);
    d = addLayer(d, cl.registry, 'relu');
    d = moveLayer(d, [1], -1);
    assert.deepEqual(d.map((l) => l.type), ['relu', 'conv2d']);
    assert.deepEqual(moveLayer(d, [0], -1), d, 'a move past the top leaves the list');
    d = setField(d, [1], 'stride', 2);
    assert.equal(d[1].stride, 2);
    d = setField(d, [1], 'stride', undefined);
    assert.ok(!('stride' in d[1]));
    assert.deepEqual(removeLayer(d, [0]), [{ type: 'conv2d', out: 8, kernel: 3 }]);
    const pool = cl.registry.layers.find((l) => l.type === 'maxpool2d').fields;
    assert.equal(defaultOf(pool.find((f) => f.name === 'stride'), { kernel: 3 }), 3, 'stride defaults to the kernel');
    assert.equal(defaultOf(pool.find((f) => f.name === 'ceilMode')), false);
    assert.deepEqual(parseFieldText('3, 5', { type: 'int-or-pair' }), [3, 5]);
    assert.equal(parseFieldText('same', { type: 'padding' }), 'same');
    assert.equal(parseFieldText('', { type: 'positive-int' }), undefined);
    assert.deepEqual(newLayer(cl.registry, 'flatten'), { type: 'flatten' });
    assert.deepEqual(checkDesignData(d), d);
  });

  test('output shapes, parameters and multiply-adds equal the formulas; totals are their sums', () => {
    const a = analyse(cl, small, [1, 28, 28]);
    assert.ok(a.ok);
    const ho = Math.floor((28 + 2 * 1 - 5) / 2) + 1; // 13
    const hp = Math.floor(ho / 2); // 6
    const flat = 4 * hp * hp;
    assert.deepEqual(a.rows.map((r) => r.outputShape), [[4, ho, ho], [4, ho, ho], [4, hp, hp], [flat], [10]]);
    assert.deepEqual(a.rows.map((r) => r.params), [4 * 1 * 5 * 5 + 4, 0, 0, 0, flat * 10 + 10]);
    assert.deepEqual(a.rows.map((r) => r.macs), [4 * ho * ho * 1 * 5 * 5, 0, 0, 0, flat * 10]);
    assert.deepEqual(a.totals, { params: 104 + flat * 10 + 10, macs: 4 * ho * ho * 25 + flat * 10 });
    const lenet = analyse(cl, PRESETS[0].layers(), [1, 28, 28]);
    assert.equal(lenet.totals.params, 61706, "LeNet-5's parameter count");
    assert.equal(lenet.rows[0].macs, 6 * 28 * 28 * 25, "C1's 117,600 multiply-adds");
  });

  test('a refused design names its layer; the table keeps the layers before it', () => {
    const bad = [...small.slice(0, 3), { type: 'conv2d', out: 2, kernel: 9 }, ...small.slice(3)];
    const a = analyse(cl, bad, [1, 28, 28]);
    assert.equal(a.ok, false);
    assert.deepEqual(a.error.path, [3]);
    assert.match(a.error.message, /^layers\[3\]\.kernel/);
    assert.equal(a.rows.length, 3);
    assert.deepEqual(errorPath('layers[3].layers[1].kernel: x'), [3, 1]);
    assert.deepEqual(errorPath('inputShape: x'), []);
  });

  test('presets: offered only when the core has every kind they use; the fixed ones are recognised', () => {
    const offered = availablePresets(kinds).map((p) => p.id);
    assert.ok(offered.includes('lenet5') && offered.includes('mlp') && offered.includes('tiny-vgg'));
    assert.equal(offered.includes('tiny-resnet'), kinds.includes('residual'));
    assert.equal(offered.includes('lenet-bn'), kinds.includes('batchnorm2d') && kinds.includes('batchnorm1d'));
    for (const id of offered) {
      const p = PRESETS.find((x) => x.id === id);
      const a = analyse(cl, p.layers(), [1, 28, 28]);
      assert.ok(a.ok, `${id}: ${a.error?.message}`);
      assert.deepEqual(a.outputShape, [10], `${id} gives ten outputs`);
    }
    assert.equal(presetOf(PRESETS[0].layers()), 'lenet5');
    assert.equal(presetOf(small), null);
  });
});
