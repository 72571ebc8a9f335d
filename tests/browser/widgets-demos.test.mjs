// widgets-demos.test.mjs: the demonstrating widgets of lessons 1, 4, 8, 9, 11 and 12, each
// driven in the browser (opened alone on the embed page, operated from the keyboard or by a
// click) and checked against an independent computation written here as plain loops (the
// `_ref` functions below), never against the widget's own code or the core it calls.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, openEmbed, results, close, SCREENSHOTS } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// Full 1-D convolution, eq. (2.6): y[u] = sum_t f[t] h[u - t].
function convolveRef(f, h) {
  const y = new Array(f.length + h.length - 1).fill(0);
  for (let t = 0; t < f.length; t++) for (let k = 0; k < h.length; k++) y[t + k] += f[t] * h[k];
  return y;
}

// Opens `name` in `state` at `width`, returns the page and a function giving the current results.
async function open(name, state, width = 375) {
  const s = await openEmbed(env, name, state, { width, height: 900 });
  assert.equal(await s.page.locator('.widget-error').count(), 0, 'no error box');
  return { ...s, now: () => results(s.page.locator('#embed')) };
}

async function changed(page, act) {
  const start = page.url();
  await act();
  await page.waitForFunction((old) => location.href !== old, start, { timeout: 5000 });
}

async function press(page, label, key = 'ArrowRight') {
  await changed(page, async () => {
    await page.getByLabel(label, { exact: true }).focus();
    await page.keyboard.press(key);
  });
}

async function choose(page, label, value) {
  await changed(page, () => page.getByLabel(label, { exact: true }).selectOption(value));
}

