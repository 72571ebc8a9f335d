// helpers.mjs: shared set-up of the browser tests: the static server on a random port over
// the already-built dist/ (tests build nothing), Debian's Chromium through playwright-core,
// and a page that records console errors, page errors and failed requests, so a test can
// assert that a page ran cleanly. Screenshots go to test-results/screenshots/ (gitignored).

import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, DIST } from '../../web/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(root, 'test-results', 'screenshots');

export async function setup() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    url: server.url,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

// A new page that records problems: console errors, uncaught errors, failed or outside
// requests (the site must never leave its own origin).
export async function openPage(env, { width = 1000, height = 800, allowOrigins = [] } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(env.url).origin;
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== origin && !allowOrigins.includes(u.origin)) problems.push(`outside request: ${r.url()}`);
  });
  return { page, context, problems };
}

export async function ready(page) {
  await page.waitForSelector('html[data-ready="true"]', { timeout: 45000 });
}

// A new page (see openPage) with one widget opened alone on the embed page in `state`, ready.
export async function openEmbed(env, name, state, opts) {
  const session = await openPage(env, opts);
  await session.page.goto(`${env.url}embed.html?widget=${name}&s=${encodeURIComponent(JSON.stringify(state))}`);
  await ready(session.page);
  return session;
}

// The raw numbers a widget shows beside a label (data-result of .result elements).
export async function results(locator) {
  return locator.locator('.result').evaluateAll((els) => els.map((e) => (e.dataset.result ? JSON.parse(e.dataset.result) : null)));
}

export function close(actual, expected, tol = 1e-4) {
  const list = (v) => (typeof v === 'number' ? [v] : Array.from(v));
  const a = list(actual);
  const e = list(expected);
  if (a.length !== e.length) return false;
  const scale = Math.max(1, ...e.map((v) => Math.abs(v)));
  return a.every((v, i) => Math.abs(v - e[i]) <= tol * scale);
}

// ---- the training page (train*.test.mjs) ----

// The page's figures: data-* of #train (state, epochs, steps, savedSteps, ...).
export const trainData = (page) => page.evaluate(() => ({ ...document.getElementById('train').dataset }));
export const waitFor = (page, fn, arg, timeout = 120000) => page.waitForFunction(fn, arg, { timeout, polling: 100 });
export const waitTrainState = (page, state, timeout) => waitFor(page, (s) => document.getElementById('train').dataset.state === s, state, timeout);

// Resolves once the page shows `state` in one of `states`; returns it.
export async function waitTrainStates(page, states, timeout = 60000) {
  await waitFor(page, (list) => list.includes(document.getElementById('train').dataset.state), states, timeout);
  return (await trainData(page)).state;
}

// Clicks Start and waits until the step counter has moved by at least `steps`.
export async function trainSteps(page, steps, timeout = 60000) {
  const from = Number((await trainData(page)).steps ?? 0);
  await page.click('#t-start');
  await waitFor(page, ([n, k]) => Number(document.getElementById('train').dataset.steps) >= n + k, [from, steps], timeout);
  return from;
}

// Fills the settings form (name -> value) and presses Reset; waits for the fresh run.
export async function resetWith(page, settings) {
  for (const [name, value] of Object.entries(settings)) {
    const input = page.locator(`#t-settings [name=${name}]`);
    if (await input.evaluate((e) => e.tagName === 'SELECT')) await input.selectOption(String(value));
    else await input.fill(String(value));
  }
  await page.click('#t-reset');
  await waitTrainState(page, 'idle', 30000);
}

// The browser, the server and dist/train.html open in a new page, the fresh run idle.
// initScript: run in the page before its own scripts. Returns { env, page, context, problems }.
export async function openTrainPage({ initScript = null } = {}) {
  const env = await setup();
  const session = await openPage(env, { width: 1200, height: 900 });
  if (initScript) await session.page.addInitScript(initScript);
  await session.page.goto(`${env.url}train.html`);
  await waitTrainState(session.page, 'idle', 60000);
  return { env, ...session };
}

// Lets the run train for `ms` and returns { data, rate, atStop }: the page's figures at the
// end, the steps per second over the window, and the worker's own step count at the end
// (asked of the worker: the page's figure is that of its last progress message, behind).
export async function trainFor(page, ms) {
  const workerSteps = () => page.evaluate(() => window.convlabTrain.memory().then((m) => m.steps));
  const t0 = Date.now();
  const s0 = await workerSteps();
  await page.waitForTimeout(ms);
  const atStop = await workerSteps();
  const rate = (atStop - s0) / ((Date.now() - t0) / 1000);
  return { data: await trainData(page), rate, atStop };
}
