// The embed page inside an iframe of another origin, using the snippet the README gives to
// integrators: the frame reports its state on load, sizes itself through convlab:resize,
// accepts convlab:set-state (validated: a bad one answers convlab:error and changes nothing),
// and reports each change. Values are checked against the core in Node.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'convlab';
import { startServer } from '../../web/serve.mjs';
import { setup, openPage, results, close, SCREENSHOTS } from './helpers.mjs';

let env;
let cl;
before(async () => {
  env = await setup();
  cl = await load();
});
after(async () => { await env?.close(); });

// The course page lives on another origin: a second static server (same code, another
// port) serving tests/browser/fixtures/host/, whose host.js carries the README's snippet.
// (An intercepted made-up host would be refused by Chromium's local-network checks.)
let hostServer;
before(async () => {
  hostServer = await startServer({ root: join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'host'), port: 0, csp: null });
});
after(async () => { await hostServer?.close(); });

async function hostSession(src) {
  const session = await openPage(env, { allowOrigins: [new URL(hostServer.url).origin] });
  await session.page.goto(`${hostServer.url}index.html?src=${encodeURIComponent(src)}`);
  return session;
}

test('the embed page works inside an iframe: state, resize, set-state, errors', async () => {
  const src = `${env.url}embed.html?widget=toeplitz&s=${encodeURIComponent('{"h":[1,2,3],"n":6}')}`;
  const { page, context, problems } = await hostSession(src);
  const log = (type) => page.evaluate((t) => window.log.filter((m) => m?.type === t), type);
  await page.waitForFunction(() => window.log.some((m) => m?.type === 'convlab:state'), null, { timeout: 45000 });
  const [first] = await log('convlab:state');
  assert.equal(first.widget, 'toeplitz');
  assert.equal(first.state.n, 6);
  assert.deepEqual(first.state.h, [1, 2, 3]);

  await page.waitForFunction(() => window.log.some((m) => m?.type === 'convlab:resize' && m.height > 200));
  const frameEl = page.locator('iframe');
  const { height } = await frameEl.boundingBox();
  const reported = (await log('convlab:resize')).at(-1).height;
  assert.ok(Math.abs(height - reported) <= 1, `iframe is ${height}px, content ${reported}px`);

  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'convlab:set-state', state: { n: 3, f: [1, -1, 2] } }, '*'));
  await page.waitForFunction(() => window.log.filter((m) => m?.type === 'convlab:state').length >= 2);
  const second = (await log('convlab:state')).at(-1);
  assert.deepEqual(second.state, { h: [1, 2, 3], n: 3, f: [1, -1, 2] });
  const frame = page.frameLocator('iframe');
  const [Hf] = await results(frame.locator('#embed'));
  assert.ok(close(Hf, Array.from(cl.convolve(Float32Array.from([1, -1, 2]), Float32Array.from([1, 2, 3])))));

  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'convlab:set-state', state: { n: 'many' } }, '*'));
  await page.waitForFunction(() => window.log.some((m) => m?.type === 'convlab:error'));
  assert.match((await log('convlab:error'))[0].message, /"n"/);
  const [HfAfter] = await results(frame.locator('#embed'));
  assert.deepEqual(HfAfter, Hf, 'a rejected state changes nothing');
  assert.equal((await log('convlab:state')).length, 2, 'a rejected state is not reported as a change');

  await page.screenshot({ path: join(SCREENSHOTS, 'embed-in-iframe.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the embed page reports a change made by the user', async () => {
  const { page, context, problems } = await hostSession(`${env.url}embed.html?widget=flip`);
  await page.waitForFunction(() => window.log.some((m) => m?.type === 'convlab:state'), null, { timeout: 45000 });
  const frame = page.frameLocator('iframe');
  await frame.locator('input[type=checkbox]').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.log.filter((m) => m?.type === 'convlab:state').length >= 2);
  const states = await page.evaluate(() => window.log.filter((m) => m?.type === 'convlab:state'));
  assert.equal(states[0].state.flip, false);
  assert.equal(states.at(-1).state.flip, true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an unknown widget name shows an error box listing the known ones', async () => {
  const { page, context, problems } = await openPage(env);
  await page.goto(`${env.url}embed.html?widget=${encodeURIComponent('<b>nope</b>')}`);
  await page.waitForSelector('html[data-ready="true"]');
  const box = page.locator('.widget-error');
  assert.match(await box.textContent(), /no widget named "<b>nope<\/b>"/);
  assert.equal(await page.locator('b').count(), 0, 'the name is shown as text, not markup');
  assert.ok(problems.every((p) => p.includes('could not be shown')));
  await context.close();
});
