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

// A view that draws only while its host can be seen. `show(fn)` runs fn now when the host is
// on screen (or near it), and otherwise keeps it, replacing any kept before, to run when the
// host scrolls into view: a view below the fold costs nothing while the worker streams
// updates (drawing views nobody saw took the page's thread, and with it a core, from
// training), yet shows the newest state the moment it is seen. Without IntersectionObserver
// every call runs at once.
export function whenOnScreen(host, { margin = '200px' } = {}) {
  let visible = true; // until the observer first reports: the first draw is never lost
  let pending = null;
  const flush = () => {
    const fn = pending;
    pending = null;
    if (!fn) return;
    host.dataset.draws = String(Number(host.dataset.draws ?? 0) + 1); // for tests
    fn();
  };
  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver((entries) => {
      visible = entries.at(-1).isIntersecting;
      if (visible) flush();
    }, { rootMargin: margin }).observe(host);
  }
  return {
    show(fn) {
      pending = fn;
      if (visible) flush();
    },
  };
}
