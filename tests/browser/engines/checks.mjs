// checks.mjs: the site checks every engine runs (Chromium runs the fuller suite in
// tests/browser/): every lesson page loads with the core ready, every widget mounted, math
// rendered as valid MathML, and no console error, page error or failed request; the embed
// page shows a widget whose numbers match a plain-loop convolution; the training page
// trains (steps advance, the held-out accuracy appears and is far above chance).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../../../web/serve.mjs';
import { launch, missing, startSite } from './engines.mjs';

export const LESSONS = (() => {
  try {
    return readdirSync(join(DIST, 'lessons')).filter((f) => /^\d\d-.*\.html$/.test(f)).sort();
  } catch {
    return [];
  }
})();

export const isReady = () => document.documentElement.dataset.ready === 'true';

// Counts read from a lesson or embed page in one round trip. MathML: <msubsup> must have
// exactly three children, <msub>/<msup> two (Firefox reports any other count as invalid).
export const pageFacts = () => ({
  widgets: document.querySelectorAll('.widget[data-widget]').length,
  mounted: document.querySelectorAll('.widget.widget-ready').length,
  errorBoxes: [...document.querySelectorAll('.widget-error, .math-error, .ref-error')].map((e) => e.textContent.trim().slice(0, 200)),
  coreReady: document.querySelectorAll('#core-status.ready').length === 1,
  math: document.querySelectorAll('.katex math').length,
  badMath: [...document.querySelectorAll('math msubsup, math msub, math msup')]
    .filter((e) => e.children.length !== (e.localName === 'msubsup' ? 3 : 2))
    .map((e) => `<${e.localName}> with ${e.children.length} children: ${e.textContent.slice(0, 40)}`),
});

// A page of the engine, opened at path; the problems list is emptied first.
export async function visit(engine, site, path, size) {
  site.httpErrors.length = 0;
  const page = await engine.open(size);
  await page.goto(`${site.url}${path}`);
  return page;
}

export async function assertClean(page, site, what) {
  assert.deepEqual([...(await page.problems()), ...site.httpErrors], [], `${what}: console errors, page errors or failed requests`);
}

export async function assertLesson(page, file) {
  await page.waitFor(isReady, null, 45000);
  const f = await page.evaluate(pageFacts);
  assert.deepEqual(f.errorBoxes, [], `${file}: error boxes`);
  assert.ok(f.coreReady, `${file}: the core status says ready`);
  assert.ok(f.widgets > 0, `${file}: a lesson has widgets`);
  assert.equal(f.mounted, f.widgets, `${file}: every widget mounted`);
  assert.ok(f.math > 0, `${file}: math is rendered`);
  assert.deepEqual(f.badMath, [], `${file}: invalid MathML`);
}

const trainData = () => ({ ...document.getElementById('train').dataset });

// Trains for a few seconds, to the first held-out evaluation (after 2,000 examples).
export async function assertTrains(page) {
  await page.waitFor(() => document.getElementById('train')?.dataset.state === 'idle', null, 90000);
  await page.click('#t-start');
  await page.waitFor(() => document.getElementById('train').dataset.state === 'running', null, 10000);
  await page.waitFor(() => Number(document.getElementById('train').dataset.steps) > 0, null, 60000);
  const early = Number((await page.evaluate(trainData)).steps);
  await page.waitFor(() => Number(document.getElementById('train').dataset.evals ?? 0) >= 1, null, 120000);
  const d = await page.evaluate(trainData);
  await page.click('#t-pause');
  await page.waitFor(() => document.getElementById('train').dataset.state === 'paused', null, 10000);
  assert.ok(Number(d.steps) > early, `steps advance: ${early} then ${d.steps}`);
  assert.ok(Number(d.testAcc) > 0.5, `held-out accuracy ${d.testAcc} is far above chance (0.1)`);
  return d;
}

// Full convolution by plain loops: the reference for the Toeplitz widget's H f.
export function convolveRef(f, h) {
  const out = new Array(f.length + h.length - 1).fill(0);
  for (let i = 0; i < f.length; i++) for (let j = 0; j < h.length; j++) out[i + j] += f[i] * h[j];
  return out;
}

// Defines the shared checks for one engine, skipped (with the reason) only when its
// binaries are absent. extra(ctx) may add engine-specific tests; ctx.engine and ctx.site
// are set in before().
export function siteChecks(name, extra = () => {}) {
  const skip = missing(name) ?? (LESSONS.length ? false : `${DIST}/lessons is missing: run \`npm run build\` first`);
  describe(`${name}: site checks`, { skip }, () => {
    const ctx = {};
    before(async () => {
      ctx.site = await startSite();
      ctx.engine = await launch(name);
      console.log(`# ${name}: ${ctx.engine.version}`);
    });
    after(async () => {
      await ctx.engine?.close();
      await ctx.site?.close();
    });

    for (const file of LESSONS) {
      test(`lesson ${file.replace(/\.html$/, '')} renders cleanly`, async () => {
        const page = await visit(ctx.engine, ctx.site, `lessons/${file}`);
        await assertLesson(page, file);
        await assertClean(page, ctx.site, file);
        await page.close();
      });
    }

    test('the embed page shows a widget with the right numbers', async () => {
      const h = [1, 2, 3];
      const f = [1, -1, 2];
      const state = encodeURIComponent(JSON.stringify({ h, n: 3, f }));
      const page = await visit(ctx.engine, ctx.site, `embed.html?widget=toeplitz&s=${state}`);
      await page.waitFor(isReady, null, 45000);
      const facts = await page.evaluate(pageFacts);
      assert.equal(facts.mounted, 1, 'the widget mounted');
      assert.deepEqual(facts.errorBoxes, []);
      const results = await page.evaluate(() => [...document.querySelectorAll('#embed .result')].map((e) => (e.dataset.result ? JSON.parse(e.dataset.result) : null)));
      const expected = convolveRef(f, h);
      assert.ok(results[0]?.length === expected.length && results[0].every((v, i) => Math.abs(v - expected[i]) <= 1e-5),
        `H f = ${JSON.stringify(results[0])}, expected ${JSON.stringify(expected)}`);
      await assertClean(page, ctx.site, 'embed toeplitz');
      await page.close();

      const flip = await visit(ctx.engine, ctx.site, 'embed.html?widget=flip');
      await flip.waitFor(isReady, null, 45000);
      assert.equal((await flip.evaluate(pageFacts)).mounted, 1, 'the flip widget mounted');
      await assertClean(flip, ctx.site, 'embed flip');
      await flip.close();
    });

    test('the training page trains: steps advance, held-out accuracy appears', async () => {
      const page = await visit(ctx.engine, ctx.site, 'train.html', { width: 1200, height: 900 });
      const d = await assertTrains(page);
      console.log(`# ${name}: held-out accuracy ${d.testAcc} after ${d.steps} steps`);
      await assertClean(page, ctx.site, 'train.html');
      await page.close();
    });

    extra(ctx);
  });
}
