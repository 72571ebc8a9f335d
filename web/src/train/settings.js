// settings.js: the training page's settings: their defaults, their choices and one check.
// The worker, the page, the run-file schema and the Node test all read them from here. The
// losses, activations and optimisers offered are the core's (its registry), not a list
// written here. A custom design (arch 'custom') is checked by building it in the core.
import { ACTIVATIONS, LOSSES, OPTIMIZERS } from '../../bindings/registry-names.js';
import { designParameterShapes, registeredCore } from '../designer/analyse.js';
import { checkDesignData } from '../designer/model.js';

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
  // The settings below came with the designer and the optimisers; a run saved before them
  // has none, so they are optional even in a complete run file (their defaults are the
  // behaviour of that time: SGD without weight decay, a fixed architecture).
  design: null, // arch 'custom': the list of layer specs of cl.sequential
  optimizer: 'sgd',
  weightDecay: 0,
  nesterov: false, // SGD only
  betas: [0.9, 0.999], // Adam and AdamW only
});
const OPTIONAL = new Set(['design', 'optimizer', 'weightDecay', 'nesterov', 'betas']);

// torch.optim's defaults for the options each optimiser has; an option of another optimiser
// set away from its default is refused (it would be ignored).
const OPTIMIZER_OPTIONS = Object.freeze({
  sgd: ['momentum', 'weightDecay', 'nesterov'],
  adam: ['betas', 'weightDecay'],
  adamw: ['betas', 'weightDecay'],
  rmsprop: ['momentum', 'weightDecay'],
});
const NEUTRAL = { momentum: 0, weightDecay: 0, nesterov: false, betas: [0.9, 0.999] };

// A good learning rate for each loss (the squared loss, a mean over the ten outputs, has
// gradients about five times smaller); the page switches between them with the loss.
export const DEFAULT_LR = Object.freeze({ 'softmax-cross-entropy': 0.02, mse: 0.5 });
// Adam, AdamW and RMSprop scale each step by a running gradient size: torch's usual 1e-3.
export const ADAPTIVE_LR = 0.001;

export const CHOICES = Object.freeze({
  dataset: ['mnist', 'fashion'],
  // The fixed architectures; 'custom' (a design) is accepted besides them.
  arch: ['lenet5', 'mlp'],
  activation: ACTIVATIONS,
  pool: ['max', 'avg'],
  loss: LOSSES,
  schedule: ['cosine', 'constant'],
  optimizer: OPTIMIZERS,
});
export const CUSTOM = 'custom';

// [name, lo, hi, integer?] of the numeric settings.
const RANGES = [
  ['lr', 1e-6, 10, false],
  ['momentum', 0, 0.999, false],
  ['epochs', 1, 200, true],
  ['shift', 0, 4, true],
  ['seed', 0, 2 ** 31 - 1, true],
  ['evalsPerEpoch', 1, 20, true],
  ['weightDecay', 0, 1, false],
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
    for (const k of Object.keys(DEFAULTS)) if (!(k in settings) && !OPTIONAL.has(k)) throw new Error(`${name(k)}: missing`);
  }
  const s = { ...DEFAULTS, ...settings };
  for (const [k, list] of Object.entries(CHOICES)) {
    if (k === 'arch' && s.arch === CUSTOM) continue;
    if (!list.includes(s[k])) throw new Error(`${name(k)}: expected one of ${[...list, ...(k === 'arch' ? [CUSTOM] : [])].join(', ')}, got ${describe(s[k])}`);
  }
  for (const [k, lo, hi, int] of RANGES) {
    const v = s[k];
    if (k === 'batch' && v === 'all') continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
      throw new Error(`${name(k)}: expected ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]${k === 'batch' ? " or 'all'" : ''}, got ${describe(v)}`);
    }
  }
  checkOptimizer(s, name);
  s.design = checkDesign(s, name);
  return s;
}

function checkOptimizer(s, name) {
  if (typeof s.nesterov !== 'boolean') throw new Error(`${name('nesterov')}: expected true or false, got ${describe(s.nesterov)}`);
  const b = s.betas;
  if (!Array.isArray(b) || b.length !== 2 || !b.every((v) => typeof v === 'number' && v >= 0 && v < 1)) {
    throw new Error(`${name('betas')}: expected [b1, b2] with each in [0, 1), got ${Array.isArray(b) ? `[${b}]` : describe(b)}`);
  }
  s.betas = [...b];
  const own = OPTIMIZER_OPTIONS[s.optimizer] ?? [];
  for (const [k, neutral] of Object.entries(NEUTRAL)) {
    if (!own.includes(k) && JSON.stringify(s[k]) !== JSON.stringify(neutral)) {
      throw new Error(`${name(k)}: not an option of ${s.optimizer} (set it to ${JSON.stringify(neutral)} or choose ${Object.keys(OPTIMIZER_OPTIONS).filter((o) => OPTIMIZER_OPTIONS[o].includes(k)).join(' or ')})`);
    }
  }
}

// A custom design's structure here, its meaning by the core (when one is loaded: the page
// and the worker register theirs); the core's message names the layer ("layers[3].kernel").
function checkDesign(s, name) {
  if (s.arch !== CUSTOM) {
    if (s.design !== null) throw new Error(`${name('design')}: only used with arch '${CUSTOM}' (got arch ${describe(s.arch)})`);
    return null;
  }
  if (s.design === null) throw new Error(`${name('design')}: missing (arch '${CUSTOM}' needs a list of layers)`);
  const design = checkDesignData(s.design, name('design'));
  if (registeredCore()) {
    try {
      designParameterShapes(design, [1, 28, 28]);
    } catch (error) {
      throw new Error(`${name('design')}: ${error.message}`);
    }
  }
  return design;
}

// The options of net.trainStep for these settings, besides loss and lr: each option the
// optimiser has; weight decay and Nesterov only when set, so that a module without them
// trains the defaults and refuses (naming the option) only what it cannot do.
export function optimizerOptions(s) {
  const o = { optimizer: s.optimizer };
  const own = OPTIMIZER_OPTIONS[s.optimizer] ?? [];
  if (own.includes('momentum')) o.momentum = s.momentum;
  if (own.includes('betas')) o.betas = [...s.betas];
  if (s.weightDecay !== 0) o.weightDecay = s.weightDecay;
  if (s.nesterov) o.nesterov = true;
  return o;
}

// The form's settings after the student changed field `name`, or null when nothing else
// follows from it: choosing an optimiser starts from that optimiser's options and a good
// learning rate for it; choosing a loss with SGD switches to that loss's good learning rate
// while the other loss's is still set.
export function settingsAfterChange(name, s) {
  if (name === 'optimizer') {
    const sgd = s.optimizer === 'sgd';
    return { ...s, lr: sgd ? DEFAULT_LR[s.loss] : ADAPTIVE_LR, momentum: sgd ? DEFAULTS.momentum : 0, nesterov: false, betas: DEFAULTS.betas };
  }
  if (name === 'loss' && s.optimizer === 'sgd') {
    const other = Object.entries(DEFAULT_LR).find(([loss]) => loss !== s.loss);
    if (other && s.lr === other[1]) return { ...s, lr: DEFAULT_LR[s.loss] };
  }
  return null;
}

export function batchSize(settings, nTrain) {
  return settings.batch === 'all' ? nTrain : Math.min(settings.batch, nTrain);
}

// Learning rate at `done` examples of `total`: cosine decay from lr to 0, or constant.
export function learningRate(settings, done, total) {
  if (settings.schedule === 'constant') return settings.lr;
  return settings.lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, done / total)));
}
