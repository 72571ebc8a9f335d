// random.js: the one seeded pseudo-random number generator of the site (mulberry32: 32-bit
// state, fast, good enough for shuffling and synthetic data; not cryptographic), shared by the
// data packer (the fixed train/test split), the training recipe (shuffling, augmentation
// shifts), the lesson widgets' synthetic data and the tests, so that the same seed gives the
// same numbers in Node, in a worker and at build time. Data generation only: no model math.

// Returns a function giving uniform floats in [0, 1). seed: any integer (taken mod 2^32).
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Integer in [0, n).
export function randInt(rand, n) {
  return Math.floor(rand() * n);
}

// Fisher-Yates shuffle of a typed or plain array, in place; returns it.
export function shuffleInPlace(array, rand) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randInt(rand, i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t;
  }
  return array;
}

// The identity permutation 0..n-1 shuffled with `rand`.
export function permutation(n, rand) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, rand);
}

// The widgets' generator: seed 0 is taken as 1 so that a zero in URL state still varies.
export function rng(seed) {
  return mulberry32((seed >>> 0) || 1);
}

export function gaussian(r) {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

// n numbers uniform in [lo, hi), rounded to 2 decimals so they read well in tables.
export function uniformArray(r, n, lo = -1, hi = 1) {
  return Float32Array.from({ length: n }, () => Math.round(100 * (lo + (hi - lo) * r())) / 100);
}
