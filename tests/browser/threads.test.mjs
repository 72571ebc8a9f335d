// threads.test.mjs: the threads in Chromium. The training page is cross-origin isolated (COOP
// + COEP from the server, as dist/_headers says for static hosts), so its worker loads the
// threaded module with the cores Chromium reports (2 here) and trains on it; an embed page
// inside a sandboxed iframe on another origin is not isolated, loads the single-threaded
// module, and still computes the right numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, DIST } from '../../web/serve.mjs';
import { setup, openPage, results, close, trainSteps, waitTrainState } from './helpers.mjs';

let env;
let course;
let dir;
before(async () => {
  env = await setup();
  dir = await mkdtemp(join(tmpdir(), 'convlab-threads-'));
  await writeFile(join(dir, 'host.js'), `
window.log = [];
const frame = document.createElement('iframe');
frame.setAttribute('sandbox', 'allow-scripts');
frame.src = new URLSearchParams(location.search).get('src');
window.addEventListener('message', (e) => window.log.push(e.data));
document.body.append(frame);
`);
  await writeFile(join(dir, 'frame.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>course</title><script type="module" src="host.js"></script></head><body></body></html>');
  course = await startServer({ root: dir, port: 0, csp: null });
});
after(async () => {
  await env?.close();
  await course?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Paths under /wasm/ the page and its workers request, from the start.
function wasmRequests(context) {
  const seen = [];
  context.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.includes('/wasm/')) seen.push(pathname.slice(pathname.lastIndexOf('/') + 1));
  });
  return seen;
}

test('the training page is cross-origin isolated and trains on the threaded module', async () => {
  const { page, context, problems } = await openPage(env, { width: 1200, height: 900 });
  const wasm = wasmRequests(context);
  const response = await page.goto(`${env.url}train.html`);
  assert.equal(response.headers()['cross-origin-opener-policy'], 'same-origin');
  assert.equal(response.headers()['cross-origin-embedder-policy'], 'require-corp');
  await waitTrainState(page, 'idle', 60000);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.ok(cores >= 2, `Chromium reports ${cores} cores`);
  const worker = page.workers().find((w) => w.url().endsWith('/train-worker.js'));
  assert.ok(worker, 'the training worker runs');
  assert.equal(await worker.evaluate(() => self.crossOriginIsolated), true, 'the training worker is isolated too');
  await trainSteps(page, 20);
  // load()'s default there: min(cores, 8) threads, so the threaded module and its workers
  assert.ok(wasm.includes('convlab_wasm_mt.wasm'), `requests: ${wasm.join(', ')}`);
  // one pthread worker per thread but the calling one: cl.threads = min(cores, 8) there
  const workers = wasm.filter((f) => f === 'convlab_wasm_mt.worker.js').length;
  assert.equal(workers, Math.min(cores, 8) - 1, `requests: ${wasm.join(', ')}`);
  // The page thread only checks designs: it loads the single-threaded module on purpose.
  assert.equal(wasm.filter((f) => f === 'convlab_wasm.wasm').length, 1, `requests: ${wasm.join(', ')}`);
  assert.ok(Number(await page.evaluate(() => document.getElementById('train').dataset.trainPoints)) > 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('dist/_headers isolates the site\'s pages for static hosts, and not the embed pages', async () => {
  const file = await readFile(join(DIST, '_headers'), 'utf8');
  const block = (path) => file.split('\n\n').find((b) => b.startsWith(`${path}\n`)) ?? '';
  for (const path of ['/train.html', '/lessons/*', '/']) {
    assert.match(block(path), /Cross-Origin-Opener-Policy: same-origin/, path);
    assert.match(block(path), /Cross-Origin-Embedder-Policy: require-corp/, path);
  }
  assert.match(block('/wasm/*'), /Cross-Origin-Embedder-Policy: require-corp/);
  for (const path of ['/embed.html', '/embed/*', '/embed-this/*']) {
    assert.doesNotMatch(block(path), /Cross-Origin-(Opener|Embedder)-Policy/, path);
  }
  const embed = await fetch(`${env.url}embed/toeplitz.html`);
  assert.equal(embed.headers.get('cross-origin-opener-policy'), null);
  assert.equal(embed.headers.get('cross-origin-embedder-policy'), null);
});

test('an embed page in a sandboxed iframe on another origin runs single-threaded', async () => {
  const session = await openPage(env, { allowOrigins: [new URL(course.url).origin] });
  const { page, context, problems } = session;
  const wasm = wasmRequests(context);
  const src = `${env.url}embed/toeplitz.html?s=${encodeURIComponent('{"h":[1,2,3],"n":3,"f":[2,0,1]}')}`;
  await page.goto(`${course.url}frame.html?src=${encodeURIComponent(src)}`);
  await page.waitForFunction(() => window.log.some((m) => m.type === 'convlab:state'), null, { timeout: 45000 });
  const frame = page.frames()[1];
  assert.equal(await frame.evaluate(() => self.crossOriginIsolated), false);
  const [Hf] = await results(page.frameLocator('iframe').locator('#embed'));
  assert.ok(close(Hf, [2, 4, 7, 2, 3]), `H f = ${Hf}`);
  assert.ok(wasm.includes('convlab_wasm.wasm'), `requests: ${wasm.join(', ')}`);
  assert.ok(!wasm.some((f) => f.startsWith('convlab_wasm_mt')), `requests: ${wasm.join(', ')}`);
  assert.deepEqual(problems, []);
  await context.close();
});
