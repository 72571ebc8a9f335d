// train-configs.mjs: the training configurations of the Node training tests
// (tests/node/optim-train.test.mjs, tests/node/layers-train.test.mjs) run on the training page
// in headless Chromium, each as a student would set it: the settings form, a custom design
// through its `#design=` link, Reset, Start, to the end of the schedule. Records the held-out
// accuracy after each epoch (the page's own evaluations, in eval mode), the final accuracy and
// the wall-clock seconds per epoch (the page's four held-out evaluations per epoch included),
// with the machine's load: timings are for the README, never for a test.
//
// Use: node bench/train-configs.mjs [--only name] [--epochs N] [--seeds 1,2,...]   (after
// node web/build.mjs); --seeds (default 1) runs each configuration once per seed.
// A full run writes bench/train-configs.json and the README table bench/train-configs.md
// (--only replaces that configuration's entry); --epochs N (a smoke run) writes neither;
// --table only rewrites the table from the recorded JSON.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeDesign } from '../web/src/designer/url.js';
import { machineLoad, openBrowser, openTrainPage, resetWith, trainToEnd } from './train-page.mjs';

const conv = (out, kernel, padding = 0) => ({ type: 'conv2d', out, kernel, padding });
const bn = { type: 'batchnorm2d' };
const relu = { type: 'relu' };
const pool = { type: 'maxpool2d', kernel: 2 };

// The optimiser fields as the page takes them: choosing the optimiser first (the page then
// sets its usual learning rate and momentum), the loss next, the numbers after.
const adam = (lr) => [['optimizer', 'adam'], ['loss', 'softmax-cross-entropy'], ['lr', lr], ['beta1', 0.9], ['beta2', 0.999], ['weightDecay', 0]];
const sgd = (lr, momentum) => [['optimizer', 'sgd'], ['loss', 'softmax-cross-entropy'], ['lr', lr], ['momentum', momentum], ['weightDecay', 0]];
const lenet = (dataset) => [['dataset', dataset], ['arch', 'lenet5'], ['activation', 'relu'], ['pool', 'max']];
const schedule = (batch, epochs, shift) => [['batch', batch], ['epochs', epochs], ['schedule', 'cosine'], ['shift', shift], ['seed', 1]];

// Differences between the page and the Node tests that hold for every configuration.
const PAGE = 'The page evaluates the 2,000 held-out examples four times per epoch (in the time per epoch; evaluation never changes training).';
// layers-train.test.mjs draws its shuffles and shifts from its own mulberry32 stream; the page
// (and optim-train.test.mjs) from augmentation.js's epochStreams(seed, epoch).
const OWN_STREAM = "The Node test shuffles and shifts with its own seeded generator, the page with its epoch streams (same distribution, another sequence), so the accuracies differ by chance, not by recipe.";

// node: the Node test, its pass mark and its held-out accuracy (deterministic) as its log
// line printed it with the module of build/wasm on 2026-12-03 (and per epoch where it prints them).
const CONFIGS = [
  {
    name: 'lenet5-adam',
    title: 'LeNet-5, Adam, MNIST',
    fields: [...lenet('mnist'), ...adam(0.003), ...schedule(64, 12, 1)],
    node: {
      test: 'tests/node/optim-train.test.mjs: Adam, 12 epochs', threshold: 0.98, accuracy: 0.982,
      perEpoch: [0.9605, 0.9605, 0.9735, 0.9685, 0.977, 0.979, 0.978, 0.98, 0.981, 0.9815, 0.982, 0.982],
    },
    differences: ['None in the recipe: the Node test trains with the page\'s own shuffles, shifts and initialisation (seed 1), so the same core gives the same accuracy.'],
  },
  {
    name: 'fashion-lenet5-adam',
    title: 'LeNet-5, Adam, Fashion-MNIST',
    fields: [...lenet('fashion'), ...adam(0.002), ...schedule(32, 8, 0)],
    node: {
      test: 'tests/node/optim-train.test.mjs: Adam, 8 epochs, Fashion-MNIST', threshold: 0.85, accuracy: 0.8685,
      perEpoch: [0.7695, 0.8175, 0.846, 0.8535, 0.8545, 0.8645, 0.8665, 0.8685],
    },
    differences: ['None in the recipe (as for lenet5-adam).'],
  },
  {
    name: 'lenet5-bn',
    title: 'LeNet-5 + batch norm, SGD momentum, MNIST',
    design: [
      conv(6, 5, 2), bn, relu, pool,
      conv(16, 5), bn, relu, pool,
      conv(120, 5), bn, relu, { type: 'flatten' },
      { type: 'dense', out: 84 }, relu, { type: 'dense', out: 10 },
    ],
    fields: [['dataset', 'mnist'], ...sgd(0.05, 0.9), ...schedule(32, 8, 1)],
    node: { test: 'tests/node/layers-train.test.mjs: LeNet-5 with batch norm', threshold: 0.98, accuracy: 0.9815 },
    differences: [OWN_STREAM],
  },
  {
    name: 'student-gap',
    title: 'conv-bn-relu-pool x2 + global average pooling, SGD momentum, MNIST',
    design: [
      conv(16, 5, 2), bn, relu, pool,
      conv(32, 5, 2), bn, relu, pool,
      { type: 'globalavgpool2d' }, { type: 'flatten' }, { type: 'dense', out: 10 },
    ],
    fields: [['dataset', 'mnist'], ...sgd(0.2, 0.9), ...schedule(32, 6, 1)],
    node: { test: 'tests/node/layers-train.test.mjs: conv-bn-relu-pool twice, global average pooling', threshold: 0.97, accuracy: 0.9755 },
    differences: [OWN_STREAM],
  },
];

