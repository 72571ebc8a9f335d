// main.js: the training page's thread. It loads the packed digits (with a progress bar),
// starts the worker (worker.js) that owns the network, sends it the controls' commands and
// draws what it reports: progress, curves, filters, feature maps, confusion matrix,
// misclassified digits, the drawing pad's probabilities. It keeps the run across reloads
// (store.js), restarts a crashed worker from the last saved state, and stops a run whose
// loss is no longer finite. No network math happens here.

import { el, fmt } from '../lib/dom.js';
import { CLASS_NAMES } from './data.js';
import { loadCatalogue, loadDataset } from './loader.js';
import { checkSettings, DEFAULT_LR, DEFAULTS } from './recipe.js';
import { SettingsForm } from './controls.js';
import { clearSaved, fromFile, loadSaved, save, toFile } from './store.js';
import { Curves } from './views/curves.js';
import { Filters } from './views/filters.js';
import { FeatureMaps } from './views/featuremaps.js';
import { Confusion } from './views/confusion.js';
import { Misclassified } from './views/misclassified.js';
import { DrawPad } from './views/drawpad.js';
import { probabilityBars, scoreCaption } from './views/bars.js';

const $ = (id) => document.getElementById(id);
const DATA_URL = new URL('../data/', import.meta.url); // dist/assets/train.js -> dist/data/
const WORKER_URL = new URL('train-worker.js', import.meta.url);
const AUTOSAVE_MS = 3000;

const page = {
  catalogue: null,
  datasets: new Map(), // id -> decoded data set
  data: null,
  settings: checkSettings({}),
  worker: null,
  state: 'loading',
  layerNames: [],
  lastGood: null, // the last snapshot with finite parameters
  lastSavedAt: 0,
  lastEval: null,
  selected: { kind: 'test', index: 0 },
  drawing: null,
  restarts: 0,
  inspectCount: 0,
  slowest: {},
};

let form;
let views;
let buttons;

function classNames() {
  return CLASS_NAMES[page.data?.id] ?? CLASS_NAMES.mnist;
}

function setStatus(text, ready = false) {
  const s = $('core-status');
  if (!s) return;
  s.textContent = text;
  s.classList.toggle('ready', ready);
}

function message(text, actions = []) {
  const box = $('t-message');
  if (!text) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  box.replaceChildren(el('span', { text }), ...actions);
}

function setState(state) {
  page.state = state;
  $('train').dataset.state = state;
  const { start, pause, reset } = buttons;
  start.hidden = state === 'running';
  pause.hidden = state !== 'running';
  start.textContent = state === 'paused' ? 'Resume' : 'Start';
  start.disabled = !['idle', 'paused'].includes(state);
  reset.disabled = state === 'loading';
  form.setDisabled(state === 'running' || state === 'loading');
  if (state === 'done') $('t-epoch-text').textContent += ' · finished';
}

// ---- the worker --------------------------------------------------------------------------

function startWorker(saved) {
  const worker = new Worker(WORKER_URL, { type: 'module', name: 'convlab-train' });
  page.worker = worker;
  worker.onmessage = (e) => onWorkerMessage(worker, e.data);
  worker.onerror = (e) => {
    e.preventDefault?.();
    if (worker === page.worker) restartWorker(e.message || 'the worker stopped with an error');
  };
  worker.onmessageerror = () => restartWorker('a message from the worker could not be read');
  const data = page.data;
  // A copy for the worker; the page keeps its own to draw digits.
  const copy = (part) => ({ n: part.n, labels: part.labels.slice(), pixels: part.pixels.slice() });
  worker.postMessage({
    type: 'init',
    data: { id: data.id, height: data.height, width: data.width, classes: data.classes, train: copy(data.train), test: copy(data.test) },
    settings: page.settings,
    saved: saved ?? undefined,
  });
}

