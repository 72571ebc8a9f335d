// conv1d.test.mjs: convolve / correlate in every mode and method, toeplitz, fft / ifft and
// autoMethod1d on the WebAssembly build, against numpy (tests/fixtures/node_*.json).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertClose, cl, f32, fixture } from './helpers.mjs';

const cases = fixture('node_conv1d.json');
const methods = [...cl.methods.conv1d, 'auto'];

describe('convolve and correlate vs numpy', () => {
  for (const c of cases) {
    test(`n=${c.n} m=${c.m}`, () => {
      const f = f32(c.f);
      const h = f32(c.h);
      for (const op of ['convolve', 'correlate']) {
        for (const mode of ['full', 'same', 'valid']) {
          for (const method of methods) {
            const y = cl[op](f, h, { mode, method });
            assertClose(y, c[op][mode], `${op}(n=${c.n}, m=${c.m}, mode=${mode}, method=${method})`);
          }
        }
      }
    });
  }

  test("defaults are mode 'full', method 'auto'", () => {
    const c = cases.find((k) => k.n === 7 && k.m === 3);
    assertClose(cl.convolve(f32(c.f), f32(c.h)), c.convolve.full, 'convolve default');
    assertClose(cl.correlate(f32(c.f), f32(c.h), {}), c.correlate.full, 'correlate default');
    assertClose(cl.correlate(f32(c.f), f32(c.h), { mode: 'same' }), c.correlate.same, 'correlate same');
  });

  test("numpy's correlate 'same' when f is shorter than h (window at floor(n/2))", () => {
    // numpy: correlate([1, 2], [1, 10, 100], 'full') == [100, 210, 21, 2] and 'same' ==
    // [210, 21, 2], the window starting at floor(n / 2) = 1 (floor((n - 1) / 2) = 0 would give
    // [100, 210, 21], scipy.signal's answer has length 2).
    const y = cl.correlate(f32([1, 2]), f32([1, 10, 100]), { mode: 'same' });
    assert.deepEqual(Array.from(y), [210, 21, 2]);
    assert.deepEqual(Array.from(cl.correlate(f32([1, 2]), f32([1, 10, 100]))), [100, 210, 21, 2]);
    const c = cases.find((k) => k.n === 4 && k.m === 9);
    assert.equal(c.correlate.same.length, 9);
  });

  test('results are fresh arrays, not views into wasm memory', () => {
    const a = cl.convolve(f32([1, 2, 3]), f32([1, 1]));
    const b = cl.convolve(f32([5, 5, 5]), f32([2, 2]));
    assert.notEqual(a.buffer, b.buffer);
    assert.deepEqual(Array.from(a), [1, 3, 5, 3]);
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, 16);
  });
});

describe('toeplitz', () => {
  test('is the matrix H_n^h of eq. (2.12): H[i][j] = h[i - j]', () => {
    const h = f32([1, -2, 3.5]);
    const n = 4;
    const t = cl.toeplitz(h, n);
    assert.equal(t.rows, n + h.length - 1);
    assert.equal(t.cols, n);
    assert.ok(t.data instanceof Float32Array);
    for (let i = 0; i < t.rows; i++) {
      for (let j = 0; j < n; j++) {
        const k = i - j;
        assert.equal(t.data[i * n + j], k >= 0 && k < h.length ? h[k] : 0, `H[${i}][${j}]`);
      }
    }
  });

  test('times f gives numpy.convolve(f, h) full', () => {
    const c = cases.find((k) => k.n === 31 && k.m === 7);
    const t = cl.toeplitz(f32(c.h), c.n);
    const y = new Float32Array(t.rows);
    for (let i = 0; i < t.rows; i++) {
      let s = 0;
      for (let j = 0; j < t.cols; j++) s += t.data[i * t.cols + j] * c.f[j];
      y[i] = s;
    }
    assertClose(y, c.convolve.full, 'toeplitz @ f');
  });
});

describe('fft and ifft vs numpy.fft', () => {
  for (const c of fixture('node_fft.json')) {
    test(`n=${c.n}`, () => {
      const re = f32(c.re);
      const im = f32(c.im);
      const X = cl.fft(re, im);
      assertClose(X.re, c.fftRe, `fft re n=${c.n}`);
      assertClose(X.im, c.fftIm, `fft im n=${c.n}`);
      const x = cl.ifft(re, im);
      assertClose(x.re, c.ifftRe, `ifft re n=${c.n}`);
      assertClose(x.im, c.ifftIm, `ifft im n=${c.n}`);
      // Inputs untouched (the transform runs on a copy in the wasm heap).
      assert.deepEqual(Array.from(re), c.re);
    });
  }

  test('imaginary part defaults to zeros', () => {
    const X = cl.fft(f32([1, 2, 3, 4]));
    assert.deepEqual(Array.from(X.re), [10, -2, -2, -2]);
    assert.deepEqual(Array.from(X.im), [0, 2, 0, -2]);
  });
});

describe('autoMethod1d and cl.methods', () => {
  test('methods come from the registry', () => {
    assert.deepEqual(cl.methods.conv1d, ['direct', 'toeplitz', 'fft']);
    assert.deepEqual(cl.methods.conv2d, ['direct', 'im2col', 'fft']);
  });

  test('autoMethod1d names a registry method for small and large sizes', () => {
    for (const [n, m] of [[1, 1], [10, 3], [1000, 5], [100000, 1000], [4096, 4096]]) {
      const name = cl.autoMethod1d(n, m);
      assert.ok(cl.methods.conv1d.includes(name), `autoMethod1d(${n}, ${m}) = ${name}`);
    }
  });
});