const pct = (a) => (a === null || a === undefined ? '–' : `${(100 * a).toFixed(2)}%`);

// The page's settings in words, for the table.
function settingsText(c, seed) {
  const f = { ...Object.fromEntries(c.fields), seed };
  const opt = f.optimizer === 'adam' ? `Adam lr ${f.lr}` : `SGD lr ${f.lr} momentum ${f.momentum}`;
  const net = c.design ? 'custom design (`#design=` link)' : 'LeNet-5 (ReLU, max pooling)';
  return `${net}; ${opt}, cross-entropy, batch ${f.batch}, ${f.epochs} epochs, cosine, ${f.shift ? `shifts ±${f.shift} px` : 'no shifts'}, seed ${f.seed}`;
}

const loadText = (l) => l.loadavg.join(' / ');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

// The accuracy cell: the first seed's run, and with several seeds their mean and range.
function accuracyText(runs) {
  const first = pct(runs[0].final);
  if (runs.length === 1) return first;
  const accs = runs.map((r) => r.final);
  return `${first}; seeds ${runs.map((r) => r.seed).join(', ')}: mean ${pct(mean(accs))}, ${pct(Math.min(...accs))}–${pct(Math.max(...accs))}`;
}

function markdown(results) {
  const rows = results.configs.map((r) => {
    const c = CONFIGS.find((x) => x.name === r.name);
    const times = r.runs.map((x) => x.secondsPerEpoch).sort((a, b) => a - b);
    const timeText = times.length === 1 ? times[0].toFixed(1) : `${times[0].toFixed(1)} (median ${times[Math.floor(times.length / 2)].toFixed(1)})`;
    return `| ${c.title} | ${settingsText(c, r.runs[0].seed)} | ${accuracyText(r.runs)} | ${timeText} | ` +
      `${pct(r.node.accuracy)} (test: > ${pct(r.node.threshold)}) |`;
  });
  const runs = results.configs.flatMap((r) => r.runs);
  const loads = runs.flatMap((x) => [x.load.before.loadavg[0], x.load.after.loadavg[0]]);
  const { cpus, cpu } = runs[0].load.before;
  return [
    '| Configuration | Page settings | Held-out accuracy (page) | s/epoch, headless Chromium | Node test |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Measured with \`node bench/train-configs.mjs${results.seeds.length > 1 ? ` --seeds ${results.seeds.join(',')}` : ''}\` ` +
      `(Chromium ${results.browser}, ${cpus} cores, ${cpu ?? 'unknown CPU'}, shared with other work: the 1-minute load average ` +
      `was ${Math.min(...loads)}–${Math.max(...loads)} at the runs' starts and ends; each run's is in bench/train-configs.json). ` +
      "Held-out accuracy is the page's own, on the 2,000 held-out examples in eval mode (batch norm's running statistics), as in the Node tests; " +
      'its standard error is about 0.3 points at 98%. ' +
      "Seconds per epoch are wall-clock from Start to the end of the schedule, the page's four held-out evaluations per epoch included; " +
      'with several seeds, the fastest run (the least disturbed by the other work) and the median. ' +
      "The Adam rows at seed 1 train exactly the Node tests' run (the page's shuffles, shifts and initialisation) and give their accuracy epoch by epoch; " +
      'in the batch-norm rows the Node test shuffles and shifts with its own seeded generator, so the two accuracies differ by the order of the examples, not by the recipe.',
    '',
  ].join('\n');
}