function restartWorker(reason) {
  page.restarts += 1;
  $('train').dataset.restarts = String(page.restarts);
  page.worker?.terminate();
  page.worker = null;
  // A worker that dies again and again (say, out of memory at start-up) is not restarted
  // forever: after three crashes within a minute the page says so and waits.
  const now = Date.now();
  page.crashTimes = [...(page.crashTimes ?? []).filter((t) => now - t < 60000), now];
  if (page.crashTimes.length > 3) {
    setState('idle');
    message(`The training worker keeps crashing (${reason}). Try Reset with other settings, or reload the page.`);
    return;
  }
  setState('loading');
  const from = page.lastGood;
  if (from) page.settings = checkSettings(from.settings);
  message(`The training worker crashed (${reason}). It was restarted${from ? ` from the last saved state, epoch ${fmt(epochsOf(from), 3)}` : ''}; press Resume to continue.`);
  startWorker(from);
  page.afterReady = 'paused';
}

function epochsOf(snapshot) {
  return snapshot.progress.epoch + snapshot.progress.position / (page.data?.train.n ?? 8000);
}

function send(msg) {
  page.worker?.postMessage(msg);
}

function onWorkerMessage(worker, msg) {
  if (worker !== page.worker) return; // a message from a worker we already replaced
  const t0 = performance.now();
  handleMessage(msg);
  // The slowest handler so far, per message type: what to look at if the page ever stutters.
  const ms = performance.now() - t0;
  if (ms > (page.slowest[msg.type] ?? 0)) page.slowest[msg.type] = Math.round(ms);
}

function handleMessage(msg) {
  switch (msg.type) {
    case 'ready': onReady(msg); break;
    case 'progress': onProgress(msg); break;
    case 'filters': views.filters.update(msg.filters); break;
    case 'eval': onEval(msg); break;
    case 'snapshot': onSnapshot(msg); break;
    case 'state': setState(msg.state); if (msg.state === 'done') message('Training finished: the schedule is complete.'); break;
    case 'diverged': onDiverged(msg); break;
    case 'inspection': onInspection(msg); break;
    case 'error': onWorkerError(msg); break;
    default: break;
  }
}

function onReady(msg) {
  page.pendingSaved = null;
  page.settings = msg.settings;
  page.layerNames = msg.layerNames;
  form.write(msg.settings);
  setStatus('WebAssembly core ready (in a worker)', true);
  page.curves = msg.curves;
  views.curves.update(msg.curves);
  views.filters.update(msg.filters);
  showProgress({ ...msg.progress, examplesPerSecond: 0, totalEpochs: msg.settings.epochs, lr: null });
  const p = msg.progress;
  let state = page.afterReady ?? 'idle';
  page.afterReady = null;
  if (p.done) state = 'done';
  else if (p.diverged) state = 'diverged';
  else if (p.epoch > 0 || p.position > 0) state = 'paused';
  setState(state);
  reinspect();
}

function showProgress(p) {
  const epochIndex = Math.min(p.epoch + 1, p.totalEpochs);
  const within = p.epoch >= p.totalEpochs ? 1 : p.position / p.n;
  $('t-epoch-progress').value = within;
  const bits = [`Epoch ${epochIndex} of ${p.totalEpochs}`, `${Math.round(within * p.n)} / ${p.n} examples`];
  if (p.examplesPerSecond) bits.push(`${Math.round(p.examplesPerSecond).toLocaleString('en-US')} examples/s`);
  if (p.lr !== null && p.lr !== undefined) bits.push(`learning rate ${fmt(p.lr, 3)}`);
  if (page.lastEval) bits.push(`held-out accuracy ${(100 * page.lastEval.acc).toFixed(2)}%`);
  $('t-epoch-text').textContent = bits.join(' · ');
  const t = $('train').dataset;
  t.epochs = String(p.epochs);
  t.steps = String(p.steps);
  t.examplesPerSecond = String(Math.round(p.examplesPerSecond || 0));
}

function onProgress(msg) {
  page.curves = msg.curves;
  showProgress(msg);
  views.curves.update(msg.curves);
  const c = msg.curves.train;
  if (c.loss.length) {
    $('train').dataset.trainLoss = String(c.loss[c.loss.length - 1]);
    $('train').dataset.trainPoints = String(c.loss.length);
  }
}

