// worker.js: the training page's Web Worker. It loads the WebAssembly core through the
// public API, owns the one `Run` of recipe.js, trains in slices of about 40 ms (so a pause
// or an inspection request waits at most one slice), and posts plain data back: progress,
// curves, evaluations, filters, snapshots. The page thread only draws.
//
// Protocol (every message is { type, ... }):
//   in:  init { data, settings, saved? }  reset { settings, saved? }  start  pause
//        inspect { id, pixels (side*side bytes) }  snapshot { id }  crash (tests only)
//   out: ready { settings, progress, curves, filters, layerNames }  progress { ... }
//        eval { ... }  snapshot { id?, reason, snapshot }  state { state }
//        diverged { loss, lr, epochs }  inspection { id, ... }  error { message }

import { load } from '../../bindings/convlab.js';
import { Run, layerNames, writeExample } from './recipe.js';

const SLICE_MS = 40;
const PROGRESS_MS = 150;
const FILTERS_MS = 600;

let cl = null;
let loading = null;
let data = null;
let run = null;
let running = false;
let lastProgress = 0;
let lastFilters = 0;
let rate = { examples: 0, ms: 0, value: 0 };

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);

// The worker bundle sits in dist/assets/ beside dist/wasm/ (see web/build.mjs).
async function core() {
  loading ??= load({ wasmUrl: new URL('../wasm/convlab_wasm.wasm', import.meta.url).href });
  cl = await loading;
}

// The kernels of the first two convolution layers (C1 and C3) for the filter view; C5's
// 120 x 16 kernels would drown them. parameters() already gives fresh { name, shape, data }.
function filters() {
  return run.net.parameters().filter((p) => p.shape.length === 4).slice(0, 2);
}

function readyMessage() {
  return {
    type: 'ready',
    settings: run.settings,
    progress: { ...run.progress, epochs: run.epochs, n: data.train.n },
    curves: run.curves,
    filters: filters(),
    layerNames: layerNames(run.settings),
    layers: run.net.layers,
  };
}

function progressMessage(last) {
  return {
    type: 'progress',
    epochs: run.epochs,
    epoch: run.progress.epoch,
    position: run.progress.position,
    n: data.train.n,
    totalEpochs: run.settings.epochs,
    steps: run.progress.steps,
    examplesPerSecond: rate.value,
    lr: last?.lr ?? null,
    loss: last?.loss ?? null,
    curves: run.curves,
  };
}

function makeRun(settings, saved) {
  run?.dispose();
  run = null;
  run = new Run(cl, data, settings, saved);
  rate = { examples: 0, ms: 0, value: 0 };
}

function snapshotMessage(reason, id) {
  return { type: 'snapshot', id, reason, snapshot: run.snapshot() };
}

function setState(state) {
  post({ type: 'state', state });
}

// One slice of training; re-schedules itself through a MessageChannel (no 4 ms timer clamp).
const tick = new MessageChannel();
tick.port1.onmessage = slice;
function schedule() {
  tick.port2.postMessage(0);
}

function slice() {
  if (!running) return;
  const t0 = performance.now();
  let last = null;
  let examples = 0;
  let stop = null;
  while (performance.now() - t0 < SLICE_MS) {
    const e = run.work();
    if (e.kind === 'train') {
      last = e;
      examples += e.examples;
    } else if (e.kind === 'eval') {
      post({ type: 'eval', ...e });
      post(snapshotMessage('eval'));
    } else if (e.kind === 'diverged') {
      stop = 'diverged';
      post({ type: 'diverged', loss: String(e.loss), lr: e.lr ?? null, epochs: run.epochs });
      break;
    } else if (e.kind === 'done') {
      stop = 'done';
      break;
    }
  }
  const now = performance.now();
  rate.examples += examples;
  rate.ms += now - t0;
  if (rate.ms > 500) { // examples per second over the last half second or more
    rate.value = (1000 * rate.examples) / rate.ms;
    rate = { examples: 0, ms: 0, value: rate.value };
  }
  if (stop || now - lastProgress > PROGRESS_MS) {
    lastProgress = now;
    post(progressMessage(last));
  }
  if (stop || now - lastFilters > FILTERS_MS) {
    lastFilters = now;
    post({ type: 'filters', filters: filters() });
  }
  if (stop) {
    running = false;
    if (stop === 'done') post(snapshotMessage('done'));
    setState(stop);
    return;
  }
  schedule();
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      data = msg.data;
      await core();
      makeRun(msg.settings, msg.saved);
      post(readyMessage());
      break;
    }
    case 'reset': {
      running = false;
      makeRun(msg.settings, msg.saved);
      post(readyMessage()); // the page derives idle / paused / done from its progress
      break;
    }
    case 'start': {
      if (running || !run) return;
      if (run.progress.done) { setState('done'); return; }
      if (run.progress.diverged) { setState('diverged'); return; }
      running = true;
      setState('running');
      schedule();
      break;
    }
    case 'pause': {
      if (!running) return;
      running = false;
      post(progressMessage(null));
      post(snapshotMessage('pause'));
      setState('paused');
      break;
    }
    case 'inspect': {
      const side = data.width;
      const x = new Float32Array(side * side);
      writeExample(x, 0, msg.pixels, 0, side, 0, 0, run.norm);
      post({ type: 'inspection', id: msg.id, ...run.inspect(x) });
      break;
    }
    case 'snapshot': {
      post(snapshotMessage('request', msg.id));
      break;
    }
    case 'crash': {
      // Lets the browser test check that the page survives a dead worker.
      setTimeout(() => { throw new Error('worker crash requested by a test'); });
      break;
    }
    default:
      throw new Error(`worker: unknown message type ${msg.type}`);
  }
}

self.onmessage = (event) => {
  handle(event.data).catch((error) => {
    running = false;
    post({ type: 'error', message: error?.message ?? String(error), during: event.data?.type });
  });
};
