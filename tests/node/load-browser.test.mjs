// load-browser.test.mjs: the loading contract outside Node, in headless Chromium under a
// strict Content-Security-Policy (no eval; 'wasm-unsafe-eval' only): convlab.js imported
// unbundled (default .wasm location), an esbuild ES-module bundle given wasmUrl, a module
// worker (unbundled and bundled) and a classic worker (IIFE bundle, no import.meta). Each
// computes a convolution, reports version and simd, and gets a named RangeError for a bad
// argument. Skips when Chromium is not installed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}`;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const WASM = '/build/wasm/convlab_wasm.wasm';

// One probe, shared by page and workers: a result string or 'ERR <message>'.
const probe = `
  export async function probe(load, options) {
    try {
      const cl = await load(options);
      const y = Array.from(cl.convolve(new Float32Array([1, 2, 3]), new Float32Array([1, 1]))).join(',');
      let named = 'no error';
      try { cl.conv2d(new Float32Array(9), [1, 1, 3, 3], new Float32Array(16), [1, 1, 4, 4]); } catch (e) { named = e.constructor.name + ' ' + e.message.split(':')[0]; }
      return [cl.version, cl.simd, y, named].join(' | ');
    } catch (e) { return 'ERR ' + e.message; }
  }`;

const sources = {
  'probe.js': probe,
  'page.js': `
    import { probe } from './probe.js';
    const results = {};
    const { load } = await import('/web/bindings/convlab.js');
    results.unbundled = await probe(load);
    results.bundled = await (await import('./bundle-page.js')).run();
    const worker = (url, type) => new Promise((resolve) => {
      const w = new Worker(url, type ? { type } : {});
      w.onmessage = (e) => { resolve(e.data); w.terminate(); };
      w.onerror = (e) => resolve('ERR ' + e.message);
      w.postMessage('${WASM}');
    });
    results.moduleWorker = await worker('./worker-src.js', 'module');
    results.moduleWorkerBundled = await worker('./bundle-worker-esm.js', 'module');
    results.classicWorkerBundled = await worker('./bundle-worker-iife.js');
    // A second copy of the bundle has its own (not yet loaded) instance.
    const fresh = await import('./bundle-fresh.js');
    let badUrl = '';
    try { await fresh.loadFrom('/build/wasm/missing.wasm'); } catch (e) { badUrl = e.message; }
    results.badUrl = badUrl;
    results.retry = await fresh.run();
    // The policy is really in force (so the loads above ran without eval / new Function).
    try { (0, eval)('1'); results.evalBlocked = false; } catch { results.evalBlocked = true; }
    window.results = results;`,
  'entry-page.js': `
    import { load } from '${root}web/bindings/convlab.js';
    import { probe } from './probe.js';
    export const run = () => probe(load, { wasmUrl: '${WASM}' });
    export const loadFrom = (url) => load({ wasmUrl: url });`,
  'entry-worker.js': `
    import { load } from '${root}web/bindings/convlab.js';
    import { probe } from './probe.js';
    self.onmessage = async (e) => self.postMessage(await probe(load, { wasmUrl: e.data }));`,
  'worker-src.js': `
    import { load } from '/web/bindings/convlab.js';
    import { probe } from './probe.js';
    self.onmessage = async () => self.postMessage(await probe(load));`,
  'index.html': '<!doctype html><meta charset="utf-8"><title>load</title><script type="module" src="./page.js"></script>',
};

let dir;
let server;
let browser;
let results;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'convlab-load-'));
  for (const [name, text] of Object.entries(sources)) writeFileSync(join(dir, name), text);
  const { build } = await import('esbuild');
  const common = { bundle: true, logLevel: 'silent', absWorkingDir: dir };
  await build({ ...common, entryPoints: [join(dir, 'entry-page.js')], format: 'esm', outfile: join(dir, 'bundle-page.js') });
  await build({ ...common, entryPoints: [join(dir, 'entry-page.js')], format: 'esm', outfile: join(dir, 'bundle-fresh.js') });
  await build({ ...common, entryPoints: [join(dir, 'entry-worker.js')], format: 'esm', outfile: join(dir, 'bundle-worker-esm.js') });
  await build({ ...common, entryPoints: [join(dir, 'entry-worker.js')], format: 'iife', outfile: join(dir, 'bundle-worker-iife.js') });

  const types = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };
  server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const file = path.startsWith('/t/') ? join(dir, normalize(path.slice(3))) : join(root, normalize(path));
    if (!existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'",
    });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/t/index.html`);
  await page.waitForFunction(() => window.results, null, { timeout: 60000 });
  results = await page.evaluate(() => window.results);
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const expected = `${pkg.version} | true | 1,3,5,3 | RangeError wShape`;

for (const where of ['unbundled', 'bundled', 'moduleWorker', 'moduleWorkerBundled', 'classicWorkerBundled']) {
  test(`loads and computes: ${where}`, { skip }, () => {
    assert.equal(results[where], expected);
  });
}

test('a wrong wasmUrl rejects with a message naming it, and a retry loads', { skip }, () => {
  assert.match(results.badUrl, /missing\.wasm/);
  assert.equal(results.retry, expected);
});

test('the Content-Security-Policy forbade eval throughout', { skip }, () => {
  assert.equal(results.evalBlocked, true);
});