function onEval(msg) {
  page.lastEval = msg;
  const t = $('train').dataset;
  t.testAcc = String(msg.acc);
  t.testLoss = String(msg.loss);
  t.evals = String(Number(t.evals ?? 0) + 1);
  // Each view in its own task, so that no single task of the page grows long.
  const data = page.data;
  setTimeout(() => views.confusion.update(msg.confusion, data.classes, classNames()));
  setTimeout(() => views.misclassified.update(data.test, msg.predictions, data.width, classNames()));
  reinspect();
}

function onSnapshot(msg) {
  const snap = msg.snapshot;
  if (msg.id === 'download') download(snap);
  if (snap.progress.diverged) return;
  page.lastGood = snap;
  const now = Date.now();
  if (msg.reason === 'eval' && now - page.lastSavedAt < AUTOSAVE_MS) return;
  page.lastSavedAt = now;
  persist(snap);
}

function persist(snap) {
  save(snap)
    .then(() => { $('train').dataset.savedSteps = String(snap.progress.steps); })
    .catch(() => { /* storage may be full or disabled: the run goes on */ });
}

function onDiverged(msg) {
  setState('diverged');
  const lr = page.settings.lr / 10;
  const button = el('button', { type: 'button', text: `Reset with learning rate ${fmt(lr, 3)}` });
  button.addEventListener('click', () => {
    form.write({ ...form.read(), lr });
    resetRun();
  });
  message(`The loss became ${msg.loss} at epoch ${fmt(msg.epochs, 3)}${msg.lr !== null ? ` (learning rate ${fmt(msg.lr, 3)})` : ''}: the weights have blown up, so training stopped. A smaller learning rate usually fixes this. `, [button]);
}

function onWorkerError(msg) {
  if ((msg.during === 'init' || msg.during === 'reset') && page.pendingSaved) {
    // A saved run that does not fit the network (an edited or foreign file): start fresh.
    page.pendingSaved = null;
    page.lastGood = null;
    message(`Could not continue the saved run (${msg.message}); starting a new one.`);
    clearSaved();
    send({ type: 'reset', settings: page.settings });
    return;
  }
  message(`Error in the training worker: ${msg.message}`);
  if (page.state === 'loading') setState('idle');
}

// ---- feature maps and drawing --------------------------------------------------------------

function selectedPixels() {
  const size = page.data.width * page.data.height;
  if (page.selected.kind === 'draw' && page.drawing) return page.drawing;
  const i = page.selected.index;
  return page.data.test.pixels.slice(i * size, (i + 1) * size);
}

function inspectSelected() {
  if (!page.data || !page.worker) return;
  send({ type: 'inspect', id: 'fm', pixels: selectedPixels() });
}

// The network changed (a new run, an evaluation): the feature maps and the drawing's
// probabilities are asked for again.
function reinspect() {
  inspectSelected();
  if (page.drawing) send({ type: 'inspect', id: 'draw', pixels: page.drawing });
}

function onInspection(msg) {
  page.inspectCount += 1;
  $('train').dataset.inspections = String(page.inspectCount);
  if (msg.id === 'draw') {
    $('t-draw-probs').replaceChildren(el('p', { class: 'muted small', text: scoreCaption(msg.loss) }), probabilityBars(msg.probabilities, classNames(), msg.loss !== 'mse'));
    const best = msg.probabilities.indexOf(Math.max(...msg.probabilities));
    $('train').dataset.drawPrediction = String(best);
    if (page.selected.kind !== 'draw') return;
  }
  const s = page.selected;
  const title = s.kind === 'draw' ? 'your drawing' : `held-out #${s.index}, label ${classNames()[page.data.test.labels[s.index]]}`;
  views.featureMaps.show(selectedPixels(), page.data.width, msg, page.layerNames, title, classNames());
}

