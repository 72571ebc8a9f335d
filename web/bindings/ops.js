// ops.js: the one-off functions of the API (1-D, 2-D, transposed 2-D, activations). Each checks the
// JavaScript types of its arguments, copies its arrays into the heap through their true
// views, and hands shapes and the options object to the bindings, where the core checks
// everything else (shapes, ranges, names, unknown option keys) once.
import { check, describe, floatArray, optionsObject } from './args.js';

// Shapes may come as any array-like of numbers; the core checks the values.
function shapeArg(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v) : v;
}

export function createOps(M, heap) {
  function conv1d(which, f, h, options) {
    f = floatArray(f, 'f');
    h = floatArray(h, 'h');
    const o = optionsObject(options);
    return heap.with([f, h], (pf, ph) => M.conv1d(which, pf, f.length, ph, h.length, o));
  }

  function fft(re, im, inverse) {
    re = floatArray(re, 're');
    im = im === undefined || im === null ? new Float32Array(re.length) : floatArray(im, 'im', { nonEmpty: false });
    const n = re.length;
    return heap.with([re, im], (pr, pi) => {
      check(M.fft(pr, n, pi, im.length, inverse));
      return { re: M.HEAPF32.slice(pr >> 2, (pr >> 2) + n), im: M.HEAPF32.slice(pi >> 2, (pi >> 2) + n) };
    });
  }

  // conv2d and convTranspose2d (`fn`, the binding's name) take the same arguments.
  function conv2d(fn, x, xShape, w, wShape, options) {
    x = floatArray(x, 'x');
    w = floatArray(w, 'w');
    const o = optionsObject(options);
    const bias = o.bias === undefined || o.bias === null ? null : floatArray(o.bias, 'bias');
    return heap.with([x, w, bias], (px, pw, pb) => M[fn](px, x.length, pw, w.length, pb, bias ? bias.length : 0, shapeArg(xShape), shapeArg(wShape), o));
  }

  function conv2dBackward(fn, x, xShape, w, wShape, gradOut, options) {
    x = floatArray(x, 'x');
    w = floatArray(w, 'w');
    gradOut = floatArray(gradOut, 'gradOut');
    const o = optionsObject(options);
    return heap.with([x, w, gradOut], (px, pw, pd) => M[fn](px, x.length, pw, w.length, pd, gradOut.length, shapeArg(xShape), shapeArg(wShape), o));
  }

  function pool(kind, x, xShape, options) {
    x = floatArray(x, 'x');
    const o = optionsObject(options);
    return heap.with([x], (px) => M.pool2d(kind, px, x.length, shapeArg(xShape), o));
  }

  function poolBackward(kind, x, xShape, gradOut, options) {
    x = floatArray(x, 'x');
    gradOut = floatArray(gradOut, 'gradOut');
    const o = optionsObject(options);
    return heap.with([x, gradOut], (px, pd) => M.pool2dBackward(kind, px, x.length, pd, gradOut.length, shapeArg(xShape), o));
  }

  return {
    convolve: (f, h, options) => conv1d(0, f, h, options),
    correlate: (f, h, options) => conv1d(1, f, h, options),

    toeplitz(h, n) {
      h = floatArray(h, 'h');
      const m = h.length;
      const data = heap.with([h], (ph) => M.toeplitz(ph, m, n));
      return { rows: n + m - 1, cols: n, data };
    },

    fft: (re, im) => fft(re, im, false),
    ifft: (re, im) => fft(re, im, true),

    autoMethod1d: (n, m) => check(M.autoMethod1d(n, m)),

    conv2d: (x, xShape, w, wShape, options) => conv2d('conv2d', x, xShape, w, wShape, options),
    conv2dBackward: (x, xShape, w, wShape, gradOut, options) => conv2dBackward('conv2dBackward', x, xShape, w, wShape, gradOut, options),
    convTranspose2d: (x, xShape, w, wShape, options) => conv2d('convTranspose2d', x, xShape, w, wShape, options),
    convTranspose2dBackward: (x, xShape, w, wShape, gradOut, options) => conv2dBackward('convTranspose2dBackward', x, xShape, w, wShape, gradOut, options),

    autoMethod2d(xShape, wShape, options) {
      return check(M.autoMethod2d(shapeArg(xShape), shapeArg(wShape), optionsObject(options)));
    },

    maxPool2d: (x, xShape, options) => pool(0, x, xShape, options),
    maxPool2dBackward: (x, xShape, gradOut, options) => poolBackward(0, x, xShape, gradOut, options),
    avgPool2d: (x, xShape, options) => pool(1, x, xShape, options),
    avgPool2dBackward: (x, xShape, gradOut, options) => poolBackward(1, x, xShape, gradOut, options),

    activation(name, x) {
      if (typeof name !== 'string') throw new TypeError(`name: expected an activation name, got ${describe(name)}`);
      x = floatArray(x, 'x', { nonEmpty: false });
      return heap.with([x], (px) => M.activation(name, px, x.length));
    },
  };
}
