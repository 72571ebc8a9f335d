// compare/worker.js: the compare panel's Web Worker, beside the training page's own worker
// (which keeps the student's current run): it trains the runs of a ready comparison one
// after another, archives each (with the queue's progress, in one transaction), measures
// shift robustness and tests a run on the student's drawings. All network work is here, off
// the page thread; messages are those of compare/messages.js.

import { load } from '../../../bindings/convlab.js';
import { normalisationOf, writeExample } from '../augmentation.js';
import { createNetwork, evaluateBatch, stagingFor, writeState } from '../engine.js';
import { loadCatalogue, loadDataset } from '../loader.js';
import { Run } from '../run.js';
import { checkRun } from '../schema.js';
import { checkSettings } from '../settings.js';
import { loadSaved } from '../store.js';
import { archiveEntry, droppedNote } from './archive-data.js';
import { addRun, getRun, saveQueue, updateRun } from './db.js';
import { fromCompareWorker as out } from './messages.js';
import { CHUNK, robustness } from './shift.js';

const DATA_URL = new URL('../data/', import.meta.url); // dist/assets/ -> dist/data/
const SLICE_MS = 40;
const PROGRESS_MS = 250;

let cl = null;
let catalogue = null;
const datasets = new Map();
let queueJob = null; // { queue, stop: boolean }

const post = (msg) => self.postMessage(msg);
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

async function core() {
  cl ??= await load({ wasmUrl: new URL('../wasm/convlab_wasm.wasm', import.meta.url).href });
  return cl;
}

// The data set `id`, whole or (a test-only override of a queue) its first `limit` training
// and held-out digits.
async function dataset(id, limit = 0) {
  catalogue ??= await loadCatalogue(DATA_URL);
  if (!datasets.has(id)) {
    const entry = catalogue.datasets.find((d) => d.id === id);
    if (!entry) throw new Error(`settings.dataset: ${id} is not part of this build`);
    datasets.set(id, await loadDataset(DATA_URL, entry));
  }
  const d = datasets.get(id);
  if (!limit) return d;
  const size = d.width * d.height;
  const part = (p) => {
    const n = Math.min(limit, p.n);
    return { n, labels: p.labels.subarray(0, n), pixels: p.pixels.subarray(0, n * size) };
  };
  return { ...d, train: part(d.train), test: part(d.test) };
}

// The number of correct answers on staged inputs, through the same engine call the run's
// own evaluation makes (so that shift 0 repeats the run's held-out accuracy exactly).
function evaluator(net, loss) {
  return {
    stage: (count) => stagingFor(net, count),
    evaluate: (x, labels, count) => evaluateBatch(net, x, labels, count, loss).correct,
  };
}

// A network with the weights of a stored run (an archive entry's or the current one).
function networkOf(run, side) {
  const net = createNetwork(cl, run.settings, side);
  writeState(net, run.parameters, null, run.buffers);
  net.eval?.(); // only evaluated: batch norm uses its running statistics, dropout is off
  return net;
}

// ---- the queue of a ready comparison ------------------------------------------------------

async function trainItem(item, queue) {
  const settings = checkSettings({ ...item.settings, ...(queue.epochs ? { epochs: queue.epochs } : {}) });
  const data = await dataset(settings.dataset, queue.limit);
  const run = new Run(await core(), data, settings);
  try {
    let last = 0;
    for (;;) {
      const t0 = performance.now();
      let end = null;
      while (!end && performance.now() - t0 < SLICE_MS) {
        const e = run.work();
        if (e.kind === 'done' || e.kind === 'diverged') end = e;
      }
      if (end?.kind === 'diverged') throw new Error(`the loss became ${end.loss}: this run diverged`);
      const now = performance.now();
      if (end || now - last > PROGRESS_MS) {
        last = now;
        post(out.progress(queue.items.indexOf(item), run.epochs, settings.epochs));
      }
      if (end) break;
      await yieldToMessages();
      if (queueJob?.stop) return null;
    }
    const snapshot = run.snapshot();
    const entry = archiveEntry(snapshot, { heldOut: data.test.n, name: `${queue.title}: ${item.label}`, source: 'compare' });
    if (item.robustness) {
      post(out.progress(queue.items.indexOf(item), run.epochs, settings.epochs, 'measuring shift robustness'));
      entry.robustness = robustness(data.test, data.width, normalisationOf(data.id), evaluator(run.net, settings.loss));
    }
    return entry;
  } finally {
    run.dispose();
  }
}

