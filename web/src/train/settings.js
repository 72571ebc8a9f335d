// settings.js: the training page's settings: their defaults, their choices and one check.
// The worker, the page, the run-file schema and the Node test all read them from here. The
// losses and activations offered are the core's (its registry), not a list written here.
import { ACTIVATIONS, LOSSES } from '../../bindings/registry-names.js';

// The defaults' measured held-out accuracy is in README.md beside this file. The loss is
// LeNet's squared loss, as in the notes.
export const DEFAULTS = Object.freeze({
  dataset: 'mnist',
  arch: 'lenet5',
  activation: 'relu',
  pool: 'max',
  loss: 'mse',
  lr: 0.5,
  momentum: 0.9,
  batch: 32,
  epochs: 10,
  schedule: 'cosine',
  shift: 1,
  seed: 1,
  evalsPerEpoch: 4,
});

// A good learning rate for each loss (the squared loss, a mean over the ten outputs, has
// gradients about five times smaller); the page switches between them with the loss.
export const DEFAULT_LR = Object.freeze({ 'softmax-cross-entropy': 0.02, mse: 0.5 });

export const CHOICES = Object.freeze({
  dataset: ['mnist', 'fashion'],
  arch: ['lenet5', 'mlp'],
  activation: ACTIVATIONS,
  pool: ['max', 'avg'],
  loss: LOSSES,
  schedule: ['cosine', 'constant'],
});

// [name, lo, hi, integer?] of the numeric settings.
const RANGES = [
  ['lr', 1e-6, 10, false],
  ['momentum', 0, 0.999, false],
  ['epochs', 1, 200, true],
  ['shift', 0, 4, true],
  ['seed', 0, 2 ** 31 - 1, true],
  ['evalsPerEpoch', 1, 20, true],
  ['batch', 1, 8000, true], // or the string 'all' (steepest descent)
];

const describe = (v) => (typeof v === 'string' ? `the string ${JSON.stringify(v)}` : String(v));

// Returns settings with every field present and valid; throws an Error naming the field
// otherwise. The form's settings get defaults for missing fields; a run file's must be
// complete (`complete: true`), so that no part of a run is silently invented. `field`
// prefixes the names in errors ("settings.epochs: ...").
export function checkSettings(settings = {}, { complete = false, field = '' } = {}) {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new Error(`${field || 'settings'}: expected an object`);
  const name = (k) => (field ? `${field}.${k}` : k);
  for (const k of Object.keys(settings)) {
    if (!(k in DEFAULTS)) throw new Error(`${name(k)}: unknown setting (known: ${Object.keys(DEFAULTS).join(', ')})`);
  }
  if (complete) {
    for (const k of Object.keys(DEFAULTS)) if (!(k in settings)) throw new Error(`${name(k)}: missing`);
  }
  const s = { ...DEFAULTS, ...settings };
  for (const [k, list] of Object.entries(CHOICES)) {
    if (!list.includes(s[k])) throw new Error(`${name(k)}: expected one of ${list.join(', ')}, got ${describe(s[k])}`);
  }
  for (const [k, lo, hi, int] of RANGES) {
    const v = s[k];
    if (k === 'batch' && v === 'all') continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      throw new Error(`${name(k)}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]${k === 'batch' ? " or 'all'" : ''}, got ${describe(v)}`);
    }
  }
  return s;
}

export function batchSize(settings, nTrain) {
  return settings.batch === 'all' ? nTrain : Math.min(settings.batch, nTrain);
}

// Learning rate at `done` examples of `total`: cosine decay from lr to 0, or constant.
export function learningRate(settings, done, total) {
  if (settings.schedule === 'constant') return settings.lr;
  return settings.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, done / total)));
}
