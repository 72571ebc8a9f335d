// Embedding as course platforms do it. A "course page" is served from a second origin (another
// port, no CSP) and embeds widgets (a) as a plain iframe, (b) in sandbox="allow-scripts" (an
// opaque origin: CORS for the module, the .wasm and the styles), (c) in sandbox="" (no
// scripts: the fallback must show), (d) through <convlab-widget>, (e) through the built H5P
// package played by h5p-standalone. Each checks that numbers shown match a plain-loop
// convolution computed here, that the widget is sized to its content, takes state from the page
// and reports changes. Requests to anything but 127.0.0.1 are failed, and any console error,
// failed or outside request is a failure.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { startServer, DIST } from '../../web/serve.mjs';
import { setup, openPage, results, close, SCREENSHOTS } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function convolveRef(f, h) {
  const out = new Array(f.length + h.length - 1).fill(0);
  for (let t = 0; t < f.length; t++) for (let k = 0; k < h.length; k++) out[t + k] += f[t] * h[k];
  return out;
}

// The course site: host.js adds an iframe (src and sandbox from the query), sizes it by the
// README's snippet, logs messages and says hello once the widget has reported.
const HOST_JS = `
window.log = [];
const q = new URLSearchParams(location.search);
const frame = document.createElement('iframe');
if (q.has('sandbox')) frame.setAttribute('sandbox', q.get('sandbox'));
frame.src = q.get('src');
frame.title = 'convlab widget';
frame.style.width = '100%';
frame.style.border = '0';
window.addEventListener('message', (e) => {
  window.log.push({ origin: e.origin, ...e.data });
  if (e.data?.type === 'convlab:state' && !window.helloSent) {
    window.helloSent = true;
    frame.contentWindow.postMessage({ type: 'convlab:hello' }, '*');
  }
});
window.addEventListener('message', (e) => {
  if (e.data?.type !== 'convlab:resize') return;
  for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';
});
document.body.append(frame);
`;
const page = (title, head, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title>${head}</head><body><h1>${title}</h1>${body}</body></html>`;

let env;
let course;
let dir;
before(async () => {
  env = await setup();
  dir = await mkdtemp(join(tmpdir(), 'convlab-course-'));
  await writeFile(join(dir, 'host.js'), HOST_JS);
  await writeFile(join(dir, 'frame.html'), page('A course page', '<script type="module" src="host.js"></script>', ''));
  await writeFile(join(dir, 'element.html'), page('A course page with elements',
    `<script type="module" src="${env.url}assets/convlab-widget.js"></script>`,
    `<convlab-widget id="a" name="toeplitz" state='{"h":[1,2,3],"f":[1,-1,2]}'></convlab-widget><p>Between the widgets.</p><convlab-widget id="b" name="flip"></convlab-widget>`));
  // h5p-standalone plays an extracted package: unzip the built one beside the player.
  const zip = await JSZip.loadAsync(await readFile(join(DIST, 'h5p', 'convlab-toeplitz.h5p')));
  for (const [path, entry] of Object.entries(zip.files)) {
    if (entry.dir) continue;
    await mkdir(dirname(join(dir, 'h5p', path)), { recursive: true });
    await writeFile(join(dir, 'h5p', path), await entry.async('nodebuffer'));
  }
  await cp(join(root, 'node_modules', 'h5p-standalone', 'dist'), join(dir, 'player'), { recursive: true });
  await writeFile(join(dir, 'h5p.js', ), `
window.xapi = [];
new H5PStandalone.H5P(document.getElementById('h5p'), { h5pJsonPath: 'h5p', frameJs: 'player/frame.bundle.js', frameCss: 'player/styles/h5p.css', embedType: 'div' })
  .then(() => { H5P.externalDispatcher.on('xAPI', (e) => window.xapi.push(e.data.statement)); window.h5pReady = true; });
`);
  await writeFile(join(dir, 'h5p.html'), page('A course page with H5P', '<script src="player/main.bundle.js"></script><script defer src="h5p.js"></script>', '<div id="h5p"></div>'));
  course = await startServer({ root: dir, port: 0, csp: null });
});
after(async () => {
  await env?.close();
  await course?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// A page allowed to reach the site and the course page only; anything else is failed.
// wasm, if given, collects the URLs of .wasm requests from the start.
async function coursePage(path, wasm = []) {
  const session = await openPage(env, { allowOrigins: [new URL(course.url).origin] });
  session.page.on('request', (r) => { if (/\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(r.url()); });
  await session.context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  await session.page.goto(`${course.url}${path}`);
  return session;
}

const log = (page, type) => page.evaluate((t) => window.log.filter((m) => m.type === t), type);

async function checkLiveFrame(sandbox, shot) {
  const src = `${env.url}embed/toeplitz.html?s=${encodeURIComponent('{"h":[1,2,3],"n":3,"f":[2,0,1]}')}`;
  const query = `src=${encodeURIComponent(src)}${sandbox === null ? '' : `&sandbox=${encodeURIComponent(sandbox)}`}`;
  const { page, context, problems } = await coursePage(`frame.html?${query}`);
  await page.waitForFunction(() => window.log.some((m) => m.type === 'convlab:hello'), null, { timeout: 45000 });
  const frame = page.frameLocator('iframe');
  const [hello] = await log(page, 'convlab:hello');
  assert.equal(hello.origin, new URL(course.url).origin, 'the channel is locked to the course page');
  assert.equal(hello.widget, 'toeplitz');
  const [first] = await log(page, 'convlab:state');
  assert.deepEqual(first.state, { h: [1, 2, 3], n: 3, f: [2, 0, 1] });
  const [Hf, conv] = await results(frame.locator('#embed'));
  assert.ok(close(Hf, convolveRef([2, 0, 1], [1, 2, 3])), `H f = ${Hf}`);
  assert.ok(close(conv, convolveRef([2, 0, 1], [1, 2, 3])));
  if (sandbox !== null) assert.equal(await page.frames()[1].evaluate(() => self.origin), 'null', 'the frame has an opaque origin');

  // Sized to its content by the resize messages.
  await page.waitForFunction(() => window.log.some((m) => m.type === 'convlab:resize' && m.height > 300));
  await page.waitForTimeout(300);
  const box = await page.locator('iframe').boundingBox();
  const reported = (await log(page, 'convlab:resize')).at(-1).height;
  assert.ok(Math.abs(box.height - reported) <= 1, `iframe ${box.height}px, content ${reported}px`);

  // State from the parent, and a malformed message refused by shape.
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'convlab:set-state', state: [1, 2] }, '*'));
  await page.waitForFunction(() => window.log.some((m) => m.type === 'convlab:error'));
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'convlab:set-state', state: { n: 4, f: [3, -1, 4, 1] } }, '*'));
  await page.waitForFunction(() => window.log.filter((m) => m.type === 'convlab:state').length >= 3);
  const states = await log(page, 'convlab:state');
  assert.deepEqual(states.at(-1).state, { h: [1, 2, 3], n: 4, f: [3, -1, 4, 1] });
  const from = sandbox === null ? new URL(env.url).origin : 'null';
  assert.ok(states.every((m) => m.origin === from), `messages come from ${from}`);
  const [Hf2] = await results(frame.locator('#embed'));
  assert.ok(close(Hf2, convolveRef([3, -1, 4, 1], [1, 2, 3])), `H f = ${Hf2}`);

  // A change by the user is reported.
  const before = (await log(page, 'convlab:state')).length;
  await frame.locator('input[type=range]').first().focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((n) => window.log.filter((m) => m.type === 'convlab:state').length > n, before);
  assert.equal((await log(page, 'convlab:state')).at(-1).state.n, 3);

  await page.screenshot({ path: join(SCREENSHOTS, shot), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
}

test('(a) a plain iframe on another origin: computes, resizes, takes state, reports changes, locks to its parent', async () => {
  await checkLiveFrame(null, 'embed-course-plain.png');
});

test('(b) sandbox="allow-scripts" (opaque origin): the same, with CORS and no storage', async () => {
  await checkLiveFrame('allow-scripts', 'embed-course-sandboxed.png');
});

test('(c) sandbox="" (no scripts): the fallback shows the title, a still image and a new-tab link', async () => {
  const src = `${env.url}embed/toeplitz.html`;
  const { page, context, problems } = await coursePage(`frame.html?sandbox=&src=${encodeURIComponent(src)}`);
  const frame = page.frameLocator('iframe');
  await frame.locator('.embed-fallback img').waitFor();
  assert.match(await frame.locator('.embed-title').textContent(), /Toeplitz matrix/);
  const img = frame.locator('.embed-fallback img');
  const natural = await img.evaluate((i) => (i.complete ? i.naturalWidth : 0));
  assert.ok(natural > 300, `the still image loaded (${natural}px wide)`);
  const link = frame.locator('.embed-fallback a');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.evaluate((a) => a.href), src);
  await page.waitForTimeout(500);
  assert.deepEqual(await page.evaluate(() => window.log), [], 'no script ran in the frame');
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-course-noscript.png'), fullPage: true });
  // Chromium reports the blocked module script itself; that is the sandbox working.
  assert.deepEqual(problems.filter((p) => !/Blocked script execution .* sandboxed/.test(p)), []);
  await context.close();
});

test('(d) <convlab-widget>: two on a page share one core, reflect state, fire change', async () => {
  const wasm = [];
  const { page, context, problems } = await coursePage('element.html', wasm);
  const a = page.locator('#a');
  await a.locator('.result').first().waitFor({ timeout: 45000 });
  await page.locator('#b .result').first().waitFor();
  await page.evaluate(() => {
    window.changes = [];
    for (const e of document.querySelectorAll('convlab-widget')) e.addEventListener('change', (ev) => window.changes.push({ id: e.id, state: ev.detail.state }));
  });
  assert.deepEqual(wasm, [`${env.url}wasm/convlab_wasm.wasm`], 'one core for the page');
  assert.deepEqual(JSON.parse(await a.getAttribute('state')), { h: [1, 2, 3], n: 3, f: [1, -1, 2] });
  const [Hf] = await results(a);
  assert.ok(close(Hf, convolveRef([1, -1, 2], [1, 2, 3])));
  const sized = await a.evaluate((e) => [e.getBoundingClientRect().height, e.shadowRoot.querySelector('.widget').getBoundingClientRect().height]);
  assert.ok(sized[0] > 300 && Math.abs(sized[0] - sized[1]) <= 1, `the element is as tall as its content (${sized})`);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('h1')).fontFamily.includes('system-ui')), false, "the site's styles stay out of the page");

  await a.evaluate((e) => e.setAttribute('state', '{"n":4,"f":[0,1,0,2]}'));
  await page.waitForFunction(() => window.changes.length >= 1);
  assert.deepEqual(await page.evaluate(() => window.changes[0]), { id: 'a', state: { h: [1, 2, 3], n: 4, f: [0, 1, 0, 2] } });
  const [Hf2] = await results(a);
  assert.ok(close(Hf2, convolveRef([0, 1, 0, 2], [1, 2, 3])));
  assert.deepEqual(JSON.parse(await a.getAttribute('state')).f, [0, 1, 0, 2]);

  await page.locator('#b input[type=checkbox]').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.changes.some((c) => c.id === 'b'));
  assert.equal(JSON.parse(await page.locator('#b').getAttribute('state')).flip, true);
  assert.equal(new URL(page.url()).search, '', "the course page's URL is left alone");
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-course-element.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('(e) the H5P package in h5p-standalone: the widget runs and answers are reported as xAPI', async () => {
  const wasm = [];
  const { page, context, problems } = await coursePage('h5p.html', wasm);
  await page.waitForFunction(() => window.h5pReady, null, { timeout: 45000 });
  const w = page.locator('convlab-widget');
  await w.locator('.result').first().waitFor({ timeout: 45000 });
  const state = JSON.parse(await w.getAttribute('state'));
  assert.deepEqual(state.h, [1, 2, 3]);
  assert.equal(state.n, 6);
  const full = convolveRef(state.f, state.h);
  const [Hf] = await results(w);
  assert.ok(close(Hf, full));
  assert.ok((await w.boundingBox()).height > 300, 'sized to its content');
  assert.deepEqual(wasm, [], 'the package carries the core inside its module (H5P hosts refuse .wasm files)');
  await page.evaluate(() => {
    window.changes = [];
    document.querySelector('convlab-widget').addEventListener('change', (e) => window.changes.push(e.detail.state));
  });
  await w.locator('input[type=range]').first().focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.changes.length > 0);
  assert.equal(await page.evaluate(() => window.changes.at(-1).n), 7);

  await page.locator('.h5p-convlab-answer').fill(String(full[3] + 1));
  await page.locator('.h5p-convlab-check').click();
  await page.locator('.h5p-convlab-answer').fill(String(full[3]));
  await page.locator('.h5p-convlab-check').click();
  await page.waitForFunction(() => window.xapi.some((s) => s.verb.id.endsWith('/completed')));
  const scored = await page.evaluate(() => window.xapi.filter((s) => s.result).map((s) => ({ verb: s.verb.id.split('/').at(-1), ...s.result })));
  assert.deepEqual(scored.map((s) => [s.verb, s.success, s.score.raw, s.score.max]), [['answered', false, 0, 1], ['answered', true, 1, 1], ['completed', true, 1, 1]]);
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-course-h5p.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
