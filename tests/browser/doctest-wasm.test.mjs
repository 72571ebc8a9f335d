// The native doctest suite compiled to WebAssembly (build/wasm-tests, built by
// tests/wasm/build.sh, which scripts/test.sh runs before this tier), run in headless Chromium:
// one page per test file, which imports tests/wasm/doctest-driver.mjs and the module, fetches
// the .wasm and tests/fixtures/*.txt, and calls doctest's main. The same modules also run in
// Node (tests/wasm/run-node.mjs); here they meet the browser's V8 flags, SIMD and exceptions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../web/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = join(root, 'build', 'wasm-tests', 'doctest-modules');
const names = readdirSync(join(root, 'tests', 'native'))
  // test_threads needs several threads: not in the single-threaded modules (tests/wasm/CMakeLists.txt)
  .filter((f) => /^test_.*\.cpp$/.test(f) && f !== 'test_threads.cpp')
  .map((f) => f.replace(/\.cpp$/, ''))
  .sort();
const fixtureNames = readdirSync(join(root, 'tests', 'fixtures')).filter((f) => f.endsWith('.txt'));

let server;
let browser;
before(async () => {
  // Served from the repository root on loopback: the driver, the modules and the fixtures.
  server = await startServer({ root, port: 0, csp: null });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const name of names) {
  test(`doctest ${name} in Chromium (WebAssembly)`, async (t) => {
    assert.ok(existsSync(join(buildDir, `${name}.js`)), `${name}.js is missing: run bash tests/wasm/build.sh first`);
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await page.goto(`${server.url}tests/wasm/index.html`);
      const result = await page.evaluate(async ({ name, fixtureNames }) => {
        const bytes = async (url) => {
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
          return new Uint8Array(await response.arrayBuffer());
        };
        const { runDoctestModule } = await import('/tests/wasm/doctest-driver.mjs');
        const { default: factory } = await import(`/build/wasm-tests/doctest-modules/${name}.js`);
        const fixtures = await Promise.all(fixtureNames.map(async (f) => [f, await bytes(`/tests/fixtures/${f}`)]));
        const wasmBinary = await bytes(`/build/wasm-tests/doctest-modules/${name}.wasm`);
        return runDoctestModule({ factory, wasmBinary, fixtures });
      }, { name, fixtureNames });
      assert.deepEqual(problems, []);
      assert.ok(result.ok, `${name} failed in Chromium (exit ${result.status}):\n${result.output}`);
      const { testCases, assertions } = result.summary;
      t.diagnostic(`${testCases.passed} test cases, ${assertions?.passed} assertions passed`);
    } finally {
      await page.close();
    }
  });
}
