// properties.test.mjs: property tests of the public JS API (API.md) with fast-check. Random
// valid small inputs to convolve / correlate (every mode and method), conv2d and its backward
// (every method, stride, padding) and max / avg pooling with their backward are checked
// against plain-JS references written here from numpy's and PyTorch's definitions; random
// invalid inputs must throw an Error naming the argument and leave the module computing
// correctly; the heap and malloc's count must not grow over many calls.
//
// A fixed seed in CI. More: FC_SEED=<n> FC_RUNS=<runs per property> node --test this file.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import fc from 'fast-check';
import { load } from 'convlab';

const cl = await load();
const seed = Number(process.env.FC_SEED ?? 20261203);
const numRuns = Number(process.env.FC_RUNS ?? 60);
const params = { seed, numRuns, endOnFailure: true };
let calls = 0;  // API calls made, reported at the end
after(() => console.log(`properties: seed ${seed}, ${numRuns} runs per property, ${calls} API calls`));

const api = (name, ...args) => {
  calls += 1;
  return cl[name](...args);
};

// ---- comparison (API.md: 1e-4 relative to the largest magnitude of the reference) ----------

// `floor`: the smallest scale; a result that is exactly 0 (a window wholly in the padding)
// may carry the FFT's rounding of the inputs' magnitude, so conv2d compares with a floor of 1.
function close(actual, expected, what, tol = 1e-4, floor = 1e-6) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = floor;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i += 1) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= tol * scale, `${what}: index ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

// ---- references (plain loops, double precision) -------------------------------------------

// numpy's correlate2: the longer array correlated with the shorter, windowed by mode, reversed
// when the arguments were swapped. numpy.convolve(a, v) = that of the longer with the shorter
// reversed (never reversed back).
function npCorrelateCore(x, y, mode) {
  const n1 = x.length, n = y.length;
  const left = mode === 'valid' ? 0 : mode === 'same' ? Math.floor(n / 2) : n - 1;
  const len = mode === 'valid' ? n1 - n + 1 : mode === 'same' ? n1 : n1 + n - 1;
  const out = new Float64Array(len);
  for (let j = 0; j < len; j += 1)
    for (let t = 0; t < n; t += 1) {
      const k = j - left + t;
      if (k >= 0 && k < n1) out[j] += x[k] * y[t];
    }
  return out;
}
function npCorrelate(a, v, mode) {
  if (a.length >= v.length) return npCorrelateCore(a, v, mode);
  return npCorrelateCore(v, a, mode).reverse();
}
function npConvolve(a, v, mode) {
  const [x, y] = v.length > a.length ? [v, a] : [a, v];
  return npCorrelateCore(x, Float64Array.from(y).reverse(), mode);
}

function conv2dRef(x, [N, C, H, W], w, [K, , R, S], bias, [sh, sw], [ph, pw]) {
  const Ho = Math.floor((H + 2 * ph - R) / sh) + 1, Wo = Math.floor((W + 2 * pw - S) / sw) + 1;
  const y = new Float64Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n += 1)
    for (let k = 0; k < K; k += 1)
      for (let i = 0; i < Ho; i += 1)
        for (let j = 0; j < Wo; j += 1) {
          let acc = bias ? bias[k] : 0;
          for (let c = 0; c < C; c += 1)
            for (let r = 0; r < R; r += 1)
              for (let s = 0; s < S; s += 1) {
                const h = i * sh + r - ph, v = j * sw + s - pw;
                if (h >= 0 && h < H && v >= 0 && v < W)
                  acc += w[((k * C + c) * R + r) * S + s] * x[((n * C + c) * H + h) * W + v];
              }
          y[((n * K + k) * Ho + i) * Wo + j] = acc;
        }
  return { y, shape: [N, K, Ho, Wo] };
}

function conv2dBackwardRef(x, [N, C, H, W], w, [K, , R, S], dy, [sh, sw], [ph, pw]) {
  const Ho = Math.floor((H + 2 * ph - R) / sh) + 1, Wo = Math.floor((W + 2 * pw - S) / sw) + 1;
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(K);
  for (let n = 0; n < N; n += 1)
    for (let k = 0; k < K; k += 1)
      for (let i = 0; i < Ho; i += 1)
        for (let j = 0; j < Wo; j += 1) {
          const d = dy[((n * K + k) * Ho + i) * Wo + j];
          db[k] += d;
          for (let c = 0; c < C; c += 1)
            for (let r = 0; r < R; r += 1)
              for (let s = 0; s < S; s += 1) {
                const h = i * sh + r - ph, v = j * sw + s - pw;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                const xi = ((n * C + c) * H + h) * W + v, wi = ((k * C + c) * R + r) * S + s;
                dx[xi] += w[wi] * d;
                dw[wi] += x[xi] * d;
              }
        }
  return { dx, dw, db };
}

// PyTorch's max_pool2d / avg_pool2d without padding (pool2d.test.mjs covers padding, dilation and
// ceil mode against torch): first maximum in row-major window order, NaN-free data.
function poolRef(kind, x, [N, C, H, W], [kh, kw], [sh, sw], dy) {
  const Ho = Math.floor((H - kh) / sh) + 1, Wo = Math.floor((W - kw) / sw) + 1;
  const y = new Float64Array(N * C * Ho * Wo), dx = new Float64Array(x.length);
  for (let p = 0; p < N * C; p += 1)
    for (let i = 0; i < Ho; i += 1)
      for (let j = 0; j < Wo; j += 1) {
        const o = (p * Ho + i) * Wo + j;
        let best = -Infinity, at = -1, sum = 0;
        for (let r = 0; r < kh; r += 1)
          for (let s = 0; s < kw; s += 1) {
            const idx = (p * H + i * sh + r) * W + j * sw + s;
            sum += x[idx];
            if (x[idx] > best) best = x[idx], at = idx;
          }
        if (kind === 'max') {
          y[o] = best;
          if (dy) dx[at] += dy[o];
        } else {
          y[o] = sum / (kh * kw);
          if (dy)
            for (let r = 0; r < kh; r += 1)
              for (let s = 0; s < kw; s += 1) dx[(p * H + i * sh + r) * W + j * sw + s] += dy[o] / (kh * kw);
        }
      }
  return { y, dx, shape: [N, C, Ho, Wo] };
}

// ---- arbitraries ------------------------------------------------------------------------

// Multiples of 1/16 in [-4, 4]: exact in float32, and ties happen (max pooling's rule).
const values = (n) =>
  fc.array(fc.integer({ min: -64, max: 64 }), { minLength: n, maxLength: n })
    .map((a) => Float32Array.from(a, (v) => v / 16));
const signal = fc.integer({ min: 1, max: 40 }).chain(values);
const mode = fc.constantFrom('full', 'same', 'valid');
const method1d = fc.constantFrom('direct', 'toeplitz', 'fft', 'auto');
const method2d = fc.constantFrom('direct', 'im2col', 'fft', 'auto');

const convCase = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 8 }), W: fc.integer({ min: 1, max: 8 }),
    K: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }), ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }), bias: fc.boolean(), method: method2d,
  })
  .chain((g) =>
    fc.record({
      R: fc.integer({ min: 1, max: g.H + 2 * g.ph }), S: fc.integer({ min: 1, max: g.W + 2 * g.pw }),
    }).chain(({ R, S }) => {
      const Ho = Math.floor((g.H + 2 * g.ph - R) / g.sh) + 1, Wo = Math.floor((g.W + 2 * g.pw - S) / g.sw) + 1;
      return fc.record({
        g: fc.constant({ ...g, R, S }), x: values(g.N * g.C * g.H * g.W),
        w: values(g.K * g.C * R * S), b: values(g.K), dy: values(g.N * g.K * Ho * Wo),
      });
    }));

const poolCase = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 11 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    kind: fc.constantFrom('max', 'avg'),
  })
  .chain((g) =>
    fc.record({ kh: fc.integer({ min: 1, max: g.H }), kw: fc.integer({ min: 1, max: g.W }) })
      .chain(({ kh, kw }) => {
        const Ho = Math.floor((g.H - kh) / g.sh) + 1, Wo = Math.floor((g.W - kw) / g.sw) + 1;
        return fc.record({
          g: fc.constant({ ...g, kh, kw }), x: values(g.N * g.C * g.H * g.W),
          dy: values(g.N * g.C * Ho * Wo),
        });
      }));

// ---- valid inputs against the references ---------------------------------------------------

test('convolve and correlate equal numpy in every mode, by every method', () => {
  fc.assert(fc.property(signal, signal, mode, method1d, (f, h, m, method) => {
    close(api('convolve', f, h, { mode: m, method }), npConvolve(f, h, m), `convolve ${m} ${method}`);
    close(api('correlate', f, h, { mode: m, method }), npCorrelate(f, h, m), `correlate ${m} ${method}`);
  }), params);
});

test('conv2d and conv2dBackward equal PyTorch by every method, stride and padding', () => {
  fc.assert(fc.property(convCase, ({ g, x, w, b, dy }) => {
    const xShape = [g.N, g.C, g.H, g.W], wShape = [g.K, g.C, g.R, g.S];
    const stride = [g.sh, g.sw], padding = [g.ph, g.pw];
    const want = conv2dRef(x, xShape, w, wShape, g.bias ? b : null, stride, padding);
    const got = api('conv2d', x, xShape, w, wShape, { bias: g.bias ? b : undefined, stride, padding, method: g.method });
    assert.deepEqual(got.shape, want.shape);
    close(got.data, want.y, `conv2d ${JSON.stringify(g)}`, 1e-4, 1);
    const grads = api('conv2dBackward', x, xShape, w, wShape, dy, { stride, padding, method: g.method });
    const ref = conv2dBackwardRef(x, xShape, w, wShape, dy, stride, padding);
    close(grads.gradInput, ref.dx, `gradInput ${JSON.stringify(g)}`, 1e-4, 1);
    close(grads.gradWeight, ref.dw, `gradWeight ${JSON.stringify(g)}`, 1e-4, 1);
    close(grads.gradBias, ref.db, `gradBias ${JSON.stringify(g)}`, 1e-4, 1);
  }), params);
});

test('max and average pooling and their gradients equal PyTorch (first maximum on ties)', () => {
  fc.assert(fc.property(poolCase, ({ g, x, dy }) => {
    const xShape = [g.N, g.C, g.H, g.W], opts = { kernel: [g.kh, g.kw], stride: [g.sh, g.sw] };
    const ref = poolRef(g.kind, x, xShape, [g.kh, g.kw], [g.sh, g.sw], dy);
    const name = g.kind === 'max' ? 'maxPool2d' : 'avgPool2d';
    const got = api(name, x, xShape, opts);
    assert.deepEqual(got.shape, ref.shape);
    close(got.data, ref.y, `${name} ${JSON.stringify(g)}`);
    close(api(`${name}Backward`, x, xShape, dy, opts), ref.dx, `${name}Backward ${JSON.stringify(g)}`);
  }), params);
});

// ---- invalid inputs: a named Error, and the module still right afterwards -------------------

const x1 = Float32Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i));
const w1 = Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i));
const probe = () => {
  // a known-good call whose answer is checked against the reference
  const got = api('conv2d', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], { padding: 1 });
  close(got.data, conv2dRef(x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], null, [1, 1], [1, 1]).y, 'probe');
  close(api('convolve', x1.subarray(0, 7), w1.subarray(0, 3)), npConvolve(x1.subarray(0, 7), w1.subarray(0, 3), 'full'), 'probe 1-D');
};

const badSize = fc.constantFrom(0, -1, -(2 ** 31), 1.5, NaN, Infinity, 2 ** 31, 2 ** 53, '3', null);
const bigSize = fc.constantFrom(2 ** 30, 2 ** 31 - 1, 2 ** 23 + 1, 65536);
const invalidCall = fc.oneof(
  fc.record({ arg: fc.constant('xShape'), v: badSize, at: fc.integer({ min: 0, max: 3 }) }).map(({ v, at }) => ({
    arg: 'xShape', call: () => { const s = [2, 3, 5, 5]; s[at] = v; return api('conv2d', x1, s, w1, [4, 3, 3, 3]); },
  })),
  fc.record({ v: badSize, at: fc.integer({ min: 0, max: 3 }) }).map(({ v, at }) => ({
    arg: 'wShape', call: () => { const s = [4, 3, 3, 3]; s[at] = v; return api('conv2d', x1, [2, 3, 5, 5], w1, s); },
  })),
  fc.constantFrom(0, -1, -(2 ** 31), 1.5, NaN, '2').map((v) => ({
    arg: 'stride', call: () => api('conv2d', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], { stride: v }),
  })),
  fc.constantFrom(-1, -(2 ** 31), 1.5, NaN, 2 ** 21, 2 ** 30, 'sam').map((v) => ({
    arg: 'padding', call: () => api('conv2d', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], { padding: v }),
  })),
  fc.constantFrom('fast', '', 'FFT', 'im2col ', 7).map((v) => ({
    arg: 'method', call: () => api('conv2d', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], { method: v }),
  })),
  fc.constantFrom('Full', 'circular', '', 3).map((v) => ({
    arg: 'mode', call: () => api('convolve', x1, w1, { mode: v }),
  })),
  fc.constantFrom('dft', 'im2col', '').map((v) => ({
    arg: 'method', call: () => api('correlate', x1, w1, { method: v }),
  })),
  fc.tuple(fc.constantFrom(0, -2, 1.5, NaN, 6, 2 ** 31), fc.constantFrom('maxPool2d', 'avgPool2d')).map(([v, name]) => ({
    arg: 'kernel', call: () => api(name, x1, [2, 3, 5, 5], { kernel: v }),
  })),
  fc.tuple(fc.constantFrom(0, -1, NaN, 0.5), fc.constantFrom('maxPool2d', 'avgPool2d')).map(([v, name]) => ({
    arg: 'stride', call: () => api(name, x1, [2, 3, 5, 5], { kernel: 2, stride: v }),
  })),
  fc.integer({ min: 0, max: 149 }).map((n) => ({
    arg: 'x', call: () => api('conv2d', x1.subarray(0, n), [2, 3, 5, 5], w1, [4, 3, 3, 3]),
  })),
  fc.tuple(bigSize, bigSize).map(([a, b]) => ({
    // a shape too large for any array: refused for the shape or for x's length
    arg: 'x|xShape', call: () => api('conv2d', x1, [1, 1, a, b], w1, [1, 1, 1, 1]),
  })),
);

test('invalid inputs throw an Error naming the argument, and the module keeps computing', () => {
  probe();
  fc.assert(fc.property(invalidCall, ({ arg, call }) => {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error, `not an Error: ${e}`);
      assert.match(e.message, new RegExp(`^(${arg})\\b`), `message does not name '${arg}': ${e.message}`);
      return true;
    });
    probe();
  }), { ...params, numRuns: numRuns * 3 });
});

test('extreme strides and paddings compute or are refused by name, never trap', () => {
  const one = new Float32Array([2]);
  const cases = [
    { stride: 2 ** 30, padding: 1, method: 'direct' },
    { stride: 2 ** 30, padding: 16384, method: 'fft' },
    { stride: 2 ** 30, padding: 2048, method: 'auto' },
    { stride: 2 ** 30, padding: 2048, method: 'direct' },
    { stride: 2 ** 23, padding: 3, method: 'im2col' },
  ];
  for (const opts of cases) {
    let y;
    try {
      y = api('conv2d', one, [1, 1, 1, 1], new Float32Array([3]), [1, 1, 1, 1], opts);
    } catch (e) {
      assert.ok(e instanceof Error);
      assert.equal(opts.method, 'fft', `only the fft's grid may be refused: ${e.message}`);
      assert.match(e.message, /\bpadding\b/);
      continue;
    }
    assert.deepEqual(y.shape, [1, 1, 1, 1]);
    assert.equal(y.data[0], 0);  // the one window sits in the padding
    for (const method of ['direct', 'auto']) {
      const g = api('conv2dBackward', one, [1, 1, 1, 1], new Float32Array([3]), [1, 1, 1, 1], new Float32Array([1]),
        { ...opts, method });
      assert.equal(g.gradBias[0], 1);
    }
  }
  probe();
});

test('memory stays flat over many calls, failing ones included', () => {
  const round = () => {
    probe();
    api('maxPool2d', x1, [2, 3, 5, 5], { kernel: 2 });
    api('avgPool2dBackward', x1, [2, 3, 5, 5], new Float32Array(2 * 3 * 2 * 2), { kernel: 2 });
    api('conv2dBackward', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], new Float32Array(2 * 4 * 3 * 3), { method: 'fft' });
    assert.throws(() => api('conv2d', x1, [2, 3, 5, 5], w1, [4, 3, 3, 3], { stride: 0 }), Error);
    assert.throws(() => api('convolve', x1, w1, { method: 'nope' }), Error);
  };
  for (let i = 0; i < 20; i += 1) round();  // warm-up: workspaces reach their sizes
  const before = cl.memoryStats();
  for (let i = 0; i < 10 * numRuns; i += 1) round();
  const now = cl.memoryStats();
  assert.equal(now.mallocBytes, before.mallocBytes, 'malloc\'d bytes changed (leak)');
  assert.equal(now.heapBytes, before.heapBytes, 'the heap grew');
});
