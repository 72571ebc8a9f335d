// lessons-widgets.test.mjs: each lesson widget (lessons 1-4 and 7-14) answers one keyboard
// interaction with a changed result equal to what the WebAssembly core computes for the new
// state, here in Node through the public API (`import { load } from 'convlab'`). Inputs the
// widgets generate (seeded data, MNIST digits) come from the same helper modules, so both
// sides convolve the same numbers; closed-form values (LeNet-5's 4,704 and 1,600 units, the
// 1x1 reduction's 204,800 and 16,896 weights, PyTorch-checked in lessons/assets) are
// asserted as such. Widgets are opened alone on the embed page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'convlab';
import { setup, openEmbed, results, close } from './helpers.mjs';
import { digit } from '../../web/src/lib/digits.js';
import { rng, uniformArray } from '../../web/src/lib/random.js';
import GdVsSgd from '../../web/src/widgets/gd-vs-sgd/index.js';

let env;
let cl;
before(async () => { env = await setup(); cl = await load(); });
after(async () => { await env?.close(); });

const F32 = (a) => Float32Array.from(a);

// Opens a widget alone with `state`, runs `act(page)`, waits for the URL to change, and
// returns { before, after } (the data-result values) and the new state.
async function drive(name, state, act) {
  const { page, context, problems } = await openEmbed(env, name, state, { width: 375, height: 800 });
  assert.equal(await page.locator('.widget-error').count(), 0, 'no error box');
  const before = await results(page.locator('#embed'));
  const start = page.url();
  await act(page);
  await page.waitForFunction((old) => location.href !== old, start, { timeout: 5000 });
  const after = await results(page.locator('#embed'));
  const now = JSON.parse(new URL(page.url()).searchParams.get('s'));
  assert.notDeepEqual(after, before, 'the interaction changed a shown result');
  assert.deepEqual(problems, []);
  await context.close();
  return { before, after, state: now };
}

const press = (label, key = 'ArrowRight') => async (page) => {
  await page.getByLabel(label, { exact: true }).focus();
  await page.keyboard.press(key);
};

test('gd-vs-sgd: one more step gives the full-batch risk of net.trainStep in Node', async () => {
  const { after, state } = await drive('gd-vs-sgd', { steps: 5, lr: 0.5, batch: 8, seed: 2 }, press('Steps'));
  assert.equal(state.steps, 6);
  const { x, y } = GdVsSgd.prototype.data.call({ s: state });
  const net = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [2], seed: 2 });
  for (let t = 0; t < 6; t++) net.trainStep(x, y, 64, { lr: 0.5 });
  assert.ok(close(after[0].full, net.backward(x, y, 64).loss));
  net.dispose();
});

test('jacobian-chain: moving x1 gives J_F of the composed network (vjp in Node), equal to J_H J_G', async () => {
  const { after, state } = await drive('jacobian-chain', { x: [0.5, -1], seed: 3 }, press('x₁'));
  const x = F32(state.x);
  const G = cl.sequential([{ type: 'dense', out: 3 }, { type: 'tanh' }], { inputShape: [2], seed: 3 });
  const H = cl.sequential([{ type: 'dense', out: 2 }, { type: 'sigmoid' }], { inputShape: [3], seed: 4 });
  const F = cl.sequential([{ type: 'dense', out: 3 }, { type: 'tanh' }, { type: 'dense', out: 2 }, { type: 'sigmoid' }], { inputShape: [2] });
  const [gw, gb] = G.parameters(); const [hw, hb] = H.parameters();
  F.setParameters([{ ...gw, name: '0.weight' }, { ...gb, name: '0.bias' }, { ...hw, name: '2.weight' }, { ...hb, name: '2.bias' }]);
  const JF = F.vjp(F32([...x, ...x]), 2, F32([1, 0, 0, 1])).gradInput;
  assert.ok(close(after[0].jf, Array.from(JF), 1e-5));
  assert.ok(after[0].diff < 1e-5 && after[1].diff < 1e-2, 'chain rule and finite differences agree');
  [G, H, F].forEach((n) => n.dispose());
});

test('backprop-steps: a new target class gives net.backward gradients from Node', async () => {
  const { after, state } = await drive('backprop-steps', { x: [1, -0.5], label: 1, seed: 2, step: 6 }, press('Target class', 'ArrowUp'));
  assert.equal(state.label, 0);
  const net = cl.sequential([{ type: 'dense', out: 3 }, { type: 'sigmoid' }, { type: 'dense', out: 2 }], { inputShape: [2], seed: 2 });
  const { loss } = net.backward(F32([1, -0.5]), Int32Array.of(0), 1);
  const g = net.gradients();
  assert.ok(close(after[0].loss, loss));
  assert.ok(close(after[0].gradW1, Array.from(g[0].data)));
  assert.ok(close(after[0].gradb1, Array.from(g[1].data)));
  net.dispose();
});