function pickTest(index) {
  const n = page.data.test.n;
  page.selected = { kind: 'test', index: ((index % n) + n) % n };
  views.fmIndex.value = String(page.selected.index);
  inspectSelected();
}

function buildFeatureMapControls() {
  const input = el('input', { type: 'number', id: 't-fm-index', min: 0, max: 1999, step: 1, value: 0 });
  input.addEventListener('change', () => pickTest(Number(input.value) || 0));
  const prev = el('button', { type: 'button', text: '◀ previous', onclick: () => pickTest(page.selected.index - 1) });
  const next = el('button', { type: 'button', text: 'next ▶', onclick: () => pickTest(page.selected.index + 1) });
  const drawn = el('button', { type: 'button', text: 'show my drawing', onclick: () => { if (page.drawing) { page.selected = { kind: 'draw' }; inspectSelected(); } } });
  $('t-fm-controls').replaceChildren(el('div', { class: 'ctl' }, el('label', { for: 't-fm-index', text: 'Held-out digit #' }), input), prev, next, drawn);
  return input;
}

// ---- runs: reset, files ------------------------------------------------------------------

async function ensureData(id) {
  if (page.datasets.has(id)) return page.datasets.get(id);
  const entry = page.catalogue.datasets.find((d) => d.id === id);
  if (!entry) throw new Error(`data set ${id} is not part of this build`);
  const bar = $('t-data-progress');
  const text = $('t-data-text');
  const data = await loadDataset(DATA_URL, entry, (f, t) => { bar.value = f; text.textContent = t; });
  page.datasets.set(id, data);
  return data;
}

async function resetRun(saved = null) {
  let settings;
  try {
    settings = checkSettings(saved?.settings ?? form.read());
  } catch (error) {
    message(`Settings: ${error.message}`);
    return;
  }
  message('');
  await clearSaved();
  page.lastGood = saved;
  page.pendingSaved = saved;
  if (saved) persist(saved);
  page.lastEval = null;
  page.settings = settings;
  setState('loading');
  const data = await ensureData(settings.dataset);
  // A steepest-descent run grew the worker's WebAssembly memory to about a gigabyte, which
  // a WebAssembly instance never gives back: a fresh worker returns it.
  const bigHeap = page.worker && (page.ranFullBatch || settings.batch === 'all');
  page.ranFullBatch = settings.batch === 'all';
  if (data !== page.data || bigHeap || !page.worker) {
    page.data = data;
    views.fmIndex.max = String(data.test.n - 1);
    page.worker?.terminate();
    startWorker(saved);
  } else {
    send({ type: 'reset', settings, saved: saved ?? undefined });
  }
  $('t-confusion').replaceChildren(el('p', { class: 'muted', text: 'Appears after the first evaluation.' }));
  $('t-misclassified').replaceChildren(el('p', { class: 'muted', text: 'Appears after the first evaluation.' }));
  const t = $('train').dataset;
  delete t.testAcc;
  delete t.trainLoss;
  t.evals = '0';
}

