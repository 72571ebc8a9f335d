// worker.js: the training page's Web Worker. It loads the WebAssembly core through the
// public API, owns the one `Run` (run.js), trains in slices of about 40 ms (so a pause or
// an inspection request waits at most one slice), saves the run itself (IndexedDB) about
// every second of training and on pause, and posts plain data back: progress with only the
// new curve points, evaluations, the few kernels the filter view draws. The messages are
// those of protocol.js; the page thread only draws.

import { load } from '../../bindings/convlab.js';
import { analyse, useCore } from '../designer/analyse.js';
import { filterNames, layerNames, layersFor } from './architectures.js';
import { parametersNamed } from './engine.js';
import { FILTERS_MS, PROGRESS_MS, SAVE_MS, fromWorker } from './protocol.js';
import { Run } from './run.js';
import { clearSaved, save } from './store.js';

const SLICE_MS = 40;

let cl = null;
let loading = null;
let data = null;
let run = null;
let running = false;
let lastProgress = 0;
let lastFilters = 0;
let lastSave = 0;
let saving = null; // the save in flight, if any
let rate = { examples: 0, ms: 0, value: 0 };

const post = (msg) => self.postMessage(msg);

// The worker bundle sits in dist/assets/ beside dist/wasm/ (see web/build.mjs).
async function core() {
  loading ??= load({ wasmUrl: new URL('../wasm/convlab_wasm.wasm', import.meta.url).href });
  cl = await loading;
  useCore(cl); // custom designs are checked, and their parameter shapes read, by building them
}

const filters = () => parametersNamed(run.net, filterNames(run.settings));

function readyMessage(accepted) {
  return fromWorker.ready({
    settings: run.settings,
    progress: { ...run.progress, epochs: run.epochs, n: data.train.n },
    curves: run.curves,
    filters: filters(),
    layerNames: layerNames(run.settings),
    accepted,
  });
}

function progressMessage(last) {
  return fromWorker.progress({
    epochs: run.epochs,
    epoch: run.progress.epoch,
    position: run.progress.position,
    n: data.train.n,
    totalEpochs: run.settings.epochs,
    steps: run.progress.steps,
    examplesPerSecond: rate.value,
    lr: last?.lr ?? null,
    loss: last?.loss ?? null,
    points: run.takeNewPoints(),
  });
}

// Warming up. The engine compiles the core's code as it first runs and optimises what runs
// often a little later, in the background: in Node the first fifteen training steps took 5 to
// 30 times as long as the rest, and on the page the first epoch after Start took up to a
// second longer than the others while the compiler competed with training for the cores.
// So before the worker says it is ready for a new kind of run (another network, loss,
// optimiser or batch), it trains a throwaway run built from the same settings for a few steps
// and evaluates one chunk, as libraries warm a model up before its first real call. The
// real run and what is stored are not touched. At most WARM_MS.
const WARM_STEPS = 30;
const WARM_MS = 1500;
let warmed = null; // what the last warm-up ran
function warmUp(settings) {
  const key = JSON.stringify([data.id, layersFor(settings), settings.loss, settings.optimizer, settings.batch]);
  if (key === warmed) return;
  warmed = key;
  let scratch = null;
  try {
    scratch = new Run(cl, data, settings);
    const t0 = performance.now();
    for (let i = 0; i < WARM_STEPS && performance.now() - t0 < WARM_MS; i++) {
      if (scratch.work().kind !== 'train') break;
    }
    scratch.beginEval(false);
    scratch.work();
  } catch {
    // a design the core refuses fails the same way in the real run, which reports it
  } finally {
    scratch?.dispose();
  }
}

// Builds the new run first and replaces the current one only if that worked, so that a
// refused file leaves the run (and what is stored) as it was.
function replaceRun(settings, saved) {
  const next = new Run(cl, data, settings, saved);
  run?.dispose();
  run = next;
  run.takeNewPoints(); // the page receives these with `ready`
  rate = { examples: 0, ms: 0, value: 0 };
}

