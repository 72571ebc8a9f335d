// optim.test.mjs: trainStep's optimisers on the WebAssembly build against torch.optim
// (tests/fixtures/optim_nets.txt, written by optim/generate_optim.py): SGD with momentum,
// dampening, Nesterov and weight decay, Adam, AdamW (with AMSGrad) and RMSprop (momentum,
// centered) train a small conv + dense network five steps as torch does; their state
// (optimizerState) is torch's; a run saved as plain JSON mid-way and resumed continues bit for
// bit; options another optimiser owns, out-of-range values and a switch of optimiser are
// refused by name, and a refused call changes nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { assertClose, assertNear, cl, f32 } from './helpers.mjs';

// The native harness's format: "key: numbers" lines, cases separated by "---".
function loadFixtures(name) {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  const cases = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (line === '---') {
      cases.push({});
      continue;
    }
    const colon = line.indexOf(':');
    cases.at(-1)[line.slice(0, colon)] = line.slice(colon + 1).trim().split(/\s+/).map(Number);
  }
  return cases;
}

const KINDS = ['sgd', 'adam', 'adamw', 'rmsprop'];
// The fixture's options line as the JavaScript options of its optimiser (only those it takes).
function optionsOf(c) {
  const [lr, momentum, dampening, nesterov, weightDecay, beta1, beta2, eps, amsgrad, alpha, centered] = c.options;
  const optimizer = KINDS[c.optimizer[0]];
  switch (optimizer) {
    case 'sgd': return { optimizer, lr, momentum, dampening, nesterov: nesterov !== 0, weightDecay };
    case 'adam': case 'adamw': return { optimizer, lr, betas: [beta1, beta2], eps, weightDecay, amsgrad: amsgrad !== 0 };
    default: return { optimizer, lr, alpha, eps, weightDecay, momentum, centered: centered !== 0 };
  }
}