async function measure(env, c, { epochs, seed }) {
  const fields = c.fields.map(([k, v]) => [k, k === 'epochs' && epochs ? epochs : k === 'seed' ? seed : v]);
  const hash = c.design ? `#design=${encodeDesign(c.design)}` : '';
  const load = { before: machineLoad() };
  const { page, context } = await openTrainPage(env, hash);
  try {
    if (c.design) {
      const arch = await page.locator('#t-settings [name=arch]').inputValue();
      if (arch !== 'custom') throw new Error(`${c.name}: the design link did not open as arch 'custom' (arch ${arch})`);
    }
    const settings = await resetWith(page, fields);
    const r = await trainToEnd(page, { onEpoch: (e, t) => console.log(`  ${c.name} seed ${seed}: epoch ${e} ends at ${t.toFixed(1)} s`) });
    if (r.state !== 'done') throw new Error(`${c.name} seed ${seed}: the run ended ${r.state}`);
    const secondsPerEpoch = r.seconds / r.epochEnds.length;
    console.log(`${c.name} seed ${seed}: ${pct(r.final)} held out after ${r.epochEnds.length} epochs, ${secondsPerEpoch.toFixed(1)} s per epoch ` +
      `(per epoch: ${r.perEpoch.map(([, a]) => pct(a)).join(', ')})`);
    return {
      seed,
      settings,
      perEpoch: r.perEpoch.map(([x, a]) => ({ epoch: x, accuracy: a })),
      final: r.final,
      seconds: r.seconds,
      secondsPerEpoch,
      epochEnds: r.epochEnds,
      measured: new Date().toISOString(),
      load: { ...load, after: machineLoad() },
    };
  } finally {
    await context.close();
  }
}

const { values } = parseArgs({ options: { only: { type: 'string' }, epochs: { type: 'string' }, seeds: { type: 'string', default: '1' }, table: { type: 'boolean' } } });
const JSON_FILE = new URL('./train-configs.json', import.meta.url);
const TABLE_FILE = new URL('./train-configs.md', import.meta.url);
if (values.table) {
  if (values.only || values.epochs || values.seeds !== '1') throw new Error('--table: rewrites the table from bench/train-configs.json, so it takes no other option');
  writeFileSync(TABLE_FILE, markdown(JSON.parse(readFileSync(JSON_FILE, 'utf8'))));
  console.log('wrote bench/train-configs.md');
  process.exit(0);
}
const chosen = values.only ? CONFIGS.filter((c) => c.name === values.only) : CONFIGS;
if (chosen.length === 0) throw new Error(`--only: expected one of ${CONFIGS.map((c) => c.name).join(', ')}, got ${values.only}`);
const epochs = values.epochs === undefined ? null : Number(values.epochs);
if (epochs !== null && !(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200)) throw new Error(`--epochs: expected an integer in [1, 200], got ${values.epochs}`);
const seeds = values.seeds.split(',').map(Number);
if (!seeds.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31)) throw new Error(`--seeds: expected integers in [0, 2^31) separated by commas, got ${values.seeds}`);

console.log(`load: ${machineLoad().uptime}`);
const env = await openBrowser();
const browser = env.browser.version();
const measured = [];
try {
  for (const c of chosen) {
    const runs = [];
    for (const seed of seeds) runs.push(await measure(env, c, { epochs, seed }));
    const { name, title, design = null, node, differences } = c;
    measured.push({ name, title, design, link: design ? `#design=${encodeDesign(design)}` : null, node, differences: [...differences, PAGE], runs });
  }
} finally {
  await env.close();
}
console.log(`load: ${machineLoad().uptime}`);

if (epochs === null) {
  const old = values.only && existsSync(JSON_FILE) ? JSON.parse(readFileSync(JSON_FILE, 'utf8')) : null;
  if (old && JSON.stringify(old.seeds) !== JSON.stringify(seeds)) throw new Error(`--only with --seeds ${seeds}: the recorded results are for seeds ${old.seeds}; run all configurations`);
  const configs = CONFIGS.map((c) => measured.find((r) => r.name === c.name) ?? old?.configs.find((r) => r.name === c.name)).filter(Boolean);
  const results = { measured: new Date().toISOString(), browser, seeds, configs };
  writeFileSync(JSON_FILE, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(TABLE_FILE, markdown(results));
  console.log('wrote bench/train-configs.json and bench/train-configs.md');
}