// Saves the current run unless it diverged (its parameters are not worth keeping). One save
// at a time: a request during a save is served by one more save, of the state at its start,
// right after; requests never queue up (on a slow disk a queue would store older and older
// states). Resolves when the latest state asked for is stored; storage errors are swallowed
// (the run goes on).
let again = null;
function saveRun() {
  lastSave = performance.now();
  if (saving) {
    again ??= saving.then(() => { again = null; return saveRun(); });
    return again;
  }
  if (!run || run.progress.diverged) return Promise.resolve();
  const snapshot = run.snapshot();
  const steps = snapshot.progress.steps;
  saving = save(snapshot).then(() => post(fromWorker.saved(steps))).catch(() => {}).finally(() => { saving = null; });
  return saving;
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
    let e;
    try {
      e = run.work();
    } catch (error) {
      // A step the core refuses (an optimiser option this module lacks, a design that does
      // not fit the data): stop and say so; the run stays as it was before the step.
      running = false;
      post(fromWorker.error(error?.message ?? String(error), 'start'));
      post(progressMessage(null));
      post(fromWorker.state('paused'));
      return;
    }
    if (e.kind === 'train') {
      last = e;
      examples += e.examples;
    } else if (e.kind === 'eval') {
      post(fromWorker.eval(e));
    } else if (e.kind === 'diverged') {
      stop = 'diverged';
      post(fromWorker.diverged(e.loss, e.lr, run.epochs));
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
    rate = { examples: 0, ms: 0, value: (1000 * rate.examples) / rate.ms };
  }
  if (stop || now - lastProgress > PROGRESS_MS) {
    lastProgress = now;
    post(progressMessage(last));
  }
  if (stop || now - lastFilters > FILTERS_MS) {
    lastFilters = now;
    post(fromWorker.filters(filters()));
  }
  if (stop || now - lastSave > SAVE_MS) saveRun();
  if (stop) {
    running = false;
    post(fromWorker.state(stop));
    return;
  }
  schedule();
}

async function handle(msg) {
  switch (msg.type) {
    case 'init': {
      data = msg.data;
      await core();
      try {
        replaceRun(msg.settings, msg.saved);
      } catch (error) {
        // The stored run does not fit: start fresh, so that the page is never left without
        // a run, and say why (the page keeps the stored one aside).
        post(fromWorker.error(error.message, 'init', true));
        replaceRun(msg.settings, null);
        warmUp(run.settings);
        post(readyMessage(false));
        break;
      }
      warmUp(run.settings);
      post(readyMessage(Boolean(msg.saved)));
      break;
    }
    case 'reset': {
      running = false;
      try {
        replaceRun(msg.settings, msg.saved);
      } catch (error) {
        post(fromWorker.error(error.message, 'reset', Boolean(msg.saved)));
        if (run) post(readyMessage(false));
        break;
      }
      if (msg.saved) await saveRun();
      else await clearSaved();
      warmUp(run.settings);
      post(readyMessage(Boolean(msg.saved))); // the page derives idle / paused / done from its progress
      break;
    }
    case 'start': {
      if (running || !run) return;
      if (run.progress.done) { post(fromWorker.state('done')); return; }
      if (run.progress.diverged) { post(fromWorker.state('diverged')); return; }
      running = true;
      lastSave = performance.now();
      post(fromWorker.state('running'));
      schedule();
      break;
    }
    case 'pause': {
      if (!running) return;
      running = false;
      post(progressMessage(null));
      post(fromWorker.state('paused'));
      await saveRun();
      break;
    }
    case 'inspect': {
      post(fromWorker.inspection(msg.id, run.inspect(msg.pixels)));
      break;
    }
    case 'snapshot': {
      post(fromWorker.snapshot(msg.id, run.snapshot()));
      break;
    }
    case 'crash': {
      setTimeout(() => { throw new Error('worker crash requested by a test'); });
      break;
    }
    case 'analyse': {
      await core();
      post(fromWorker.analysis(msg.id, analyse(cl, msg.design, msg.inputShape)));
      break;
    }
    case 'memory': {
      post(fromWorker.memory(cl?.memoryStats() ?? {}, run?.progress.steps ?? null));
      break;
    }
    case 'close': {
      self.close(); // no error event, no message: what a worker killed by the browser looks like
      break;
    }
    default:
      throw new Error(`worker: unknown message type ${msg.type}`);
  }
}

self.onmessage = (event) => {
  handle(event.data).catch((error) => {
    running = false;
    post(fromWorker.error(error?.message ?? String(error), event.data?.type));
  });
};
