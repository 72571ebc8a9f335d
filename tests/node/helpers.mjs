// helpers.mjs: what every Node test file shares: the one loaded module, the JSON fixtures of
// tests/fixtures/generate_node.py (numpy / PyTorch values), and the comparison rule of
// API.md: 1e-4 relative to the largest magnitude of the reference.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { load } from 'convlab';

export const cl = await load();

export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

// Asserts |actual - expected| <= tol * max|expected| element-wise, printing `what` and the
// first offending index on failure.
export function assertClose(actual, expected, what, tol = 1e-4) {
  assert.ok(actual instanceof Float32Array, `${what}: expected a Float32Array, got ${actual?.constructor?.name}`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  const bound = tol * Math.max(scale, 1e-6);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= bound)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|diff| ${d} > ${bound}, scale ${scale})`);
    }
  }
}

// A scalar to 1e-4 relative.
export function assertNear(actual, expected, what, tol = 1e-4) {
  const bound = tol * Math.max(Math.abs(expected), 1e-3);
  assert.ok(Math.abs(actual - expected) <= bound, `${what}: got ${actual}, expected ${expected}`);
}

export const f32 = (values) => new Float32Array(values);
