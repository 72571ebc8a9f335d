// URL state, links and failure handling on real lesson pages: a copied link reopens the same
// widget state; hostile URL values fall back to defaults with a visible notice; a widget that
// throws is replaced by an error box while the rest of the page stays; the page's CSP blocks
// eval; exercises check answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, openPage, ready, results, SCREENSHOTS } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

// The conv1d-slide lesson: the first widget of lesson 5.
const LESSON = 'lessons/05-discrete-convolution.html';
const W = '.widget[data-widget="conv1d-slide"]';

test('copy link gives a URL that reopens the same state', async () => {
  const { page, context, problems } = await openPage(env);
  await page.goto(env.url + LESSON);
  await ready(page);
  const widget = page.locator(W).first();
  const id = await widget.getAttribute('id');
  await widget.locator('input[type=range]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const shown = await results(widget);
  const u = await widget.locator('input[type=range]').inputValue();
  await widget.locator('button.copy-link').click();
  const link = await widget.locator('.link-field').inputValue();
  assert.match(link, new RegExp(`[?&]${id}=`));
  assert.ok(link.endsWith(`#${id}`));
  const other = await openPage(env);
  await other.page.goto(link);
  await ready(other.page);
  const again = other.page.locator(`#${id}`);
  assert.equal(await again.locator('input[type=range]').inputValue(), u);
  assert.deepEqual(await results(again), shown);
  assert.equal(await again.locator('.notice').count(), 0);
  assert.deepEqual([...problems, ...other.problems], []);
  await other.context.close();
  await context.close();
});

test('hostile URL values fall back to the defaults with a visible notice', async () => {
  const { page: clean, context: c0 } = await openPage(env);
  await clean.goto(env.url + LESSON);
  await ready(clean);
  const id = await clean.locator(W).first().getAttribute('id');
  const defaults = await results(clean.locator(`#${id}`));
  await c0.close();
  const hostile = [
    '<img src=x onerror=alert(1)>',
    '{"u": 1e308}',
    '{"f": "alert(1)"}',
    '{"f": [1, 2, {"__proto__": 1}]}',
    `{"f": [${Array(2100).fill(1).join(',')}]}`,
    '{"h": []}',
  ];
  for (const value of hostile) {
    const { page, context, problems } = await openPage(env);
    await page.goto(`${env.url}${LESSON}?${id}=${encodeURIComponent(value)}`);
    await ready(page);
    const w = page.locator(`#${id}`);
    const notice = w.locator('.notice');
    assert.equal(await notice.count(), 1, `a notice for ${value.slice(0, 40)}`);
    assert.ok(await notice.isVisible());
    assert.deepEqual(await results(w), defaults, 'the lesson defaults are shown');
    assert.equal(await page.locator('.widget-error').count(), 0);
    assert.deepEqual(problems, []);
    if (value.startsWith('<img')) await w.screenshot({ path: join(SCREENSHOTS, 'hostile-url-notice.png') });
    await context.close();
  }
});

test('a widget that throws becomes an error box; the rest of the page stays', async () => {
  const { page, context, problems } = await openPage(env);
  // Serve a conv1d-slide module whose constructor throws, in place of the real chunk.
  await page.route(/\/assets\/conv1d-slide-[A-Z0-9]+\.js$/, (route) => route.fulfill({
    contentType: 'text/javascript',
    body: 'export default class { static validate(s) { return s; } constructor() { throw new Error("boom from a test"); } }',
  }));
  await page.goto(env.url + LESSON);
  await ready(page);
  const box = page.locator(`${W} .widget-error`);
  assert.equal(await box.count(), 1);
  assert.match(await box.textContent(), /boom from a test/);
  assert.ok(await page.locator('h1').isVisible());
  assert.ok((await page.locator('.equation').count()) > 0);
  assert.ok((await page.locator('.exercise').count()) > 0);
  assert.deepEqual(problems.filter((p) => !p.includes('boom from a test')), []);
  await context.close();
});

test('the Content-Security-Policy blocks eval and is sent as header and meta tag', async () => {
  const { page, context } = await openPage(env);
  const response = await page.goto(env.url + LESSON);
  await ready(page);
  const header = response.headers()['content-security-policy'];
  assert.match(header, /script-src 'self' 'wasm-unsafe-eval'/);
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(meta, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'the site has no inline scripts');
  // Injected inline script and string-evaluated code must both be refused by the page.
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.head.append(s);
    setTimeout('window.stringRan = true;', 0);
    await new Promise((r) => setTimeout(r, 200));
    return { inline: window.inlineRan ?? false, string: window.stringRan ?? false, violations };
  });
  assert.equal(outcome.inline, false, 'inline script did not run');
  assert.equal(outcome.string, false, 'string-evaluated code did not run');
  assert.ok(outcome.violations.includes('script-src-elem'), `violations: ${outcome.violations}`);
  assert.ok(outcome.violations.includes('script-src'), `violations: ${outcome.violations}`);
  await context.close();
});

test('a numeric exercise checks the answer, with the keyboard', async () => {
  const { page, context, problems } = await openPage(env);
  await page.goto(env.url + LESSON);
  await ready(page);
  const ex = page.locator('.exercise[data-answer]').first();
  const answer = await ex.getAttribute('data-answer');
  // The worked solution stays hidden until the first checked attempt, then can be opened.
  assert.equal(await ex.locator('.exercise-solution').isVisible(), false);
  await ex.locator('input').fill('12345.678');
  await ex.locator('input').press('Enter');
  assert.match(await ex.locator('.exercise-feedback').textContent(), /Not quite/);
  assert.equal(await ex.locator('.exercise-solution').isVisible(), true);
  await ex.locator('.exercise-solution summary').click();
  assert.ok((await ex.locator('.exercise-solution').textContent()).length > 40, 'the solution has worked text');
  await ex.locator('input').fill(answer);
  await ex.locator('input').press('Enter');
  assert.equal(await ex.locator('.exercise-feedback').textContent(), 'Correct.');
  assert.deepEqual(problems, []);
  await context.close();
});
