// The site's number and date formatter (web/src/lib/format.js), checked against Node's own
// Intl with a fixed 'en-US' and against hand-written strings; and the build's uPlot patch
// (web/uplot-locale.mjs): uPlot loaded as a browser reporting navigator.language "C" (as
// WebKitGTK does under the C locale) throws unpatched and loads patched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import * as esbuild from 'esbuild';
import { formatCount, formatDate, LOCALE } from '../../web/src/lib/format.js';
import { fixUPlotLocale, uplotLocale } from '../../web/uplot-locale.mjs';

test('formatCount writes thousands with commas, rounded to an integer', () => {
  const cases = [[0, '0'], [7, '7'], [999, '999'], [1000, '1,000'], [61706, '61,706'], [1234567, '1,234,567'],
    [-1000, '-1,000'], [-1234.4, '-1,234'], [999.5, '1,000'], [-0.4, '0'], [1e15, '1,000,000,000,000,000'],
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']];
  for (const [x, want] of cases) assert.equal(formatCount(x), want, `formatCount(${x})`);
});

test('formatCount agrees with Intl.NumberFormat("en-US") on integers', () => {
  const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  fc.assert(fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => formatCount(n) === intl.format(n)), { numRuns: 2000 });
});

test('formatCount refuses what is not a number, naming the argument', () => {
  for (const bad of ['1000', null, undefined, 10n, {}]) assert.throws(() => formatCount(bad), /formatCount: x must be a number/);
});

test('formatDate writes year-month-day hours:minutes in local time, whatever the locale', () => {
  assert.equal(formatDate(new Date(2026, 11, 3, 14, 5, 59)), '2026-12-03 14:05');
  assert.equal(formatDate(new Date(2027, 0, 9, 0, 0).getTime()), '2027-01-09 00:00');
  for (const bad of [NaN, 'yesterday', undefined, null, new Date(NaN)]) assert.equal(formatDate(bad), 'an unknown time');
});

// uPlot bundled for the browser, then run in a context that looks enough like one.
async function loadUPlot(plugins) {
  const out = await esbuild.build({
    stdin: { contents: "import uPlot from 'uplot'; globalThis.uPlot = uPlot;", resolveDir: process.cwd() },
    bundle: true, write: false, format: 'iife', platform: 'browser', plugins, logLevel: 'silent',
  });
  const ctx = {
    navigator: { language: 'C' }, devicePixelRatio: 1, document: {}, CustomEvent: class {},
    matchMedia: () => ({ addEventListener() {}, addListener() {}, matches: false }), addEventListener() {}, dispatchEvent() {},
  };
  ctx.window = ctx;
  vm.runInNewContext(out.outputFiles[0].text, ctx);
  return ctx.uPlot;
}

test('uPlot loads under navigator.language "C" only with the build\'s fixed locale', async () => {
  await assert.rejects(loadUPlot([]), /locale/i, 'unpatched uPlot throws on the tag "C"');
  const uPlot = await loadUPlot([uplotLocale]);
  assert.equal(uPlot.fmtNum(1234567), formatCount(1234567), 'its numbers read like the site\'s');
  assert.equal(LOCALE, 'en-US');
});

test('the uPlot patch fails loudly when uPlot changes how it picks its locale', async () => {
  const source = await readFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'), 'utf8');
  assert.doesNotMatch(fixUPlotLocale(source), /nav\.language/);
  assert.throws(() => fixUPlotLocale('const f = new Intl.NumberFormat(navigator.language);'), /uplot-locale: expected one number formatter .* found 0/);
});
