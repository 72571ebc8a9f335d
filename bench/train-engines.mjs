// train-engines.mjs: the training page's time per epoch in each browser engine, measured
// one after the other in one run on this machine, for the README's browser table: opens
// dist/train.html in a fresh browser, trains with the default settings for a few epochs
// (held-out evaluations included) and prints engine, version and seconds per epoch.
// Timings vary with the machine and its load; they are for the README, never for a test.
// Use: node bench/train-engines.mjs [--epochs N] [chromium] [firefox] [webkit]
//      (after npm run build; no engine named means all three)
import { execFileSync } from 'node:child_process';
import { FIREFOX, launch, missing, startSite } from '../tests/browser/engines/engines.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const args = process.argv.slice(2);
const at = args.indexOf('--epochs');
const epochs = at >= 0 ? Number(args.splice(at, 2)[1]) : 3;
if (!Number.isInteger(epochs) || epochs < 1) throw new Error('--epochs must be a positive integer');
const names = args.length ? args : ['chromium', 'firefox', 'webkit'];

// Chromium through playwright-core, behind the same small page interface as the others.
async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  return {
    name: 'chromium',
    version: execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim().split(' built')[0],
    async open({ width, height }) {
      const page = await browser.newPage({ viewport: { width, height } });
      return {
        goto: (url) => page.goto(url),
        evaluate: (fn, arg) => page.evaluate(fn, arg),
        waitFor: (fn, arg, timeout = 60000) => page.waitForFunction(fn, arg, { timeout, polling: 100 }),
        click: (selector) => page.click(selector),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

// Seconds from Start to the end of each of the first `epochs` epochs.
async function measure(engine, url) {
  const page = await engine.open({ width: 1200, height: 900 });
  await page.goto(`${url}train.html`);
  await page.waitFor(() => document.getElementById('train')?.dataset.state === 'idle', null, 120000);
  const t0 = Date.now();
  await page.click('#t-start');
  const ends = [];
  while (ends.length < epochs) {
    const s = await page.evaluate(() => ({ state: document.getElementById('train').dataset.state, epochs: Number(document.getElementById('train').dataset.epochs) }));
    while (ends.length < Math.min(epochs, Math.floor(s.epochs + 1e-9))) ends.push((Date.now() - t0) / 1000);
    if (s.state === 'done' || s.state === 'diverged') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const acc = await page.evaluate(() => document.getElementById('train').dataset.testAcc);
  await page.click('#t-pause');
  await page.close();
  if (!ends.length) throw new Error(`${engine.name}: training stopped before the end of the first epoch`);
  return { perEpoch: ends.at(-1) / ends.length, ends, acc };
}

const site = await startSite();
const rows = [];
try {
  for (const name of names) {
    if (name !== 'chromium' && missing(name)) {
      console.log(`${name}: skipped, ${missing(name)}`);
      continue;
    }
    const engine = name === 'chromium' ? await launchChromium() : await launch(name);
    try {
      const r = await measure(engine, site.url);
      console.log(`${name} (${engine.version}): ${r.perEpoch.toFixed(2)} s per epoch over ${r.ends.length} epoch(s) (ends at ${r.ends.map((t) => t.toFixed(1)).join(', ')} s; held-out accuracy ${r.acc})`);
      const version = name === 'firefox' ? execFileSync(FIREFOX, ['--version'], { encoding: 'utf8' }).trim() : engine.version;
      rows.push(`| ${name} | ${version} | ${r.perEpoch.toFixed(1)} s |`);
    } finally {
      await engine.close();
    }
  }
} finally {
  await site.close();
}
console.log(['', '| Engine | Version | Time per epoch |', '|---|---|---|', ...rows].join('\n'));
