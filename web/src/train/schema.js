// schema.js: the one check of a training run (a run file after decoding, or what IndexedDB
// gives back): every field's type and range, and the parameters against the network its
// settings describe. A run that passes can be handed to the worker; one that fails throws an
// Error naming the field, before anything is stored or built.

import { bufferShapes, parameterShapes } from './architectures.js';
import { MAX_POINTS, boundedCopy } from './curve-data.js';
import { checkSettings } from './settings.js';

export const FORMAT = 'convlab-train-run';
// 1: no momentum buffers; 2: with the optimiser's state ([] before a step makes any).
export const VERSION = 2;
export const VERSIONS = Object.freeze([1, 2]);
// Longer series than this are refused; shorter ones past MAX_POINTS are thinned on load.
export const MAX_FILE_POINTS = 20 * MAX_POINTS;
const DIVERGED = ['NaN', 'Infinity', '-Infinity'];

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v) => (typeof v === 'string' ? `the string ${JSON.stringify(v).slice(0, 40)}` : Array.isArray(v) ? 'an array' : String(v));

function int(value, field, lo, hi) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new Error(`${field}: expected an integer in [${lo}, ${hi}], got ${show(value)}`);
  }
  return value;
}

function finite(value, field, lo = -Infinity, hi = Infinity) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new Error(`${field}: expected a finite number${lo > -Infinity ? ` in [${lo}, ${hi}]` : ''}, got ${show(value)}`);
  }
  return value;
}

function checkProgress(p, settings, nTrain) {
  if (!isObject(p)) throw new Error(`progress: ${p === undefined ? 'missing' : `expected an object, got ${show(p)}`}`);
  const epoch = int(p.epoch, 'progress.epoch', 0, settings.epochs);
  const position = int(p.position, 'progress.position', 0, nTrain - 1);
  const steps = int(p.steps, 'progress.steps', 0, (epoch + 1) * nTrain);
  if (typeof p.done !== 'boolean') throw new Error(`progress.done: expected true or false, got ${show(p.done)}`);
  if (p.done !== (epoch === settings.epochs)) throw new Error(`progress.done: ${p.done} does not match epoch ${epoch} of ${settings.epochs}`);
  if (epoch === settings.epochs && position !== 0) throw new Error(`progress.position: must be 0 once all ${epoch} epochs are done`);
  const diverged = p.diverged ?? null;
  if (diverged !== null && !DIVERGED.includes(diverged)) throw new Error(`progress.diverged: expected null or one of ${DIVERGED.join(', ')}, got ${show(diverged)}`);
  return { epoch, position, steps, done: p.done, diverged };
}

function checkCurves(c, settings) {
  if (!isObject(c)) throw new Error(`curves: ${c === undefined ? 'missing' : 'expected an object'}`);
  for (const part of ['train', 'test']) {
    const s = c[part];
    if (!isObject(s)) throw new Error(`curves.${part}: expected { x, loss, acc }`);
    for (const k of ['x', 'loss', 'acc']) {
      const list = s[k];
      if (!Array.isArray(list)) throw new Error(`curves.${part}.${k}: expected an array`);
      if (list.length > MAX_FILE_POINTS) throw new Error(`curves.${part}.${k}: ${list.length} points, more than the ${MAX_FILE_POINTS} a run can have`);
      if (list.length !== s.x.length) throw new Error(`curves.${part}.${k}: ${list.length} points but x has ${s.x.length}`);
      const [lo, hi] = k === 'acc' ? [0, 1] : k === 'x' ? [0, settings.epochs] : [0, Infinity];
      list.forEach((v, i) => finite(v, `curves.${part}.${k}[${i}]`, lo, hi));
    }
  }
  return boundedCopy(c);
}

