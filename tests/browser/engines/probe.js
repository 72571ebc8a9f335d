// probe.js: served by the engine tests' proxy (engines.mjs) as the first script of every
// page, because WebKitWebDriver speaks classic WebDriver only and has no console or error
// events: the page itself records its console errors, uncaught errors, rejected promises and
// resources that failed to load, and the test reads window.__engineProblems.
(() => {
  const problems = [];
  window.__engineProblems = problems;
  const text = (v) => (v instanceof Error ? `${v.name}: ${v.message}` : String(v));
  const error = console.error.bind(console);
  console.error = (...args) => {
    problems.push(`console: ${args.map(text).join(' ')}`);
    error(...args);
  };
  // Capture phase: a <script> or <link> that fails to load fires a non-bubbling error event.
  addEventListener('error', (e) => {
    if (e.target && e.target !== window) problems.push(`failed to load: ${e.target.src ?? e.target.href ?? e.target.tagName}`);
    else problems.push(`pageerror: ${e.message}`);
  }, true);
  addEventListener('unhandledrejection', (e) => problems.push(`unhandled rejection: ${text(e.reason)}`));
})();