test('fourier-sum: a wider Gaussian gives Delta times cl.fft of its samples, close to the exact transform', async () => {
  const { after, state } = await drive('fourier-sum', { n: 32, window: 8, width: 1 }, press('Gaussian width s'));
  const { n, window: L, width: s } = state;
  const d = L / n;
  const f = F32(Array.from({ length: n }, (_, j) => { const t = (j < n / 2 ? j : j - n) * d; return Math.exp((-Math.PI * t * t) / (s * s)); }));
  const { re } = cl.fft(f, new Float32Array(n));
  const expected = Array.from({ length: n }, (_, i) => d * re[(i + n / 2) % n]);
  assert.ok(close(after[1].estimate, expected));
  assert.ok(after[1].err < 1e-3, `Gaussian of width ${s} is well resolved (error ${after[1].err})`);
});

test('shift-invariance: shift tau+1 shows cl.convolve(f_tau, h) and it equals the shifted output', async () => {
  const { after, state } = await drive('shift-invariance', { signal: 'spikes', kernel: 'asym', shift: 2 }, press('Shift τ'));
  const f = new Float32Array(32); f[8 + 3] = 4; f[8 + 10] = -2; f[8 + 12] = 3;
  const ft = new Float32Array(32);
  for (let t = 0; t < 32; t++) ft[t] = f[t + state.shift] ?? 0;
  assert.ok(close(after[0].shifted, Array.from(cl.convolve(ft, F32([3, 2, 1])))));
  assert.equal(after[0].diff, 0);
  assert.equal(after[1].diff, 0);
});

test('connectivity: n+1 inputs count the non-zeros of cl.toeplitz', async () => {
  const { after } = await drive('connectivity', { n: 8, h: [1, -2, 1] }, press('Inputs n'));
  const T = cl.toeplitz(F32([1, -2, 1]), 9);
  assert.equal(after[0].connections, T.data.filter((v) => v !== 0).length);
  assert.equal(after[0].connections, 27);
  assert.deepEqual([after[0].rows, after[0].cols, after[0].free], [11, 9, 3]);
});

test('conv2d-explorer: another digit gives cl.conv2d of that digit', async () => {
  const { after, state } = await drive('conv2d-explorer', { digit: 0, kernel: 'edge-x', padding: 'valid', stride: 2 }, press('Image', 'ArrowDown'));
  assert.equal(state.digit, 1);
  const y = cl.conv2d(digit(1), [1, 1, 28, 28], F32([-1, 0, 1, -2, 0, 2, -1, 0, 1]), [1, 1, 3, 3], { stride: 2 });
  assert.deepEqual(after[0].shape, [1, 1, 13, 13]);
  assert.ok(close(after[0].data, Array.from(y.data)));
});

test('receptive-field: a fourth 3x3 layer widens the field to 9 with the centre reached by 19^2 paths', async () => {
  const { after } = await drive('receptive-field', { layers: 3, kernel: 3, stride: 1 }, press('Layers L'));
  const net = cl.sequential(Array.from({ length: 4 }, () => ({ type: 'conv2d', out: 1, kernel: 3 })), { inputShape: [1, 32, 32] });
  net.setParameters(net.parameters().map((p) => ({ ...p, data: new Float32Array(p.data.length).fill(p.name.endsWith('weight') ? 1 : 0) })));
  const g = new Float32Array(24 * 24); g[12 * 24 + 12] = 1;
  const grad = net.vjp(new Float32Array(32 * 32), 1, g).gradInput;
  assert.equal(after[0].peak, Math.max(...grad));
  assert.equal(after[0].peak, 19 * 19, '(1,1,1)^{*4} has centre 19; the 2-D kernel is its outer product');
  assert.equal(after[0].width, 9);
  net.dispose();
});

test('weight-sharing-grad: a new seed shows per-position terms summing to cl.conv2dBackward gradWeight', async () => {
  const { after, state } = await drive('weight-sharing-grad', { size: 6, kernel: 3, weight: [1, 1], seed: 4 }, press('Seed'));
  const r = rng(state.seed);
  const x = uniformArray(r, 36, 0, 1); const delta = uniformArray(r, 16, -1, 1); const w = uniformArray(r, 9, -1, 1);
  const gw = cl.conv2dBackward(x, [1, 1, 6, 6], w, [1, 1, 3, 3], delta).gradWeight;
  assert.ok(close(after[1].gradWeight, Array.from(gw)));
  assert.ok(close(after[0].sum, gw[4], 1e-5));
});

test('fft-conv: without padding the FFT result wraps around; with it, it equals cl.convolve', async () => {
  const { before, after } = await drive('fft-conv', { signal: 'steps', kernel: 'long', circular: false }, press('No zero-padding (N = n: circular)', 'Space'));
  const f = F32(Array.from({ length: 24 }, (_, t) => (t < 6 ? 1 : t < 14 ? 3 : t < 18 ? 0 : 2)));
  const h = F32(Array.from({ length: 12 }, (_, t) => Math.round(1000 * 0.7 ** t) / 1000));
  const direct = Array.from(cl.convolve(f, h, { method: 'direct' }));
  assert.ok(close(before[1].result.slice(0, direct.length), direct));
  assert.ok(after[1].err > 0.1, 'circular convolution differs');
});

