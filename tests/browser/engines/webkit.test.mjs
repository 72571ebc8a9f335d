// The site checks (checks.mjs) in WebKitGTK's MiniBrowser with the machine's locale as it
// is, then once more under the C locale on purpose: MiniBrowser then reports
// navigator.language "C", which is no valid language tag, and a number formatter built from
// it throws. Lessons 5 and 6 (whose widgets draw plots) and the training page must still work.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, assertLesson, assertTrains, LESSONS, siteChecks, visit } from './checks.mjs';
import { launch, missing, startSite } from './engines.mjs';

siteChecks('webkit');

describe('webkit under the C locale (navigator.language "C")', { skip: missing('webkit') ?? false }, () => {
  let site;
  let engine;
  before(async () => {
    site = await startSite();
    engine = await launch('webkit', { env: { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', LANGUAGE: '' } });
  });
  after(async () => {
    await engine?.close();
    await site?.close();
  });

  for (const prefix of ['05-', '06-']) {
    test(`lesson ${prefix}: its plotting widget renders`, async () => {
      const file = LESSONS.find((f) => f.startsWith(prefix));
      const page = await visit(engine, site, `lessons/${file}`);
      assert.equal(await page.evaluate(() => navigator.language), 'C', 'the engine reports the C locale (else this test covers nothing)');
      await assertLesson(page, file);
      await assertClean(page, site, file);
      await page.close();
    });
  }

  test('the training page leaves "Loading" and trains', async () => {
    const page = await visit(engine, site, 'train.html', { width: 1200, height: 900 });
    assert.equal(await page.evaluate(() => navigator.language), 'C');
    await assertTrains(page);
    assert.doesNotMatch(await page.evaluate(() => document.getElementById('t-data-text').textContent), /Loading/);
    await assertClean(page, site, 'train.html');
    await page.close();
  });
});
