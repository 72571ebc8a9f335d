// agreement.test.mjs: on sizes too large for fixture files, every method agrees with a plain
// double-precision loop written here from the definitions (eq. 2.6, 2.10, 2.20), to 1e-4 of
// the result's largest magnitude, so 'auto' may pick any of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertClose, cl } from './helpers.mjs';

// Deterministic values in [-1, 1).
function signal(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

// numpy.convolve(f, h, 'full') in double precision.
function convolveFull(f, h) {
  const y = new Float64Array(f.length + h.length - 1);
  for (let t = 0; t < f.length; t++) for (let k = 0; k < h.length; k++) y[t + k] += f[t] * h[k];
  return y;
}

// x (N, C, H, W), w (K, C, R, S), PyTorch conv2d (cross-correlation) with zero padding.
function conv2dRef(x, [N, C, H, W], w, [K, , R, S], [sh, sw], [pt, pl, pb, pr]) {
  const Ho = Math.floor((H + pt + pb - R) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - S) / sw) + 1;
  const y = new Float64Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let i = 0; i < Ho; i++) for (let j = 0; j < Wo; j++) {
    let s = 0;
    for (let c = 0; c < C; c++) for (let r = 0; r < R; r++) {
      const hi = i * sh + r - pt;
      if (hi < 0 || hi >= H) continue;
      for (let q = 0; q < S; q++) {
        const wi = j * sw + q - pl;
        if (wi < 0 || wi >= W) continue;
        s += x[((n * C + c) * H + hi) * W + wi] * w[((k * C + c) * R + r) * S + q];
      }
    }
    y[((n * K + k) * Ho + i) * Wo + j] = s;
  }
  return y;
}

describe('1-D methods agree on long signals', () => {
  for (const [n, m] of [[5000, 3], [4096, 300], [3001, 1500], [257, 2000]]) {
    test(`n=${n} m=${m}`, () => {
      const f = signal(n, n);
      const h = signal(m, m + 1);
      const full = convolveFull(f, h);
      const reversed = h.slice().reverse();
      const corr = convolveFull(f, reversed); // correlate full == convolve with reversed h when n >= m
      for (const method of [...cl.methods.conv1d, 'auto']) {
        assertClose(cl.convolve(f, h, { method }), full, `convolve n=${n} m=${m} ${method}`);
        if (n >= m) assertClose(cl.correlate(f, h, { method }), corr, `correlate n=${n} m=${m} ${method}`);
      }
    });
  }
});

describe('2-D methods agree on larger convolutions', () => {
  const cases = [
    { xs: [2, 8, 20, 20], ws: [16, 8, 5, 5], stride: [1, 1], pads: [2, 2, 2, 2] },
    { xs: [1, 3, 33, 31], ws: [8, 3, 7, 7], stride: [2, 2], pads: [3, 3, 3, 3] },
    { xs: [4, 16, 9, 9], ws: [32, 16, 1, 1], stride: [1, 1], pads: [0, 0, 0, 0] },
    { xs: [1, 2, 40, 40], ws: [3, 2, 11, 11], stride: [1, 1], pads: [0, 0, 0, 0] },
  ];
  for (const c of cases) {
    test(`x ${c.xs} w ${c.ws} stride ${c.stride} padding ${c.pads}`, () => {
      const x = signal(c.xs.reduce((a, b) => a * b), 3);
      const w = signal(c.ws.reduce((a, b) => a * b), 4);
      const expected = conv2dRef(x, c.xs, w, c.ws, c.stride, c.pads);
      for (const method of [...cl.methods.conv2d, 'auto']) {
        const y = cl.conv2d(x, c.xs, w, c.ws, { stride: c.stride, padding: [c.pads[0], c.pads[1]], method });
        assertClose(y.data, expected, `conv2d ${method}`);
      }
    });
  }
});

describe('results stay right when the wasm heap grows during a call', () => {
  test('a 6M-sample convolve and a 2^21-point fft', () => {
    const n = 6_000_000;
    const f = signal(n, 9);
    const y = cl.convolve(f, new Float32Array([1, -1]), { method: 'direct' }); // y[i] = f[i] - f[i - 1]
    for (const i of [0, 1, 12345, n - 1, n]) {
      const expected = (i < n ? f[i] : 0) - (i > 0 ? f[i - 1] : 0);
      assertClose(y.subarray(i, i + 1), [expected], `y[${i}]`);
    }
    const re = new Float32Array(1 << 21);
    re[0] = 1; // a unit impulse: its DFT is all ones
    const X = cl.fft(re);
    for (const k of [0, 1, 777, (1 << 21) - 1]) {
      assertClose(X.re.subarray(k, k + 1), [1], `X.re[${k}]`);
      assert.ok(Math.abs(X.im[k]) < 1e-4, `X.im[${k}] = ${X.im[k]}, expected 0 (scale 1)`);
    }
    assertClose(cl.convolve(new Float32Array([1, 2]), new Float32Array([3])), [3, 6], 'a small call afterwards');
  });
});
