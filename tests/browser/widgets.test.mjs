// Each widget answers an interaction (driven from the keyboard) with a changed result equal
// to what the WebAssembly core computes for the new state. The expected values come from
// the same public API in Node (`import { load } from 'convlab'`), never from JavaScript math.
// Then, for every registered widget, a generic check: an interaction changes the state, and
// the state it reports reopens (URL) to the same numbers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { load } from 'convlab';
import { widgets } from '../../web/src/widgets/registry.js';
import { setup, openPage, openEmbed, ready, results, close, SCREENSHOTS } from './helpers.mjs';

let env;
let cl;
before(async () => {
  env = await setup();
  cl = await load();
});
after(async () => { await env?.close(); });

const F32 = (a) => Float32Array.from(a);

test('conv1d-slide: stepping u shows (f*h)[u] from cl.convolve and eq. 2.9 terms', async () => {
  const f = [0, 0, 1, 3, 2, 5, 4, 4, 1, 0, 0];
  const { page, context, problems } = await openEmbed(env, 'conv1d-slide', { f, u: 3 });
  const gauss = [1, 4, 6, 4, 1].map((v) => v / 16);
  const full = cl.convolve(F32(f), F32(gauss), { mode: 'full' });
  assert.ok(close((await results(page.locator('#embed')))[0], full[3 + 2]));
  await page.locator('input[type=range]').focus();
  await page.keyboard.press('ArrowRight');
  const [value] = await results(page.locator('#embed'));
  assert.ok(close(value, full[4 + 2]), `got ${value}, core says ${full[6]}`);
  assert.notEqual(full[6], full[5], 'the test point must change the value');
  assert.match(await page.locator('.terms').textContent(), /\(6·f\[4\] \+ 4·f\[3\] \+ 4·f\[5\] \+ f\[2\] \+ f\[6\]\) \/ 16 = \(6·2 \+ 4·3 \+ 4·5 \+ 1 \+ 4\) \/ 16/);
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-conv1d-slide.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('toeplitz: n+1 redraws H from cl.toeplitz and H f equals cl.convolve(f, h)', async () => {
  const { page, context, problems } = await openEmbed(env, 'toeplitz', { h: [1, 2, 3], n: 6 });
  await page.locator('input[type=range]').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => JSON.parse(new URL(location.href).searchParams.get('s')).n === 7);
  const state = await page.evaluate(() => new URL(location.href).searchParams.get('s'));
  const { f } = JSON.parse(state ?? '{}');
  assert.equal(f?.length, 7, 'the state in the URL has the new signal');
  const [Hf, conv, diff] = await results(page.locator('#embed'));
  const expected = cl.convolve(F32(f), F32([1, 2, 3]), { mode: 'full' });
  assert.ok(close(Hf, Array.from(expected)), `H f = ${Hf}, core convolve = ${Array.from(expected)}`);
  assert.ok(close(conv, Array.from(expected)));
  assert.ok(diff <= 1e-4);
  const H = cl.toeplitz(F32([1, 2, 3]), 7);
  assert.equal(await page.locator('canvas.matrix').getAttribute('aria-label'), `Toeplitz matrix H with ${H.rows} rows and ${H.cols} columns`);
  await page.screenshot({ path: join(SCREENSHOTS, 'embed-toeplitz.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('flip: toggling the flip makes cl.correlate(f, reversed h) equal cl.convolve(f, h)', async () => {
  const f = [0, 1, 2, 3, 2, 1, 0, 0, 4, 0];
  const h = [1, 0, -1];
  const { page, context, problems } = await openEmbed(env, 'flip', { f, h, flip: false });
  let [corr, conv, diff] = await results(page.locator('#embed'));
  assert.ok(close(corr, Array.from(cl.correlate(F32(f), F32(h), { mode: 'full' }))));
  assert.ok(diff > 1, 'unflipped, the two differ for an odd kernel');
  await page.locator('input[type=checkbox]').focus();
  await page.keyboard.press('Space');
  [corr, conv, diff] = await results(page.locator('#embed'));
  assert.ok(close(corr, Array.from(cl.correlate(F32(f), F32([...h].reverse()), { mode: 'full' }))));
  assert.ok(close(conv, Array.from(cl.convolve(F32(f), F32(h), { mode: 'full' }))));
  assert.ok(diff <= 1e-5, `flipped, they agree (max diff ${diff})`);
  assert.deepEqual(problems, []);
  await context.close();
});

// The first keyboard-usable control of a widget, operated once. Returns false if none.
async function interact(page) {
  const range = page.locator('#embed input[type=range]').first();
  if (await range.count()) {
    await range.focus();
    const before = await range.inputValue();
    await page.keyboard.press('ArrowRight');
    if ((await range.inputValue()) === before) await page.keyboard.press('ArrowLeft');
    return true;
  }
  const box = page.locator('#embed input[type=checkbox]').first();
  if (await box.count()) {
    await box.focus();
    await page.keyboard.press('Space');
    return true;
  }
  const select = page.locator('#embed select').first();
  if (await select.count()) {
    await select.focus();
    await page.keyboard.press('ArrowDown');
    return true;
  }
  return false;
}

for (const name of Object.keys(widgets)) {
  test(`${name}: opens alone, answers a keyboard interaction, and its state reopens identically`, async () => {
    const { page, context, problems } = await openEmbed(env, name, {});
    assert.equal(await page.locator('.widget-error').count(), 0, 'no error box');
    const before = await results(page.locator('#embed'));
    const start = page.url();
    assert.ok(await interact(page), 'the widget has a keyboard-usable control');
    await page.waitForFunction((old) => location.href !== old, start, { timeout: 3000 });
    const after = await results(page.locator('#embed'));
    assert.notDeepEqual(after, before, 'the interaction changed a shown result');
    const link = await page.evaluate(() => location.href);
    const second = await openPage(env);
    await second.page.goto(link);
    await ready(second.page);
    assert.deepEqual(await results(second.page.locator('#embed')), after, 'the link restores the same numbers');
    assert.deepEqual([...problems, ...second.problems], []);
    await second.context.close();
    await context.close();
  });
}
