// The build's embedding outputs, read from dist/ and from the server: the headers (CSP with
// frame-ancestors * only on embed pages, never unsafe-eval, CORS everywhere), dist/_headers
// saying the same, the oEmbed JSON and its discovery link, and the "Embed this" page with the
// state from its URL in every snippet.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST } from '../../web/serve.mjs';
import { setup, openPage } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('the server sends frame-ancestors * on embed pages only, CORS on the module and the .wasm', async () => {
  const get = async (path) => (await fetch(`${env.url}${path}`)).headers;
  for (const path of ['embed/toeplitz.html', 'embed.html']) {
    const csp = (await get(path)).get('content-security-policy');
    assert.match(csp, /frame-ancestors \*/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  }
  for (const path of ['index.html', 'lessons/07-toeplitz.html', 'embed-this/toeplitz.html']) {
    const csp = (await get(path)).get('content-security-policy');
    assert.match(csp, /frame-ancestors 'self'/, path);
    assert.doesNotMatch(csp, /'unsafe-eval'/);
  }
  for (const path of ['assets/convlab-widget.js', 'assets/embed.js', 'wasm/convlab_wasm.wasm', 'oembed/toeplitz.json']) {
    assert.equal((await get(path)).get('access-control-allow-origin'), '*', path);
  }
  const file = await readFile(join(DIST, '_headers'), 'utf8');
  assert.match(file, /\/embed\/\*\n {2}Content-Security-Policy: [^\n]*frame-ancestors \*/);
  assert.match(file, /\/lessons\/\*\n {2}Content-Security-Policy: [^\n]*frame-ancestors 'self'/);
  assert.match(file, /\/\*\n[^/]*Access-Control-Allow-Origin: \*/);
  assert.doesNotMatch(file, /'unsafe-eval'/);
});

test('oEmbed: a rich response per widget, discovered from its embed page', async () => {
  const json = JSON.parse(await readFile(join(DIST, 'oembed', 'toeplitz.json'), 'utf8'));
  assert.equal(json.type, 'rich');
  assert.equal(json.provider_name, 'convlab');
  assert.match(json.title, /Toeplitz/);
  assert.match(json.html, /^<iframe src="[^"]*embed\/toeplitz\.html"/);
  assert.ok(json.width > 0 && json.height > 0);
  const html = await readFile(join(DIST, 'embed', 'toeplitz.html'), 'utf8');
  assert.match(html, /<link rel="alternate" type="application\/json\+oembed" href="[^"]*oembed\/toeplitz\.json"/);
});

test('"Embed this" fills the state from its URL into every snippet', async () => {
  const { page, context, problems } = await openPage(env);
  const state = { h: [1, 2], n: 4, f: [1, 0, 0, 1] };
  await page.goto(`${env.url}embed-this/toeplitz.html?s=${encodeURIComponent(JSON.stringify(state))}`);
  await page.waitForSelector('html[data-ready="true"]');
  const code = (id) => page.locator(`[data-snippet="${id}"] code`).textContent();
  const site = env.url;
  const src = `${site}embed/toeplitz.html?s=${encodeURIComponent(JSON.stringify(state))}`;
  assert.ok((await code('iframe')).includes(`src="${src.replace(/&/g, '&amp;')}"`), await code('iframe'));
  assert.ok((await code('lms')).includes('height="'));
  assert.doesNotMatch(await code('lms'), /<script/);
  const element = await code('element');
  assert.ok(element.includes(`src="${site}assets/convlab-widget.js"`));
  assert.ok(element.includes(`<convlab-widget name="toeplitz" state='${JSON.stringify(state)}'></convlab-widget>`), element);
  assert.match(await code('myst'), /^:::\{iframe\} http/);
  assert.match(await code('quarto'), /^```\{=html\}\n<script type="module"/);
  assert.equal(await code('h5p'), `${site}h5p/convlab-toeplitz.h5p`);
  assert.equal(await page.locator('a[href="../h5p/convlab-toeplitz.h5p"]').count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a lesson widget links to its "Embed this" page with its state', async () => {
  const { page, context, problems } = await openPage(env);
  await page.goto(`${env.url}lessons/07-toeplitz.html`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 45000 });
  const link = page.locator('.widget[data-widget="toeplitz"] a.embed-this').first();
  await link.focus();
  const href = new URL(await link.getAttribute('href'));
  assert.equal(href.pathname, '/embed-this/toeplitz.html');
  assert.deepEqual(Object.keys(JSON.parse(href.searchParams.get('s'))).sort(), ['f', 'h', 'n']);
  assert.deepEqual(problems, []);
  await context.close();
});
