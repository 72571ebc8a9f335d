// shift.js: shift robustness, the held-out accuracy of a trained network on test digits
// moved by 0, 1, 2, 3 and 4 pixels. The stated choice: a shift of s pixels is taken in each
// of the four directions (right, left, down, up; the gap filled with background, as the
// training page's augmentation does) and the four accuracies are averaged; shift 0 is the
// plain held-out accuracy. Pure: the network is reached through a callback.

import { writeExample } from '../augmentation.js';

export const SHIFTS = Object.freeze([0, 1, 2, 3, 4]);
export const CHUNK = 250; // the run's evaluation chunk, so that shift 0 repeats it exactly

// [dy, dx] offsets for a shift of s pixels.
export function directions(s) {
  return s === 0 ? [[0, 0]] : [[0, s], [0, -s], [s, 0], [-s, 0]];
}

// test: { n, labels, pixels }; evaluate(x, labels, count) -> number correct, where x and
// labels are the staged inputs for `count` examples: stage(count) -> { x, labels }.
// Returns { shifts, acc: [...], n }.
export function robustness(test, side, norm, { stage, evaluate }, shifts = SHIFTS) {
  const size = side * side;
  const acc = shifts.map((s) => {
    const dirs = directions(s);
    let correct = 0;
    for (const [dy, dx] of dirs) {
      for (let start = 0; start < test.n; start += CHUNK) {
        const count = Math.min(CHUNK, test.n - start);
        const { x, labels } = stage(count);
        for (let i = 0; i < count; i++) writeExample(x, i * size, test.pixels, start + i, side, dy, dx, norm);
        labels.set(test.labels.subarray(start, start + count));
        correct += evaluate(x, labels, count);
      }
    }
    return correct / (dirs.length * test.n);
  });
  return { shifts: [...shifts], acc, n: test.n };
}