const layers = [
  { type: 'conv2d', out: 3, kernel: 3 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dense', out: 4 },
];

function build(c, seed = 1) {
  const net = cl.sequential(layers, { inputShape: [1, 6, 6], seed });
  let at = 0;
  net.setParameters(net.parameters().map((p) => {
    const data = f32(c.params.slice(at, at + p.data.length));
    at += p.data.length;
    return { ...p, data };
  }));
  return net;
}

const flat = (list) => Float32Array.from(list.flatMap((p) => Array.from(p.data)));
const SLOTS = ['momentum_buffer', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'square_avg', 'grad_avg'];

const nets = loadFixtures('optim_nets.txt');

describe('trainStep as torch.optim: a conv + dense network, five steps', () => {
  for (const c of nets) {
    const options = optionsOf(c);
    test(JSON.stringify(options), () => {
      const net = build(c);
      const x = f32(c.x);
      const labels = Int32Array.from(c.labels);
      for (let k = 0; k < 5; k++) {
        const r = net.trainStep(x, labels, 3, options);
        assertNear(r.loss, c[`loss.${k}`][0], `step ${k + 1} loss`, 1e-5);
        assertClose(flat(net.parameters()), c[`params.${k}`], `parameters after step ${k + 1}`, 1e-5);
      }
      const state = net.optimizerState();
      if (options.optimizer === 'sgd') {
        // SGD's form: the momentum buffers named as the parameters, none without momentum.
        assert.deepEqual(state.map((s) => s.name), options.momentum ? net.parameters().map((p) => p.name) : []);
        if (options.momentum) assertClose(flat(state), c['state.momentum_buffer'], 'momentum_buffer');
      } else {
        assert.deepEqual(state[0], { name: `${options.optimizer}.step`, shape: [1], data: f32(c.step) });
        for (const slot of SLOTS) {
          const tensors = state.filter((s) => s.name.endsWith(`.${slot}`));
          if (!c[`state.${slot}`]) {
            assert.equal(tensors.length, 0, `no ${slot}`);
            continue;
          }
          assert.deepEqual(tensors.map((s) => s.name), net.parameters().map((p) => `${p.name}.${slot}`));
          assert.deepEqual(tensors.map((s) => s.shape), net.parameters().map((p) => p.shape));
          assertClose(flat(tensors), c[`state.${slot}`], slot);
        }
      }
      net.dispose();
    });

    test(`${options.optimizer}: saved as JSON after 2 steps, resumed: the next 3 bit for bit`, () => {
      const net = build(c);
      const x = f32(c.x);
      const labels = Int32Array.from(c.labels);
      for (let k = 0; k < 2; k++) net.trainStep(x, labels, 3, options);
      const plain = (list) => list.map((p) => ({ ...p, data: Array.from(p.data) }));
      const saved = JSON.parse(JSON.stringify({ parameters: plain(net.parameters()), optimizer: plain(net.optimizerState()) }));
      const resumed = cl.sequential(layers, { inputShape: [1, 6, 6], seed: 9 });
      resumed.setParameters(saved.parameters);
      resumed.setOptimizerState([...saved.optimizer].reverse()); // any order
      for (let k = 2; k < 5; k++) {
        const a = net.trainStep(x, labels, 3, options);
        assert.equal(resumed.trainStep(x, labels, 3, options).loss, a.loss, `step ${k + 1} loss`);
      }
      assertClose(flat(resumed.parameters()), c['params.4'], 'resumed parameters vs torch', 1e-5);
      assert.deepEqual(resumed.parameters(), net.parameters());
      assert.deepEqual(resumed.optimizerState(), net.optimizerState());
      net.dispose();
      resumed.dispose();
    });
  }
});

function message(call) {
  try {
    call();
  } catch (e) {
    assert.ok(e instanceof Error);
    return e.message;
  }
  return '(no error)';
}

describe('refusals name the option; a refused call changes nothing', () => {
  const c = nets[0];
  const x = f32(c.x);
  const labels = Int32Array.from(c.labels);

  test('options another optimiser owns, and values out of torch range', () => {
    const net = build(c);
    const cases = [
      [{ betas: [0.9, 0.99] }, "betas: 'sgd' takes no 'betas' (its options: lr, momentum, dampening, nesterov, weightDecay)"],
      [{ optimizer: 'adam', momentum: 0.9 }, "momentum: 'adam' takes no 'momentum' (its options: lr, weightDecay, betas, eps, amsgrad)"],
      [{ optimizer: 'rmsprop', amsgrad: true }, "amsgrad: 'rmsprop' takes no 'amsgrad'"],
      [{ optimizer: 'adamw', alpha: 0.9 }, "alpha: 'adamw' takes no 'alpha'"],
      [{ optimizer: 'adagrad' }, "optimizer: expected one of 'sgd', 'adam', 'adamw', 'rmsprop', got 'adagrad'"],
      [{ optimizer: 'adam', betas: [1, 0.999] }, 'betas: expected a number in [0, 1), got 1'],
      [{ optimizer: 'adam', betas: [0.9] }, 'betas: expected [beta1, beta2]'],
      [{ optimizer: 'adam', betas: 0.9 }, 'betas: expected [beta1, beta2]'],
      [{ optimizer: 'adam', eps: -1 }, 'eps: expected a number >= 0'],
      [{ optimizer: 'adam', amsgrad: 'yes' }, 'amsgrad: expected true or false'],
      [{ optimizer: 'rmsprop', alpha: -0.1 }, 'alpha: expected a number >= 0'],
      [{ weightDecay: -1 }, 'weightDecay: expected a number >= 0'],
      [{ nesterov: true }, 'nesterov: needs momentum > 0 and dampening 0'],
      [{ optimizer: 'adam', lr: NaN }, 'lr: expected a finite number'],
      [{ optimizer: 'adam', weightDecayy: 0.1 }, "weightDecayy: unknown option 'weightDecayy'; did you mean 'weightDecay'?"],
    ];
    const before = net.parameters();
    for (const [options, text] of cases) {
      const got = message(() => net.trainStep(x, labels, 3, options));
      assert.ok(got.startsWith(text), `${JSON.stringify(options)}: ${got}`);
    }
    assert.deepEqual(net.parameters(), before);
    assert.deepEqual(net.optimizerState(), []);
    net.dispose();
  });

  test('a step with another optimiser than the state\'s is refused until resetOptimizer', () => {
    const net = build(c);
    net.trainStep(x, labels, 3, { optimizer: 'adam' });
    const params = net.parameters();
    const state = net.optimizerState();
    assert.match(message(() => net.trainStep(x, labels, 3, { momentum: 0.9 })), /^optimizer: the optimiser state belongs to 'adam'/);
    assert.match(message(() => net.trainStep(x, labels, 3, { optimizer: 'adamw' })), /^optimizer: /);
    assert.match(message(() => net.trainStep(x, labels, 3, { optimizer: 'adam', amsgrad: true })), /^amsgrad: the optimiser state has no max_exp_avg_sq/);
    assert.deepEqual(net.parameters(), params);
    assert.deepEqual(net.optimizerState(), state);
    net.resetOptimizer();
    net.trainStep(x, labels, 3, { optimizer: 'rmsprop', centered: true });
    assert.deepEqual(net.optimizerState().slice(0, 3).map((s) => s.name), ['rmsprop.step', '0.weight.square_avg', '0.weight.grad_avg']);
    net.dispose();
  });

  test('setOptimizerState with the named-slot form: each entry checked, nothing written on error', () => {
    const net = build(c);
    net.trainStep(x, labels, 3, { optimizer: 'adam' });
    net.trainStep(x, labels, 3, { optimizer: 'adam' });
    const good = net.optimizerState(); // adam.step, then (exp_avg, exp_avg_sq) per parameter
    assert.equal(good.length, 9);
    const change = (i, entry) => good.map((s, k) => (k === i ? { ...s, ...entry } : s));
    const cases = [
      [change(3, { name: '0.bias.exp_avgg' }), "list[3].name: expected '<parameter>.<slot>' with a parameter name and a slot of adam (exp_avg, exp_avg_sq, max_exp_avg_sq), got '0.bias.exp_avgg'"],
      [change(3, { name: '0.weight.exp_avg' }), "list[3].name: '0.weight.exp_avg' appears twice"],
      [change(2, { shape: [3, 9] }), "list[2].shape: expected (3, 1, 3, 3) for '0.weight.exp_avg_sq', got (3, 9)"],
      [change(4, { data: new Float32Array(2) }), 'list[4].data: expected 3 elements'],
      [change(0, { data: f32([1.5]) }), 'list[0].data: expected the step count, a whole number >= 1'],
      [change(1, { data: ['0.1'] }), 'list[1].data: expected a Float32Array or numbers'],
      [change(1, { data: new Float64Array(27) }), 'list[1].data: expected a Float32Array or numbers'],
      [change(1, { shape: '3,1,3,3' }), 'list[1].shape: expected an array of integers'],
      [change(5, { name: 7 }), 'list[5].name: expected a string'],
      [[...good, 7], 'list[9]: expected { name, shape, data }'],
      [good.slice(0, 8), "list: missing '4.bias.exp_avg_sq'"],
    ];
    const before = cl.memoryStats().mallocBytes;
    for (const [list, text] of cases) {
      const got = message(() => net.setOptimizerState(list));
      assert.ok(got.startsWith(text), `${text}: got ${got}`);
    }
    assert.equal(cl.memoryStats().mallocBytes, before, 'refused calls leaked');
    assert.deepEqual(net.optimizerState(), good);
    // Plain arrays are copied in; [] forgets the state.
    net.setOptimizerState(good.map((s) => ({ ...s, data: Array.from(s.data) })));
    assert.deepEqual(net.optimizerState(), good);
    net.setOptimizerState([]);
    assert.deepEqual(net.optimizerState(), []);
    net.dispose();
  });
});
