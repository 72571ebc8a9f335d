// random.js: seeded pseudo-random numbers for the lesson widgets' synthetic data (mulberry32
// and Box-Muller). Data generation only: no model math lives here.

export function rng(seed) {
  let a = (seed >>> 0) || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r) {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

// n numbers uniform in [lo, hi), rounded to 2 decimals so they read well in tables.
export function uniformArray(r, n, lo = -1, hi = 1) {
  return Float32Array.from({ length: n }, () => Math.round(100 * (lo + (hi - lo) * r())) / 100);
}
