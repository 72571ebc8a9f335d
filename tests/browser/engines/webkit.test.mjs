// The site checks (checks.mjs) in WebKitGTK's MiniBrowser with the machine's locale as it
// is, and the C-locale case on purpose: under LANG=C.UTF-8 MiniBrowser reports
// navigator.language "C", which is no valid language tag, and a number formatter built from
// it throws. Lessons 5 and 6 (whose widgets draw plots) and the training page must still
// work. When the machine's locale already gives "C" the same browser serves both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, assertLesson, LESSONS, siteChecks, visit } from './checks.mjs';
import { launch } from './engines.mjs';

const C_LOCALE = { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', LANGUAGE: '' };

siteChecks('webkit', (ctx) => {
  describe('under the C locale (navigator.language "C")', () => {
    let engine;
    before(async () => {
      console.log(`# webkit: the machine's locale gives navigator.language "${ctx.engine.language}"`);
      engine = ctx.engine.language === 'C' ? ctx.engine : await launch('webkit', { env: C_LOCALE });
    });
    after(async () => {
      if (engine !== ctx.engine) await engine?.close();
    });

    for (const prefix of ['05-', '06-']) {
      test(`lesson ${prefix}: its plotting widget renders`, async () => {
        const file = LESSONS.find((f) => f.startsWith(prefix));
        const page = await visit(engine, ctx.site, `lessons/${file}`);
        assert.equal(await page.evaluate(() => navigator.language), 'C', 'the engine reports the C locale (else this test covers nothing)');
        await assertLesson(page, file);
        await assertClean(page, ctx.site, file);
        await page.close();
      });
    }

    test('the training page leaves "Loading" and gets ready to train', async () => {
      const page = await visit(engine, ctx.site, 'train.html', { width: 1200, height: 900 });
      assert.equal(await page.evaluate(() => navigator.language), 'C');
      // Idle, or paused when the site checks above left a saved run in this browser.
      await page.waitFor(() => ['idle', 'paused'].includes(document.getElementById('train')?.dataset.state), null, 90000);
      assert.match(await page.evaluate(() => document.getElementById('t-data-text').textContent), /8000 training and 2000 held-out/);
      await assertClean(page, ctx.site, 'train.html');
      await page.close();
    });
  });
});
