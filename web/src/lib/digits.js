// digits.js: ten real MNIST digits for the lesson widgets, one per class (the data in
// digits-data.js, written by lessons/assets/make_digits.mjs), so widgets show real handwriting
// without fetching the training page's data set.
import { PACKED } from './digits-data.js';

let cache = null;

// digit(d) -> Float32Array(784), row-major 28x28, intensities in [0, 1].
export function digit(d) {
  if (!cache) {
    const s = atob(PACKED);
    cache = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) cache[i] = s.charCodeAt(i);
  }
  const out = new Float32Array(784);
  for (let i = 0; i < 784; i++) out[i] = cache[d * 784 + i] / 255;
  return out;
}