test("conv-benchmark: a longer kernel changes the plan to cl.autoMethod1d's picks", async () => {
  const { after, state } = await drive('conv-benchmark', { vary: 'n', m: 31, maxN: 1024 }, press('Kernel m (when varying n)', 'ArrowDown'));
  assert.equal(state.m, 63);
  assert.deepEqual(after[0].auto, after[0].pairs.map(([n, m]) => cl.autoMethod1d(n, m)));
});

test('pooling-shift: shifting down shows cl.maxPool2d of the shifted digit', async () => {
  const { after, state } = await drive('pooling-shift', { mode: 'max', kernel: 2, stride: 2, dx: 0, dy: 0, digit: 3 }, press('Shift down dy'));
  assert.equal(state.dy, 1);
  const x = digit(3); const xs = new Float32Array(784);
  for (let i = 1; i < 28; i++) xs.set(x.subarray((i - 1) * 28, i * 28), i * 28);
  assert.ok(close(after[0].pooled, Array.from(cl.maxPool2d(xs, [1, 1, 28, 28], { kernel: 2 }).data)));
  assert.ok(after[0].unchanged < after[0].total);
});

test('volume: more input channels give the parameter count of a cl.sequential conv layer', async () => {
  const { after } = await drive('volume', { d: 3, k: 2, r: 3, size: 5, stride: 2, padding: 1 }, press('Input channels d', 'ArrowRight'));
  const net = cl.sequential([{ type: 'conv2d', out: 2, kernel: 3, stride: 2, padding: 1 }], { inputShape: [4, 5, 5] });
  const n = net.parameters().reduce((a, p) => a + p.data.length, 0);
  assert.equal(after[3][2], n);
  assert.equal(n, 4 * 2 * 9 + 2);
  net.dispose();
});

test("lenet-shapes: C1 has 4,704 units and C3 1,600; the notes' 6x6 kernel would give 1,296", async () => {
  const { before, after, state } = await drive('lenet-shapes', {}, press('C3 kernel', 'ArrowDown'));
  assert.equal(state.c3kernel, 6);
  assert.deepEqual([before[0].c1, before[0].c3, before[0].total], [4704, 1600, 61706]);
  assert.deepEqual([after[0].c1, after[0].c3], [4704, 1296]);
});

test('inception-savings: reducing to 24 channels counts weights as cl.sequential does', async () => {
  const { before, after } = await drive('inception-savings', {}, press('1×1 reduces to m', 'ArrowDown'));
  assert.equal(before[0].direct.weights, 204800);
  assert.equal(before[0].reduced.weights, 16896);
  const net = cl.sequential([{ type: 'conv2d', out: 24, kernel: 1 }, { type: 'relu' }, { type: 'conv2d', out: 32, kernel: 5, padding: 2 }], { inputShape: [256, 28, 28] });
  assert.equal(after[0].reduced.params, net.parameters().reduce((a, p) => a + p.data.length, 0));
  net.dispose();
  assert.equal(after[1].diff, 0, 'a 1x1 conv2d equals a dense layer per pixel');
});

// Every numeric exercise answer in lessons/*.md equals (within its tolerance) the value that
// lessons/assets/exercise_answers.py computed with numpy/PyTorch, committed as a text file.
test('lesson exercises: every numeric answer matches lessons/assets/exercise_answers.txt', async () => {
  const { readFile, readdir } = await import('node:fs/promises');
  const dir = new URL('../../lessons/', import.meta.url);
  const reference = new Map();
  for (const line of (await readFile(new URL('assets/exercise_answers.txt', dir), 'utf8')).split('\n')) {
    const [lesson, id, value] = line.trim().split(/\s+/);
    if (value !== undefined) reference.set(`${lesson} ${id}`, Number(value));
  }
  let checked = 0;
  for (const file of (await readdir(dir)).filter((f) => /^\d\d-.*\.md$/.test(f))) {
    const text = await readFile(new URL(file, dir), 'utf8');
    for (const [, body] of text.matchAll(/^```exercise\n([\s\S]*?)^```/gm)) {
      const ex = JSON.parse(body);
      if (ex.answer === undefined) continue;
      const key = `${file.slice(0, 2)} ${ex.id}`;
      assert.ok(reference.has(key), `${key}: no reference value`);
      const tol = Math.max(ex.tolerance ?? 0.001, 5e-7 * Math.abs(reference.get(key)));
      assert.ok(Math.abs(ex.answer - reference.get(key)) <= tol, `${key}: answer ${ex.answer}, reference ${reference.get(key)}`);
      checked += 1;
    }
  }
  assert.ok(checked >= 44, `checked ${checked} answers`);
});
