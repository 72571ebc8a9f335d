// The site checks (checks.mjs) in Firefox ESR, headless over WebDriver BiDi, and lesson 11
// on its own: KaTeX used to write `x_i^{\max}` as an <msubsup> with four children, which
// Firefox reports as a page error ("Invalid markup").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, assertLesson, LESSONS, siteChecks, visit } from './checks.mjs';

siteChecks('firefox', (ctx) => {
  test('lesson 11 (pooling): valid MathML, no page error in Firefox', async () => {
    const file = LESSONS.find((f) => f.startsWith('11-'));
    assert.ok(file, 'lesson 11 is built');
    const page = await visit(ctx.engine, ctx.site, `lessons/${file}`);
    await assertLesson(page, file);
    const maxima = await page.evaluate(() => [...document.querySelectorAll('math msubsup')].filter((e) => /max/.test(e.textContent)).length);
    assert.ok(maxima > 0, 'the lesson still writes maxima with a subscript and a superscript');
    await assertClean(page, ctx.site, file);
    await page.close();
  });
});
