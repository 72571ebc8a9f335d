// bench/layouts.mjs: moving tensors between convlab's layouts (NCHW activations, KCRS
// weights) and the peers' (TensorFlow.js: NHWC and RSCK; ConvNetJS: one Vol per example,
// (x, y, depth) with depth fastest). Pure index shuffles, no arithmetic.

// x is (N, C, H, W) -> (N, H, W, C)
export function nchwToNhwc(x, [N, C, H, W]) {
  const out = new Float32Array(x.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++)
          out[((n * H + h) * W + w) * C + c] = x[((n * C + c) * H + h) * W + w];
  return out;
}

// x is (N, H, W, C) -> (N, C, H, W)
export function nhwcToNchw(x, [N, C, H, W]) {
  const out = new Float32Array(x.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++)
          out[((n * C + c) * H + h) * W + w] = x[((n * H + h) * W + w) * C + c];
  return out;
}

// w is (K, C, R, S) -> (R, S, C, K)
export function kcrsToRsck(w, [K, C, R, S]) {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++)
      for (let r = 0; r < R; r++)
        for (let s = 0; s < S; s++)
          out[((r * S + s) * C + c) * K + k] = w[((k * C + c) * R + r) * S + s];
  return out;
}

// w is (R, S, C, K) -> (K, C, R, S)
export function rsckToKcrs(w, [K, C, R, S]) {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++)
    for (let c = 0; c < C; c++)
      for (let r = 0; r < R; r++)
        for (let s = 0; s < S; s++)
          out[((k * C + c) * R + r) * S + s] = w[((r * S + s) * C + c) * K + k];
  return out;
}

// A seeded uniform [-1, 1) array, so every run benchmarks the same numbers.
export function randomArray(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

// Largest |a - b| over the largest |b|: the tolerance measure of API.md.
export function relativeError(a, b) {
  let worst = 0, scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return a.length === b.length ? worst / scale : Infinity;
}

// Largest |a - b|, reported next to the relative error for the float-tolerance check.
export function maxAbsError(a, b) {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return a.length === b.length ? worst : Infinity;
}
