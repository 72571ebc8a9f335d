// train-chromium.mjs: measures the training page in headless Chromium: opens dist/train.html
// with a fresh profile, trains with the default settings to the end of the schedule, and
// prints the held-out accuracy after each epoch, the final accuracy and the wall-clock time
// per epoch (held-out evaluations included). Timings vary with the machine; they are for
// the README, never for a test. Use: node bench/train-chromium.mjs  (after npm run build)
import { chromium } from 'playwright-core';
import { startServer } from '../web/serve.mjs';

const server = await startServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${server.url}train.html`);
  await page.waitForFunction(() => document.getElementById('train').dataset.state === 'idle', null, { timeout: 60000 });
  const t0 = Date.now();
  await page.click('#t-start');
  const epochTimes = [];
  let seen = 0;
  for (;;) {
    const s = await page.evaluate(() => ({ state: window.convlabTrain.state, epochs: Number(document.getElementById('train').dataset.epochs) }));
    while (seen < Math.floor(s.epochs + 1e-9)) { seen += 1; epochTimes.push((Date.now() - t0) / 1000); }
    if (s.state === 'done' || s.state === 'diverged') break;
    await page.waitForTimeout(200);
  }
  const seconds = (Date.now() - t0) / 1000;
  const curves = await page.evaluate(() => window.convlabTrain.curves);
  const perEpoch = curves.test.x.map((x, i) => [x, curves.test.acc[i]]).filter(([x]) => Math.abs(x - Math.round(x)) < 1e-9);
  const settings = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#t-settings [name]')].map((e) => [e.name, e.value])));
  console.log(`settings: ${JSON.stringify(settings)}`);
  console.log(`held-out accuracy after each epoch: ${perEpoch.map(([x, a]) => `${x}: ${(100 * a).toFixed(2)}%`).join(', ')}`);
  console.log(`final held-out accuracy ${(100 * curves.test.acc.at(-1)).toFixed(2)}% after ${perEpoch.length} epochs; ` +
    `${seconds.toFixed(1)} s in all, ${(seconds / perEpoch.length).toFixed(1)} s per epoch (epoch ends at ${epochTimes.map((t) => t.toFixed(1)).join(', ')} s)`);
} finally {
  await browser.close();
  await server.close();
}
