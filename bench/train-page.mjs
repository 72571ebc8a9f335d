// train-page.mjs: the training page driven in headless Chromium, shared by the benchmarks
// train-chromium.mjs (the default run) and train-configs.mjs (the configurations).
// Each run gets a fresh browser context (no stored run to continue), sets the form as a
// student would, resets, trains to the end of the schedule and reads the page's own curves.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.mjs';

// The server for dist/ and a headless Chromium; close() ends both.
export async function openBrowser() {
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    url: server.url,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

const waitIdle = (page) => page.waitForFunction(() => document.getElementById('train').dataset.state === 'idle', null, { timeout: 60000 });

// Opens train.html (with `hash`, e.g. "#design=...") in a fresh context; resolves once its
// fresh run is idle. Returns { page, context }.
export async function openTrainPage(env, hash = '') {
  const context = await env.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${env.url}train.html${hash}`);
  await waitIdle(page);
  return { page, context };
}

// The form's values by name, as the page shows them (strings; checkboxes as booleans).
export const formValues = (page) => page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('#t-settings [name]')].map((e) => [e.name, e.type === 'checkbox' ? e.checked : e.value])));

// Sets the form's fields in the order given (choosing an optimiser or a loss rewrites the
// learning rate and momentum, so those come after them), presses Reset and waits for the
// fresh run. Throws when a field does not hold its value afterwards or the page refused the
// settings, so that a run never measures settings other than those asked for.
export async function resetWith(page, fields) {
  for (const [name, value] of fields) {
    const input = page.locator(`#t-settings [name=${name}]`);
    if (await input.evaluate((e) => e.tagName === 'SELECT')) await input.selectOption(String(value));
    else await input.fill(String(value));
  }
  const shown = await formValues(page);
  for (const [name, value] of fields) {
    if (shown[name] !== String(value)) throw new Error(`settings form: ${name} shows ${shown[name]}, expected ${value}`);
  }
  await page.click('#t-reset');
  // Reset puts the page in 'loading' within the click (settings.js checked them first).
  await waitIdle(page);
  const refused = await page.locator('#t-message').textContent();
  if (/^Settings:/.test(refused ?? '')) throw new Error(`the page refused the settings: ${refused}`);
  return shown;
}

// Clicks Start and polls until the run is done (or diverged). Returns { state, seconds,
// epochEnds (seconds from Start to each epoch's end, held-out evaluations included),
// perEpoch ([epoch, held-out accuracy] at whole epochs), final (the last held-out accuracy) }.
// watch: a selector scrolled into view after Start, as a student who watches the curves
// does (the page draws only the views on screen); by default the page stays where the click
// left it.
export async function trainToEnd(page, { onEpoch = () => {}, watch = null } = {}) {
  const t0 = Date.now();
  await page.click('#t-start');
  if (watch) await page.locator(watch).scrollIntoViewIfNeeded();
  const epochEnds = [];
  let state;
  for (;;) {
    const s = await page.evaluate(() => ({ state: window.convlabTrain.state, epochs: Number(document.getElementById('train').dataset.epochs) }));
    while (epochEnds.length < Math.floor(s.epochs + 1e-9)) {
      epochEnds.push((Date.now() - t0) / 1000);
      onEpoch(epochEnds.length, epochEnds.at(-1));
    }
    state = s.state;
    if (state === 'done' || state === 'diverged') break;
    await page.waitForTimeout(200);
  }
  const seconds = (Date.now() - t0) / 1000;
  const curves = await page.evaluate(() => window.convlabTrain.curves);
  const perEpoch = curves.test.x.map((x, i) => [x, curves.test.acc[i]]).filter(([x]) => x > 0 && Math.abs(x - Math.round(x)) < 1e-9);
  return { state, seconds, epochEnds, perEpoch, final: curves.test.acc.at(-1) };
}

// The machine's load while measuring: the 1/5/15-minute load averages, the cores and the
// `uptime` line (the measurements are wall-clock times on a shared machine).
export function machineLoad() {
  let uptime = null;
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    // no uptime(1): the load averages below still say it
  }
  return { loadavg: os.loadavg().map((v) => Number(v.toFixed(2))), cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, uptime };
}
