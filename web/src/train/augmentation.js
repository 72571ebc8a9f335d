// augmentation.js: how digits become network inputs: normalisation, the small random shifts
// of data augmentation, and the seeded streams of random numbers that shuffle each epoch and
// draw its shifts, so that a run resumed in the middle of an epoch draws the same numbers as
// one that never stopped. Bytes in, floats out; no network calls.

import { mulberry32, permutation, randInt } from '../lib/random.js';

// Pixel normalisation (the training set's mean and standard deviation of intensities in
// [0, 1], rounded): inputs of zero mean and unit variance keep the default learning rate
// right for both data sets.
export const NORMALISATION = {
  mnist: { mean: 0.1307, std: 0.3081 },
  fashion: { mean: 0.286, std: 0.353 },
};

export function normalisationOf(id) {
  return NORMALISATION[id] ?? { mean: 0.5, std: 0.5 };
}

// Independent streams of random numbers per (seed, epoch, purpose).
function streamSeed(seed, epoch, purpose) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [epoch, purpose]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}
const SHUFFLE = 1;
const SHIFTS = 2;

// The order of the training examples in `epoch`, and its shift generator advanced past the
// `position` examples already seen (two draws each).
export function epochStreams(seed, epoch, n, position) {
  const order = permutation(n, mulberry32(streamSeed(seed, epoch, SHUFFLE)));
  const shiftRand = mulberry32(streamSeed(seed, epoch, SHIFTS));
  for (let i = 0; i < 2 * position; i++) shiftRand();
  return { order, shiftRand };
}

// One shift in [-shift, shift] per axis: [dy, dx].
export function drawShift(rand, shift) {
  const dy = randInt(rand, 2 * shift + 1) - shift;
  const dx = randInt(rand, 2 * shift + 1) - shift;
  return [dy, dx];
}

// Copies example k of `pixels` (n x side x side bytes) into `dst` at `offset`, moved by
// (dy, dx) pixels with background filling the gap, and normalised.
export function writeExample(dst, offset, pixels, k, side, dy, dx, norm) {
  const size = side * side;
  const src = k * size;
  const scale = 1 / (255 * norm.std);
  const bg = -norm.mean / norm.std;
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    const row = offset + y * side;
    if (sy < 0 || sy >= side) {
      dst.fill(bg, row, row + side);
      continue;
    }
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      dst[row + x] = sx < 0 || sx >= side ? bg : pixels[src + sy * side + sx] * scale + bg;
    }
  }
}

// Float inputs for examples `indices` of a data-set part, without shifts.
export function inputsOf(part, indices, side, norm) {
  const x = new Float32Array(indices.length * side * side);
  indices.forEach((k, i) => writeExample(x, i * side * side, part.pixels, k, side, 0, 0, norm));
  return x;
}