// [{ name, shape, data }] against the expected [{ name, shape }]; data: Float32Array or
// an array of numbers. Returns fresh Float32Array copies.
function checkTensors(list, expected, field) {
  if (!Array.isArray(list)) throw new Error(`${field}: ${list === undefined ? 'missing' : 'expected a list'}`);
  if (list.length !== expected.length) throw new Error(`${field}: ${list.length} tensors, the network has ${expected.length}`);
  return list.map((p, i) => {
    const want = expected[i];
    const where = `${field}[${i}]`;
    if (!isObject(p)) throw new Error(`${where}: expected { name, shape, data }`);
    if (p.name !== want.name) throw new Error(`${where}.name: expected ${want.name}, got ${show(p.name)}`);
    if (!Array.isArray(p.shape) || p.shape.join() !== want.shape.join()) throw new Error(`${where} (${want.name}).shape: expected [${want.shape}], got ${Array.isArray(p.shape) ? `[${p.shape}]` : show(p.shape)}`);
    const n = want.shape.reduce((a, b) => a * b, 1);
    const data = p.data instanceof Float32Array || Array.isArray(p.data) ? Float32Array.from(p.data) : null;
    if (!data) throw new Error(`${where} (${want.name}).data: expected numbers`);
    if (data.length !== n) throw new Error(`${where} (${want.name}): ${data.length} values for shape [${want.shape}]`);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where} (${want.name}): value ${bad} is ${data[bad]}, not finite`);
    return { name: want.name, shape: [...want.shape], data };
  });
}

// torch's slot names per optimiser, in the order net.optimizerState() lists them.
const SLOTS = {
  adam: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  adamw: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'],
  rmsprop: ['square_avg', 'momentum_buffer', 'grad_avg'],
};

// The optimiser state in net.optimizerState()'s form (docs/api.md): [] before any; SGD's
// momentum buffers named and shaped as the parameters; or '<optimizer>.step' (shape [1], a
// whole count >= 1) followed per parameter by '<parameter>.<slot>' tensors of its shape, the
// slots the first parameter has.
function checkOptimizer(list, shapes) {
  if (Array.isArray(list) && list.length === 0) return [];
  const step = Array.isArray(list) && isObject(list[0]) && /^(adam|adamw|rmsprop)\.step$/.exec(list[0].name);
  if (!step) return checkTensors(list, shapes, 'optimizer');
  const present = SLOTS[step[1]].filter((s) => list.some((p) => isObject(p) && p.name === `${shapes[0]?.name}.${s}`));
  const expected = [{ name: step[0], shape: [1] }];
  for (const p of shapes) for (const s of present) expected.push({ name: `${p.name}.${s}`, shape: p.shape });
  const checked = checkTensors(list, expected, 'optimizer');
  const count = checked[0].data[0];
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`optimizer[0] (${step[0]}): expected the step count, a whole number >= 1, got ${count}`);
  return checked;
}

// The format and version fields, checked before anything else of a file is read.
export function checkHeader(run) {
  if (!isObject(run)) throw new Error('run: expected an object');
  if (run.format !== FORMAT) throw new Error(`format: this is not a convlab training run (expected "${FORMAT}", got ${show(run.format)})`);
  if (typeof run.version !== 'number') throw new Error(`version: expected the number ${VERSIONS.join(' or ')}, got ${show(run.version)}`);
  if (!VERSIONS.includes(run.version)) throw new Error(`version: unsupported run file version ${run.version} (this page reads ${VERSIONS.join(' and ')})`);
}

// Returns the run in its checked, normalised form: { format, version, dataset, settings,
// progress, curves, lastEval, parameters, optimizer (a list; undefined for version 1),
// buffers (a list, [] for a network without batch norm),
// savedAt, heldOut (the held-out count its accuracy was measured on, or null) }.
// nTrain: training examples of the run's data set (positions are checked against it).
export function checkRun(run, { nTrain = 8000 } = {}) {
  checkHeader(run);
  if (!('settings' in run)) throw new Error('settings: missing');
  const settings = checkSettings(run.settings, { complete: true, field: 'settings' });
  if (run.dataset !== settings.dataset) throw new Error(`dataset: ${show(run.dataset)} does not match settings.dataset ${settings.dataset}`);
  const progress = checkProgress(run.progress, settings, nTrain);
  const curves = checkCurves(run.curves, settings);
  let lastEval = null;
  if (run.lastEval != null) {
    if (!isObject(run.lastEval)) throw new Error('lastEval: expected an object or null');
    lastEval = {
      epoch: finite(run.lastEval.epoch, 'lastEval.epoch', 0, settings.epochs),
      loss: finite(run.lastEval.loss, 'lastEval.loss', 0),
      acc: finite(run.lastEval.acc, 'lastEval.acc', 0, 1),
    };
  }
  const shapes = parameterShapes(settings);
  const parameters = checkTensors(run.parameters, shapes, 'parameters');
  let optimizer; // version 1: undefined, so the momentum restarts
  if (run.version >= 2) {
    optimizer = checkOptimizer(run.optimizer, shapes);
  }
  // Batch norm's running statistics: required when the network has them (without them its
  // eval-mode outputs would be an untrained network's), absent otherwise.
  const bufferList = bufferShapes(settings);
  const buffers = bufferList.length || run.buffers !== undefined ? checkTensors(run.buffers ?? undefined, bufferList, 'buffers') : [];
  const heldOut = run.heldOut == null ? null : int(run.heldOut, 'heldOut', 1, 1e6);
  const savedAt = typeof run.savedAt === 'number' && Number.isFinite(run.savedAt) ? run.savedAt : null;
  return { format: FORMAT, version: run.version, dataset: settings.dataset, settings, progress, curves, lastEval, parameters, optimizer, buffers, savedAt, heldOut };
}