async function finish(s, shot) {
  if (shot) await s.page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`), fullPage: true });
  assert.deepEqual(s.problems, []);
  await s.context.close();
}

test('shift-invariance: convolution passes the check; multiplication by t, stride 2 and zero-padded borders fail it', async () => {
  const s = await open('shift-invariance', { signal: 'spikes', kernel: 'asym', shift: 2, operator: 'conv' });
  let [check] = await s.now();
  assert.equal(check.diff, 0);
  // The spikes signal: 4 at t = 3, -2 at 10, 3 at 12, after 8 zeros, in a window of 32.
  const f = new Array(32).fill(0); f[11] = 4; f[18] = -2; f[20] = 3;
  const shifted = (tau) => f.map((_, t) => f[t + tau] ?? 0);
  assert.ok(close(check.shifted, convolveRef(shifted(2), [3, 2, 1])));

  await choose(s.page, 'Operator T', 'times-t');
  [check] = await s.now();
  const timesT = (g) => g.map((v, t) => t * v);
  assert.ok(close(check.shifted, timesT(shifted(2))));
  const want = timesT(f);
  const diff = Math.max(...check.shifted.map((v, u) => Math.abs(v - (want[u + 2] ?? 0))));
  assert.ok(close(check.diff, diff) && diff > 1, `multiplication by t fails by ${diff}`);

  await choose(s.page, 'Operator T', 'stride2');
  [check] = await s.now();
  const strided = (g) => convolveRef(g, [3, 2, 1]).filter((_, u) => u % 2 === 0);
  assert.ok(close(check.shifted, strided(shifted(2))));
  assert.ok(close(check.output, strided(f)));
  assert.ok(check.diff > 1, 'a stride-2 convolution is not shift-invariant');

  await choose(s.page, 'Operator T', 'zero-pad');
  await press(s.page, 'Shift τ');
  [check] = await s.now();
  // The signal now fills the window: spikes at 3 + 8 etc. are the same, but 'same' crops.
  const same = (g) => convolveRef(g, [3, 2, 1]).slice(1, 33);
  const full = new Array(32).fill(0); full[11] = 4; full[18] = -2; full[20] = 3;
  assert.ok(close(check.shifted, same(full.map((_, t) => full[t + 3] ?? 0))));
  await choose(s.page, 'Signal f', 'steps');
  [check] = await s.now();
  assert.ok(check.diff > 0.5, `a signal filling the window loses samples at the border (${check.diff})`);
  await finish(s, 'demo-shift-invariance');
});

test('lti-probe: the impulse response read off the box predicts T f (Theorem 2.1)', async () => {
  const s = await open('lti-probe', { box: 2, input: 'impulse', position: 0, guess: [1] });
  const [{ output: h0 }, first] = await s.now();
  assert.ok(first.diff > 0.5, 'the default guess does not predict the box');
  await press(s.page, 'Impulse position p');
  const [{ output: h1 }] = await s.now();
  assert.deepEqual(h1.slice(1, h0.length), h0.slice(0, h0.length - 1), 'a shifted impulse gives the shifted response');
  assert.equal(h1[0], 0);
  // Read h as the student would: the response to δ_0, trailing zeros dropped.
  let h = h0.slice(0, 16);
  while (h.length > 1 && h[h.length - 1] === 0) h = h.slice(0, -1);
  await changed(s.page, async () => {
    await s.page.getByLabel('Your h (read off T δ_0)', { exact: true }).fill(h.join(', '));
    await s.page.keyboard.press('Enter');
  });
  const [, pred] = await s.now();
  const f = [0, 1, 3, 2, 0, -1, -2, 0, 2, 4, 1, 0, 0, 0, 0, 0];
  assert.ok(close(pred.Tf, convolveRef(f, h)), 'T f equals f * (T δ_0), computed here');
  assert.ok(pred.diff <= 1e-5);
  await finish(s, 'demo-lti-probe');
});

// Max pooling of a rows x cols map, window k, stride s, no padding (PyTorch's max_pool2d).
function maxPoolRef(x, rows, cols, k, s) {
  const ho = Math.floor((rows - k) / s) + 1; const wo = Math.floor((cols - k) / s) + 1;
  const y = [];
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      let m = -Infinity;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) m = Math.max(m, x[(i * s + a) * cols + j * s + b]);
      y.push(m);
    }
  }
  return y;
}

// Cross-correlation of a rows x cols map with a 3x3 kernel, zero padding 1 (eq. 2.20).
function conv3x3Ref(x, rows, cols, w) {
  const y = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const r = i + a - 1; const c = j + b - 1;
          if (r >= 0 && r < rows && c >= 0 && c < cols) acc += x[r * cols + c] * w[a * 3 + b];
        }
      }
      y[i * cols + j] = acc;
    }
  }
  return y;
}

function shiftRef(x, n, dx, dy, wrap) {
  return x.map((_, k) => {
    let i = Math.floor(k / n) - dy; let j = (k % n) - dx;
    if (wrap) { i = (i + n) % n; j = (j + n) % n; }
    return i >= 0 && i < n && j >= 0 && j < n ? x[i * n + j] : 0;
  });
}

test('pooling-shift: shifts by the stride move the pooled map; global max ignores circular shifts; feature maps pool too', async () => {
  const { digit } = await import('../../web/src/lib/digits.js');
  const x = Array.from(digit(3));
  const s = await open('pooling-shift', { mode: 'max', kernel: 2, stride: 2, dx: 1, dy: 0, wrap: false, feature: false, digit: 3 });
  let [, equi] = await s.now();
  assert.equal(equi.multiple, false, 'a one-pixel shift is not a multiple of stride 2');
  await press(s.page, 'Shift right dx');
  let [same, equi2, glob] = await s.now();
  assert.ok(close(same.pooled, maxPoolRef(shiftRef(x, 28, 2, 0, false), 28, 28, 2, 2)));
  assert.equal(equi2.multiple, true);
  assert.equal(equi2.diff, 0, 'shifting by the stride shifts the pooled map by one cell');
  assert.equal(glob.before, Math.max(...x));

  await changed(s.page, () => s.page.getByLabel('Circular shift', { exact: true }).check());
  await choose(s.page, 'Pooling', 'global');
  [same, , glob] = await s.now();
  assert.equal(same.total, 1);
  assert.equal(glob.after, Math.max(...shiftRef(x, 28, 2, 0, true)));
  assert.equal(glob.after, glob.before, 'Proposition 2.1: global max pooling is shift-invariant');

  await choose(s.page, 'Pooling', 'max');
  await changed(s.page, () => s.page.getByLabel('Pool an edge-filter map', { exact: true }).check());
  [same] = await s.now();
  const edge = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const map = conv3x3Ref(shiftRef(x, 28, 2, 0, true), 28, 28, edge);
  assert.ok(close(same.pooled, maxPoolRef(map, 28, 28, 2, 2)), 'pooled feature map equals the loops here');
  await finish(s, 'demo-pooling-shift');
});

// Heavy-ball gradient descent (torch.optim.SGD: v = β v + g, w -= η v) on
// R(w) = 1/2 Σ λ_i (u_i · w)^2 with u_1 at 30°, from w_0; returns the last w and R(w).
function heavyBallRef({ lmax, lmin, eta, beta, steps, w0 }) {
  const u1 = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)]; const u2 = [-u1[1], u1[0]];
  const H = [0, 1].map((i) => [0, 1].map((j) => lmax * u1[i] * u1[j] + lmin * u2[i] * u2[j]));
  const risk = (w) => 0.5 * (w[0] * (H[0][0] * w[0] + H[0][1] * w[1]) + w[1] * (H[1][0] * w[0] + H[1][1] * w[1]));
  let w = [...w0]; let v = [0, 0];
  for (let t = 0; t < steps; t++) {
    const g = [H[0][0] * w[0] + H[0][1] * w[1], H[1][0] * w[0] + H[1][1] * w[1]];
    v = [beta * v[0] + g[0], beta * v[1] + g[1]];
    w = [w[0] - eta * v[0], w[1] - eta * v[1]];
  }
  return { w, risk: risk(w), start: risk(w0) };
}

test('gd-vs-sgd (quadratic): GD converges below 2/λ_max, diverges above it, and momentum extends the range', async () => {
  const base = { problem: 'quadratic', eta: 0.45, momentum: 0, lmin: 0.5, qsteps: 30 };
  const s = await open('gd-vs-sgd', base, 1280);
  await press(s.page, 'Step size η');
  let [, q] = await s.now();
  let ref = heavyBallRef({ lmax: 4, lmin: 0.5, eta: 0.46, beta: 0, steps: 30, w0: [-1.6, 1.1] });
  assert.ok(close(q.start, ref.start), `start risk ${q.start} vs ${ref.start}`);
  assert.ok(close(q.w, ref.w, 1e-3), `w ${q.w} vs ${ref.w}`);
  assert.ok(q.risk < 1e-3 * q.start, 'η = 0.46 < 2/λ_max = 0.5 converges');
  for (let i = 0; i < 7; i++) await press(s.page, 'Step size η'); // 0.53 > 2/λ_max
  [, q] = await s.now();
  ref = heavyBallRef({ lmax: 4, lmin: 0.5, eta: 0.53, beta: 0, steps: 30, w0: [-1.6, 1.1] });
  assert.ok(close(q.risk, ref.risk, 1e-3), `risk ${q.risk} vs ${ref.risk}`);
  assert.ok(q.risk > 10 * q.start, 'above 2/λ_max the risk grows');
  for (let i = 0; i < 10; i++) await press(s.page, 'Momentum β'); // β = 0.5: converges for η < 0.75
  [, q] = await s.now();
  ref = heavyBallRef({ lmax: 4, lmin: 0.5, eta: 0.53, beta: 0.5, steps: 30, w0: [-1.6, 1.1] });
  assert.ok(close(q.w, ref.w, 1e-3), `w ${q.w} vs ${ref.w}`);
  assert.ok(q.risk < 0.01 * q.start, 'the heavy ball converges at the same η');
  assert.equal(await s.page.locator('.eta-mark').count(), 2, '1/λ_max and 2/λ_max are marked');
  await finish(s, 'demo-gd-quadratic');
});

// Multi-channel cross-correlation with bias, stride and zero padding (eq. 2.20), as loops.
function conv2dRef(x, [d, H, W], w, [k, r], b, stride, pad) {
  const ho = Math.floor((H + 2 * pad - r) / stride) + 1; const wo = Math.floor((W + 2 * pad - r) / stride) + 1;
  const y = []; const partials = [];
  for (let f = 0; f < k; f++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const perChannel = [];
        for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let a = 0; a < r; a++) {
            for (let q = 0; q < r; q++) {
              const ii = i * stride - pad + a; const jj = j * stride - pad + q;
              if (ii >= 0 && ii < H && jj >= 0 && jj < W) acc += x[(c * H + ii) * W + jj] * w[((f * d + c) * r + a) * r + q];
            }
          }
          perChannel.push(acc);
        }
        partials.push(perChannel);
        y.push(perChannel.reduce((s, v) => s + v, b[f]));
      }
    }
  }
  return { y, partials, ho, wo };
}

test('volume: a clicked and a keyboard-selected output cell equal the loops here, partial sums and im2col row included', async () => {
  const { rng } = await import('../../web/src/lib/random.js');
  const s = await open('volume', { d: 3, size: 5, k: 2, r: 3, stride: 2, padding: 1, seed: 3, filter: 0, row: 0, col: 0 }, 1280);
  // The widget's data: seeded small integers (inputs 0..2, weights -1..1, biases 0..1).
  const g = rng(3);
  const ints = (n, lo, hi) => Array.from({ length: n }, () => lo + Math.floor(g() * (hi - lo + 1)));
  const x = ints(75, 0, 2); const w = ints(54, -1, 1); const b = ints(2, 0, 1);
  const ref = conv2dRef(x, [3, 5, 5], w, [2, 3], b, 2, 1);
  assert.equal(ref.ho, 3);
  await changed(s.page, () => s.page.getByRole('button', { name: /^y\[1\] row 1 column 2:/ }).click());
  let [partials, cell, gap, params] = await s.now();
  const at = (f, i, j) => (f * 3 + i) * 3 + j;
  assert.equal(cell.cell, ref.y[at(1, 1, 2)]);
  assert.equal(cell.product, ref.y[at(1, 1, 2)], 'one row of the im2col product gives the same number');
  assert.deepEqual(cell.output, ref.y);
  assert.deepEqual(partials.partial, ref.partials[at(1, 1, 2)]);
  assert.equal(partials.bias, b[1]);
  assert.equal(gap, 0);
  assert.deepEqual(params, [54, 2, 56]);
  // Keyboard: Tab from the clicked cell to the next one and press Enter.
  await s.page.keyboard.press('Tab');
  await changed(s.page, () => s.page.keyboard.press('Enter'));
  [partials, cell] = await s.now();
  assert.equal(cell.cell, ref.y[at(1, 2, 0)]);
  assert.deepEqual(partials.partial, ref.partials[at(1, 2, 0)]);
  const state = JSON.parse(new URL(s.page.url()).searchParams.get('s'));
  assert.deepEqual([state.filter, state.row, state.col], [1, 2, 0]);
  await finish(s, 'demo-volume');
});

test('conv2d-explorer: a typed kernel and a chosen pixel give patch · kernel equal to the loops here', async () => {
  const { digit } = await import('../../web/src/lib/digits.js');
  const x = Array.from(digit(2));
  const s = await open('conv2d-explorer', { digit: 2, kernel: 'edge-x', padding: 'same', stride: 1, row: 12, col: 9 }, 1280);
  await changed(s.page, async () => {
    await s.page.getByLabel('kernel row 0 column 0', { exact: true }).fill('3');
    await s.page.keyboard.press('Tab');
  });
  const w = [3, 0, 1, -2, 0, 2, -1, 0, 1];
  await press(s.page, 'Output row');
  const [shape, read] = await s.now();
  const state = JSON.parse(new URL(s.page.url()).searchParams.get('s'));
  assert.equal(state.kernel, 'custom');
  assert.deepEqual(state.custom, w);
  const map = conv3x3Ref(x, 28, 28, w);
  assert.ok(close(read.value, map[13 * 28 + 9]), `feature map ${read.value} vs ${map[13 * 28 + 9]}`);
  assert.ok(close(read.dot, map[13 * 28 + 9]), 'patch · kernel is the feature map value');
  assert.ok(close(shape.data, map));
  await finish(s, 'demo-conv2d-explorer');
});

// dL/dx of y = full cross-correlation of x with w (y_u = Σ_k w_k x_{u+k-(m-1)}), for L = Σ δ_u y_u.
function inputGradRef(delta, w, n) {
  const m = w.length;
  return Array.from({ length: n }, (_, t) => w.reduce((acc, wk, k) => acc + wk * (delta[t + m - 1 - k] ?? 0), 0));
}

test('input-grad: Hᵀ δ, gradInput and the correlation equal the chain rule written out here', async () => {
  const s = await open('input-grad', { n: 6, w: [1, 2, 3], seed: 1, t: 2 });
  await press(s.page, 'Error signal δ (seed)');
  let [delta, HtDelta, back, corr, gap] = await s.now();
  assert.equal(delta.length, 8);
  let ref = inputGradRef(delta, [1, 2, 3], 6);
  assert.ok(close(HtDelta, ref), `Hᵀδ ${HtDelta} vs ${ref}`);
  assert.ok(close(back, ref) && close(corr, ref));
  assert.ok(gap <= 1e-5);
  await changed(s.page, async () => {
    await s.page.getByLabel('Kernel w', { exact: true }).fill('2, -1');
    await s.page.keyboard.press('Enter');
  });
  await press(s.page, 'Input index t');
  [delta, HtDelta, back] = await s.now();
  assert.equal(delta.length, 7);
  ref = inputGradRef(delta, [2, -1], 6);
  assert.ok(close(HtDelta, ref) && close(back, ref), `Hᵀδ ${HtDelta} vs ${ref}`);
  const terms = await s.page.locator('.terms').textContent();
  assert.match(terms, new RegExp(`^\\(Hᵀ δ\\)\\[3\\] = .* = ${ref[3]}$`));
  await finish(s, 'demo-input-grad');
});

// Output size by counting: the kernel's first tap at positions 0, s, 2s, ... of the padded
// input while its dilated extent still fits; for a transposed convolution, the span the
// scattered kernels cover, cropped by p on each side.
function convSizeByCounting({ i, k, s, p, d }) {
  let count = 0;
  for (let start = 0; start + d * (k - 1) <= i + 2 * p - 1; start += s) count += 1;
  return count;
}
function transposedSizeByScatter({ i, k, s, p, d }) {
  let last = 0;
  for (let a = 0; a < i; a++) for (let b = 0; b < k; b++) last = Math.max(last, a * s + b * d);
  return last + 1 - 2 * p;
}
// The receptive field by walking one unit's interval down through the stack.
function fieldByIntervals(kernels, strides) {
  let lo = 0; let hi = 0;
  for (let l = kernels.length - 1; l >= 0; l--) { lo *= strides[l]; hi = hi * strides[l] + kernels[l] - 1; }
  return hi - lo + 1;
}

test('conv-arithmetic: output sizes (with dilation, transposed) and the receptive field of a strided stack match counting', async () => {
  const s = await open('conv-arithmetic', { mode: 'conv', i: 5, k: 3, s: 2, pad: 'custom', p: 1, d: 1, kernels: [3, 3, 3], strides: [1, 2, 1] }, 1280);
  let [size, core, field] = await s.now();
  assert.equal(size.o, convSizeByCounting({ i: 5, k: 3, s: 2, p: 1, d: 1 }));
  assert.deepEqual(core, [1, 1, 3, 3], 'cl.conv2d agrees for an ordinary convolution');
  assert.equal(field.r, fieldByIntervals([3, 3, 3], [1, 2, 1]));
  await press(s.page, 'Dilation d');
  [size, core] = await s.now();
  assert.equal(size.o, convSizeByCounting({ i: 5, k: 3, s: 2, p: 1, d: 2 }));
  assert.equal(core, null, 'no core shape for a dilated convolution');
  await press(s.page, 'Input size i');
  [size] = await s.now();
  assert.equal(size.o, convSizeByCounting({ i: 6, k: 3, s: 2, p: 1, d: 2 }));
  await choose(s.page, 'Operation', 'transposed');
  [size] = await s.now();
  assert.equal(size.o, transposedSizeByScatter({ i: 6, k: 3, s: 2, p: 1, d: 2 }));
  await changed(s.page, async () => {
    await s.page.getByLabel('strides', { exact: true }).fill('2, 2, 2');
    await s.page.keyboard.press('Enter');
  });
  [, , field] = await s.now();
  assert.equal(field.r, fieldByIntervals([3, 3, 3], [2, 2, 2]));
  assert.equal(field.r, 15);
  await finish(s, 'demo-conv-arithmetic');
});

test("lenet-shapes: with 'trained' weights it uses the training page's saved run and C1 equals the loops here", async () => {
  const { digit } = await import('../../web/src/lib/digits.js');
  const s = await open('lenet-shapes', { digit: 3, activation: 'tanh', weights: 'random' }, 1280);
  // A saved run as the training page stores it, with deterministic made-up parameters.
  const shapes = [['0.weight', [6, 1, 5, 5]], ['0.bias', [6]], ['3.weight', [16, 6, 5, 5]], ['3.bias', [16]], ['6.weight', [120, 16, 5, 5]],
    ['6.bias', [120]], ['9.weight', [84, 120]], ['9.bias', [84]], ['11.weight', [10, 84]], ['11.bias', [10]]];
  let seed = 12345;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.round(((seed / 2147483648) - 0.5) * 40) / 100; };
  const parameters = shapes.map(([name, shape]) => ({ name, shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) }));
  await s.page.evaluate((params) => new Promise((resolve, reject) => {
    const req = indexedDB.open('convlab-train', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('runs');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction('runs', 'readwrite');
      tx.objectStore('runs').put({ settings: { activation: 'tanh' }, progress: { epoch: 2 }, parameters: params.map((p) => ({ ...p, data: Float32Array.from(p.data) })) }, 'current');
      tx.oncomplete = () => { req.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), parameters);
  await choose(s.page, 'Weights', 'trained');
  await s.page.waitForFunction(() => [...document.querySelectorAll('#embed .result')].some((e) => e.dataset.result?.includes('"source":"trained"')), null, { timeout: 10000 });
  const all = await s.now();
  const used = all.find((r) => r?.source === 'trained');
  // C1 map 0 (layer 0's output, before the tanh layer): b + the 5x5 cross-correlation of the
  // digit padded by 2, as loops, with the weights rounded to float32 as stored.
  const x = Array.from(digit(3));
  const w = Array.from(Float32Array.from(parameters[0].data).subarray(0, 25));
  const b = Math.fround(parameters[1].data[0]);
  const c1 = [];
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      let acc = b;
      for (let a = 0; a < 5; a++) for (let q = 0; q < 5; q++) { const r = i + a - 2; const c = j + q - 2; if (r >= 0 && r < 28 && c >= 0 && c < 28) acc += x[r * 28 + c] * w[a * 5 + q]; }
      c1.push(acc);
    }
  }
  assert.ok(close(used.c1, c1), 'C1 map 0 from the saved weights');
  assert.ok(Number.isInteger(used.prediction));
  await finish(s, 'demo-lenet-trained');
});
