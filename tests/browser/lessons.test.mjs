// Every built lesson (dist/lessons/*.html) in headless Chromium: it loads with no console
// error, no failed or outside request, no error box and no math error; every control has a
// label; it fits a 375px phone screen without sideways scrolling. Screenshots of each (desktop and phone) go to
// test-results/screenshots/ for a human to look at.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../../web/serve.mjs';
import { setup, openPage, ready, SCREENSHOTS } from './helpers.mjs';

if (!existsSync(join(DIST, 'lessons'))) throw new Error(`${DIST}/lessons is missing: run \`npm run build\` first`);
const lessons = readdirSync(join(DIST, 'lessons')).filter((f) => /^\d\d-.*\.html$/.test(f)).sort();
let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

test('the index lists every lesson and links to it', async () => {
  const { page, context, problems } = await openPage(env);
  await page.goto(env.url);
  const links = await page.locator('.lesson-list a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, lessons.map((f) => `lessons/${f}`));
  await page.screenshot({ path: join(SCREENSHOTS, 'index.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

for (const file of lessons) {
  const name = file.replace(/\.html$/, '');
  test(`lesson ${name} renders cleanly (desktop and 375px phone)`, async () => {
    for (const [width, suffix] of [[1000, ''], [375, '-phone']]) {
      const { page, context, problems } = await openPage(env, { width, height: 800 });
      await page.goto(`${env.url}lessons/${file}`);
      await ready(page);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}${suffix}.png`), fullPage: true });
      assert.deepEqual(problems, [], `${name} at ${width}px`);
      assert.equal(await page.locator('.widget-error, .math-error, .ref-error').count(), 0, 'error boxes on the page');
      const widgets = await page.locator('.widget[data-widget]').count();
      assert.ok(widgets > 0, 'a lesson has widgets');
      assert.equal(await page.locator('.widget.widget-ready').count(), widgets, 'every widget mounted');
      assert.equal(await page.locator('#core-status.ready').count(), 1, 'the core status says ready');
      if (width === 1000) {
        const unlabelled = await page.locator('.widget input, .widget select, .widget textarea, .exercise input').evaluateAll((els) =>
          els.filter((e) => e.type !== 'hidden' && !e.hidden && e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
            .map((e) => `${e.closest('.widget, .exercise')?.id}: ${e.outerHTML.slice(0, 80)}`));
        assert.deepEqual(unlabelled, [], 'every control has a label');
        const unnamed = await page.locator('.widget button').evaluateAll((els) => els.filter((b) => !b.textContent.trim() && !b.getAttribute('aria-label')).length);
        assert.equal(unnamed, 0, 'every button has a name');
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${name} scrolls sideways by ${overflow}px at ${width}px`);
      await context.close();
    }
  });
}

test('in a browser without WebAssembly SIMD a lesson says why its widgets cannot run, and its text still reads', async () => {
  const { page, context, problems } = await openPage(env);
  // Emulates such a browser: WebAssembly.validate refuses modules using the SIMD prefix 0xfd.
  await page.addInitScript(() => {
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
  });
  await page.goto(`${env.url}lessons/${lessons[0]}`);
  await ready(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'no-simd.png'), fullPage: false });
  assert.equal(await page.locator('#core-status.failed').count(), 1, 'the status is marked failed');
  assert.match(await page.locator('#core-status').textContent(), /did not load: convlab: this JavaScript engine has no WebAssembly SIMD/);
  const widgets = await page.locator('.widget[data-widget]').count();
  assert.equal(await page.locator('.widget-failed .widget-error').count(), widgets, 'every widget shows the error');
  assert.ok((await page.locator('main p').count()) > 3, 'the lesson text is still there');
  // The page reports the failure in its console (showError); nothing else went wrong.
  assert.ok(problems.length > 0 && problems.every((p) => p.startsWith('console: The WebAssembly core did not load')), problems.join('\n'));
  await context.close();
});
