// bench/peer-convnetjs.mjs: ConvNetJS 0.3 as a benchmark peer. It works one example at a
// time on Vols laid out (x, y, depth) with depth fastest, so a batch is a loop over Vols.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const convnetjs = require('convnetjs');

// One example n of x (N, C, H, W) as a Vol.
export function toVol(x, [, C, H, W], n) {
  const v = new convnetjs.Vol(W, H, C, 0.0);
  const base = n * C * H * W;
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) v.w[(h * W + w) * C + c] = x[base + (c * H + h) * W + w];
  return v;
}

// Writes a Vol's values (or its gradients, field 'dw') into example n of out (N, C, H, W).
export function fromVol(v, out, [, C, H, W], n, field = 'w') {
  const base = n * C * H * W;
  const src = v[field];
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) out[base + (c * H + h) * W + w] = src[(h * W + w) * C + c];
}

// Copies KCRS weights and a bias into a ConvNetJS ConvLayer.
export function setConvWeights(layer, w, [K, C, R, S], bias) {
  for (let k = 0; k < K; k++) {
    const f = layer.filters[k];
    for (let c = 0; c < C; c++)
      for (let r = 0; r < R; r++)
        for (let s = 0; s < S; s++) f.w[(r * S + s) * C + c] = w[((k * C + c) * R + r) * S + s];
    layer.biases.w[k] = bias ? bias[k] : 0;
  }
}

// The filter gradient of a ConvNetJS ConvLayer as KCRS.
export function convWeightGrad(layer, [K, C, R, S]) {
  const out = new Float32Array(K * C * R * S);
  for (let k = 0; k < K; k++) {
    const f = layer.filters[k];
    for (let c = 0; c < C; c++)
      for (let r = 0; r < R; r++)
        for (let s = 0; s < S; s++) out[((k * C + c) * R + r) * S + s] = f.dw[(r * S + s) * C + c];
  }
  return out;
}
