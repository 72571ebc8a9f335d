// train-chromium.mjs: measures the training page in headless Chromium: opens dist/train.html
// with a fresh profile, trains with the default settings to the end of the schedule, and
// prints the held-out accuracy after each epoch, the final accuracy and the wall-clock time
// per epoch (held-out evaluations included). Timings vary with the machine; they are for
// the README, never for a test. Use: node bench/train-chromium.mjs  (after npm run build)
// bench/train-configs.mjs measures other settings and designs the same way.
// --watch SELECTOR scrolls that part of the page into view after Start (e.g. --watch
// '#t-curves-h' to train with the loss and accuracy curves on screen).
import { parseArgs } from 'node:util';
import { formValues, openBrowser, openTrainPage, trainToEnd } from './train-page.mjs';

const { values: args } = parseArgs({ options: { watch: { type: 'string' } } });
const env = await openBrowser();
try {
  const { page } = await openTrainPage(env);
  const r = await trainToEnd(page, { watch: args.watch ?? null });
  if (args.watch) console.log(`watching ${args.watch}`);
  console.log(`settings: ${JSON.stringify(await formValues(page))}`);
  console.log(`held-out accuracy after each epoch: ${r.perEpoch.map(([x, a]) => `${x}: ${(100 * a).toFixed(2)}%`).join(', ')}`);
  console.log(`final held-out accuracy ${(100 * r.final).toFixed(2)}% after ${r.perEpoch.length} epochs; ` +
    `${r.seconds.toFixed(1)} s in all, ${(r.seconds / r.perEpoch.length).toFixed(1)} s per epoch (epoch ends at ${r.epochEnds.map((t) => t.toFixed(1)).join(', ')} s)`);
} finally {
  await env.close();
}