function download(snapshot) {
  const url = URL.createObjectURL(toFile(snapshot));
  const a = el('a', { href: url, download: `convlab-${snapshot.settings.arch}-${snapshot.dataset}-epoch${fmt(epochsOf(snapshot), 3)}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function buildFileControls() {
  const dl = el('button', { type: 'button', text: 'Download run' });
  dl.addEventListener('click', () => send({ type: 'snapshot', id: 'download' }));
  const fileInput = el('input', { type: 'file', accept: 'application/json,.json', id: 't-upload', class: 'visually-hidden' });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    try {
      const saved = fromFile(await file.text());
      if (page.state === 'running') send({ type: 'pause' });
      form.write(checkSettings(saved.settings));
      await resetRun(saved);
      message(`Loaded ${file.name}: epoch ${fmt(epochsOf(saved), 3)} of ${saved.settings.epochs}.`);
    } catch (error) {
      message(`Could not load ${file.name}: ${error.message}`);
    }
  });
  const up = el('label', { for: 't-upload', class: 'button-like', text: 'Load run…' });
  $('t-files').replaceChildren(dl, fileInput, up,
    el('span', { class: 'muted', text: 'Runs are saved in this browser automatically and survive a reload.' }));
}

function buildButtons() {
  const start = el('button', { type: 'button', id: 't-start', class: 'primary', text: 'Start' });
  const pause = el('button', { type: 'button', id: 't-pause', text: 'Pause', hidden: true });
  const reset = el('button', { type: 'button', id: 't-reset', text: 'Reset' });
  start.addEventListener('click', () => { message(''); send({ type: 'start' }); });
  pause.addEventListener('click', () => send({ type: 'pause' }));
  reset.addEventListener('click', () => resetRun().catch((e) => message(e.message)));
  $('t-buttons').replaceChildren(start, pause, reset);
  return { start, pause, reset };
}

// ---- start-up ----------------------------------------------------------------------------

async function main() {
  buttons = buildButtons();
  const saved = await loadSaved();
  page.catalogue = await loadCatalogue(DATA_URL);
  const available = page.catalogue.datasets;
  form = new SettingsForm($('t-settings'), available, (name) => {
    if (name === 'loss') {
      // Each loss has its own good learning rate; switch if the other one's is still set.
      const s = form.read();
      const other = Object.entries(DEFAULT_LR).find(([loss]) => loss !== s.loss);
      if (other && s.lr === other[1]) form.write({ ...s, lr: DEFAULT_LR[s.loss] });
    }
    if (page.state !== 'loading') message('Settings changed: press Reset to start a new run with them.');
  });
  if (!available.some((d) => d.id === 'fashion')) {
    $('t-settings').append(el('p', { class: 'muted small', text: "Fashion-MNIST was not installed when this site was built (Debian's dataset-fashion-mnist), so only MNIST is offered." }));
  }
  let settings = DEFAULTS;
  let restored = null;
  if (saved && available.some((d) => d.id === saved.settings?.dataset)) {
    try {
      settings = checkSettings(saved.settings);
      restored = saved;
    } catch {
      restored = null;
    }
  }
  page.settings = checkSettings(settings);
  form.write(page.settings);
  setState('loading');
  views = {
    curves: new Curves($('t-loss'), $('t-acc')),
    filters: new Filters($('t-filters')),
    featureMaps: new FeatureMaps($('t-featuremaps')),
    confusion: new Confusion($('t-confusion'), (t, p) => views.misclassified.update(page.data.test, page.lastEval.predictions, page.data.width, classNames(), [t, p])),
    misclassified: new Misclassified($('t-misclassified'), (i) => { pickTest(i); $('t-fm-h').scrollIntoView({ behavior: 'smooth', block: 'start' }); }),
    drawpad: new DrawPad($('t-drawpad'), (pixels) => {
      page.drawing = pixels;
      if (!pixels) { $('t-draw-probs').replaceChildren(); return; }
      page.selected = { kind: 'draw' };
      send({ type: 'inspect', id: 'draw', pixels });
    }),
  };
  views.fmIndex = buildFeatureMapControls();
  buildFileControls();
  page.data = await ensureData(page.settings.dataset);
  page.lastGood = restored;
  page.pendingSaved = restored;
  if (restored) message(`Continuing your saved run (epoch ${fmt(epochsOf(restored), 3)} of ${restored.settings.epochs}, saved ${new Date(restored.savedAt).toLocaleString()}). Reset starts over.`);
  setStatus('Starting the WebAssembly core in a worker…');
  startWorker(restored);
  // For tests and the curious: the page's state, and a way to simulate a worker crash.
  window.convlabTrain = {
    get state() { return page.state; },
    get curves() { return page.curves; },
    get slowest() { return page.slowest; },
    crashWorker() { send({ type: 'crash' }); },
  };
}

main().catch((error) => {
  console.error(error);
  setStatus('Failed to start');
  message(`The training page could not start: ${error.message}`);
});