async function runQueue(queue) {
  const job = { queue, stop: false };
  queueJob = job;
  try {
    await runItems(queue);
  } finally {
    if (queueJob === job) queueJob = null;
  }
}

async function runItems(queue) {
  for (const item of queue.items) if (item.status === 'running') item.status = 'pending'; // a reload restarts it
  queue.state = 'running';
  await saveQueue(queue);
  for (const item of queue.items) {
    if (item.status !== 'pending') continue;
    item.status = 'running';
    post(out.queue(queue));
    let entry = null;
    try {
      entry = await trainItem(item, queue);
    } catch (error) {
      item.status = 'failed';
      item.error = error.message;
      await saveQueue(queue);
      post(out.queue(queue));
      continue;
    }
    if (!entry) { // stopped
      item.status = 'pending';
      queue.state = 'stopped';
      await saveQueue(queue);
      post(out.queue(queue));
      return;
    }
    item.status = 'done';
    // The run and the queue's progress in one transaction: a reload never sees one
    // without the other.
    const { id, dropped } = await addRun(entry, { queue: (newId) => ({ ...queue, items: queue.items.map((i) => (i === item ? { ...i, id: newId } : i)) }) });
    item.id = id;
    if (dropped.length) post(out.note(droppedNote(dropped)));
    post(out.queue(queue));
  }
  queue.state = 'done';
  await saveQueue(queue);
  post(out.queue(queue));
}

// ---- measurements of stored runs ------------------------------------------------------------

// source: { kind: 'archive', id } or { kind: 'current' }. Returns the checked run and a name.
async function storedRun(source) {
  if (source.kind === 'archive') {
    const e = await getRun(source.id);
    if (!e) throw new Error(`archive: run ${source.id} is no longer there`);
    return { run: e.run, entry: e };
  }
  const raw = await loadSaved();
  if (!raw) throw new Error('there is no current run saved yet: train for a moment first');
  catalogue ??= await loadCatalogue(DATA_URL);
  const nTrain = catalogue.datasets.find((d) => d.id === raw.settings?.dataset)?.train ?? 8000;
  return { run: checkRun(raw, { nTrain }), entry: null };
}

async function measureRobustness(id) {
  const { run, entry } = await storedRun({ kind: 'archive', id });
  await core();
  // The held-out digits the run's accuracy was measured on (all, or the first n of a test
  // setting), so that shift 0 repeats that accuracy.
  const full = await dataset(run.settings.dataset);
  const data = entry.n < full.test.n ? await dataset(run.settings.dataset, entry.n) : full;
  const net = networkOf(run, data.width);
  try {
    const r = robustness(data.test, data.width, normalisationOf(data.id), evaluator(net, run.settings.loss));
    await updateRun(id, { robustness: r });
    return r;
  } finally {
    net.dispose();
  }
}

// drawings: [{ label, pixels }]. Returns { predictions, correct, n }.
async function testDrawings(source, drawings) {
  const { run } = await storedRun(source);
  await core();
  const side = 28;
  const net = networkOf(run, side);
  try {
    const { stage } = evaluator(net, run.settings.loss);
    const norm = normalisationOf(run.settings.dataset);
    const predictions = [];
    let correct = 0;
    for (let start = 0; start < drawings.length; start += CHUNK) {
      const part = drawings.slice(start, start + CHUNK);
      const { x, labels } = stage(part.length);
      const pixels = new Uint8Array(part.length * side * side);
      part.forEach((d, i) => { pixels.set(d.pixels, i * side * side); labels[i] = d.label; });
      part.forEach((_, i) => writeExample(x, i * side * side, pixels, i, side, 0, 0, norm));
      const r = evaluateBatch(net, x, labels, part.length, run.settings.loss);
      predictions.push(...r.predictions);
      correct += r.correct;
    }
    return { predictions, correct, n: drawings.length };
  } finally {
    net.dispose();
  }
}

async function handle(msg) {
  switch (msg.type) {
    case 'queue':
      if (queueJob) return; // one queue at a time; the page shows the running one
      await core();
      await runQueue(msg.queue);
      break;
    case 'stop':
      if (queueJob) queueJob.stop = true;
      break;
    case 'robustness':
      post(out.robustness(msg.id, await measureRobustness(msg.id)));
      break;
    case 'drawings':
      post(out.drawings(msg.source, await testDrawings(msg.source, msg.drawings)));
      break;
    default:
      throw new Error(`compare worker: unknown message type ${msg.type}`);
  }
}

self.onmessage = (event) => {
  handle(event.data).catch((error) => {
    post(out.error(error?.message ?? String(error), event.data?.type, event.data?.id));
  });
};
