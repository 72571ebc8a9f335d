// throttle.js: hand the newest of a stream of values to `show` at most every `ms`
// milliseconds. A value arriving sooner waits for its turn and is replaced by any newer one,
// so the last value is always shown (on the trailing edge) and none in between piles up.
// `show` returning false means it showed nothing; the next value may then come at once.

export function newestEvery(ms, show) {
  let pending;
  let waiting = false;
  let shown = -Infinity;
  const flush = () => {
    waiting = false;
    const value = pending;
    pending = undefined;
    if (show(value) !== false) shown = performance.now();
  };
  return (value) => {
    pending = value;
    if (waiting) return;
    waiting = true;
    setTimeout(flush, Math.max(0, shown + ms - performance.now()));
  };
}
