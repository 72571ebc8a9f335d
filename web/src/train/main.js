// main.js: the training page's thread. It loads the packed digits (with a progress bar),
// starts the worker (worker.js, through client.js) that owns and saves the network, sends it
// the controls' commands and draws what it reports. A stored run is checked (schema.js)
// before it is handed over; one that fails is kept aside and the page starts fresh. A worker
// that crashes or stops answering is restarted from the last saved state. No network math
// happens here: the page's own core (loaded here too) only builds designs to check them and
// to describe them (the designer's table, the export's layer list).

import { load } from '../../bindings/convlab.js';
import { useCore } from '../designer/analyse.js';
import { TrainPanel, designFromLink, workerAnalyser } from '../designer/train-panel.js';
import { exportRun } from '../designer/export-run.js';
import { el, fmt } from '../lib/dom.js';
import { formatDate } from '../lib/format.js';
import { newestEvery } from '../lib/throttle.js';
import { CLASS_NAMES } from './data.js';
import { cachedDataset, loadCatalogue } from './loader.js';
import { CUSTOM, DEFAULTS, checkSettings, settingsAfterChange } from './settings.js';
import { SettingsForm, buildButtons } from './controls.js';
import { checkRun } from './schema.js';
import { loadSaved, setAside } from './store.js';
import { WorkerClient } from './client.js';
import { HANG_MS, toWorker } from './protocol.js';
import { appendPoints } from './curve-data.js';
import { buildFileControls, downloadAside, downloadRun, epochsOf } from './files.js';
import { Inspector } from './inspect.js';
import { divergedMessage, message, setStatus, showProgress } from './status.js';
import { Curves } from './views/curves.js';
import { Filters } from './views/filters.js';
import { Confusion } from './views/confusion.js';
import { Misclassified } from './views/misclassified.js';
import { mountCompare } from './compare/panel.js';

const $ = (id) => document.getElementById(id);
const DATA_URL = new URL('../data/', import.meta.url); // dist/assets/train.js -> dist/data/
const WORKER_URL = new URL('train-worker.js', import.meta.url);
const START_MS = 60000; // loading the core and the data into a new worker

const page = {
  catalogue: null, datasets: new Map(), data: null, settings: checkSettings({}),
  client: null, state: 'loading', layerNames: [], curves: null, lastEval: null,
  restarts: 0, crashTimes: [], slowest: {}, afterReady: null, upload: null, memoryWaiters: [],
};
let form;
let views;
let buttons;
let panel;

// The settings the page shows: the form's, with the designer's network.
const readSettings = () => ({ ...form.read(), ...panel.read() });

const classNames = () => CLASS_NAMES[page.data?.id] ?? CLASS_NAMES.mnist;
const nTrainOf = (id) => ({ nTrain: page.catalogue?.datasets.find((d) => d.id === id)?.train ?? 8000 });
const send = (msg, opts) => page.client?.send(msg, opts);

// Reset starts a run of the form's network: not while loading, nor for a design that cannot
// be trained (the designer says why).
function updateReset() {
  buttons.reset.disabled = page.state === 'loading' || (panel?.read().arch === CUSTOM && Boolean(panel.problem));
}

function setState(state) {
  page.state = state;
  $('train').dataset.state = state;
  // One steepest-descent step (batch 'all') can take seconds: a longer deadline for those.
  page.client?.setExpecting(state === 'running', page.settings.batch === 'all' ? 20 * HANG_MS : HANG_MS);
  const { start, pause, reset } = buttons;
  start.hidden = state === 'running';
  pause.hidden = state !== 'running';
  start.textContent = state === 'paused' ? 'Resume' : 'Start';
  start.disabled = !['idle', 'paused'].includes(state);
  updateReset();
  form.setDisabled(state === 'running' || state === 'loading');
  panel?.setBusy(state === 'loading');
  panel?.setExportable(state !== 'loading');
  if (state === 'done') $('t-epoch-text').textContent += ' · finished';
}

// ---- the worker --------------------------------------------------------------------------

function startWorker(saved) {
  page.client?.terminate();
  const client = new WorkerClient(WORKER_URL, {
    onMessage: (msg) => onWorkerMessage(msg),
    onDeath: (reason) => { if (client === page.client) restartWorker(reason); },
  });
  page.client = client;
  const d = page.data;
  // A copy for the worker; the page keeps its own to draw digits.
  const copy = (part) => ({ n: part.n, labels: part.labels.slice(), pixels: part.pixels.slice() });
  const data = { id: d.id, height: d.height, width: d.width, classes: d.classes, train: copy(d.train), test: copy(d.test) };
  send(toWorker.init(data, page.settings, saved), { within: START_MS });
}

// Reads the stored run and checks it; a run that fails is kept aside (offered for download)
// and null is returned, so that the page starts fresh instead of failing again and again.
async function storedRun() {
  const raw = await loadSaved();
  if (!raw) return null;
  try {
    if (!page.catalogue.datasets.some((d) => d.id === raw.settings?.dataset)) throw new Error(`settings.dataset: ${raw.settings?.dataset} is not part of this build`);
    return checkRun(raw, nTrainOf(raw.settings.dataset));
  } catch (error) {
    await setAside(raw);
    page.asideReason = error.message;
    return null;
  }
}

function asideMessage(prefix = '') {
  const button = el('button', { type: 'button', text: 'Download the set-aside run', onclick: () => downloadAside() });
  message(`${prefix}The saved run could not be loaded (${page.asideReason}); it was kept aside and a new run starts.`, [button]);
  page.asideReason = null;
}

async function restartWorker(reason) {
  page.restarts += 1;
  $('train').dataset.restarts = String(page.restarts);
  page.client = null;
  // A worker that dies again and again (say, out of memory at start-up) is not restarted
  // forever: after three deaths within a minute the page says so and waits.
  const now = Date.now();
  page.crashTimes = [...page.crashTimes.filter((t) => now - t < 60000), now];
  if (page.crashTimes.length > 3) {
    setState('idle');
    message(`The training worker keeps failing (it ${reason}). Try Reset with other settings, or reload the page.`);
    return;
  }
  setState('loading');
  const from = await storedRun();
  if (from) page.settings = from.settings;
  message(`The training worker ${reason}. It was restarted${from ? ` from the last saved state, epoch ${fmt(epochsOf(from), 3)}` : ''}; press Resume to continue.`);
  page.afterReady = 'paused';
  startWorker(from);
}

function onWorkerMessage(msg) {
  const t0 = performance.now();
  switch (msg.type) {
    case 'ready': onReady(msg); break;
    case 'progress': onProgress(msg); break;
    case 'filters': views.filters.update(msg.filters); break;
    case 'eval': onEval(msg); break;
    case 'snapshot':
      if (msg.id === 'download') downloadRun(msg.snapshot, page.data.train.n);
      else if (msg.id.startsWith('export:')) exportRun(page.cl, msg.id.slice('export:'.length), msg.snapshot).catch((e) => message(`Export failed: ${e.message}`));
      break;
    case 'saved': $('train').dataset.savedSteps = String(msg.steps); break;
    case 'state': setState(msg.state); if (msg.state === 'done') message('Training finished: the schedule is complete.'); break;
    case 'diverged': onDiverged(msg); break;
    case 'inspection': views.inspector.show(msg); break;
    case 'error': onWorkerError(msg); break;
    case 'memory': page.memoryWaiters.shift()?.(msg); break;
    case 'analysis': analyser.answer(msg); break;
    default: break;
  }
  // The slowest handler so far, per message type: what to look at if the page ever stutters.
  const ms = performance.now() - t0;
  if (ms > (page.slowest[msg.type] ?? 0)) page.slowest[msg.type] = Math.round(ms);
}

function onReady(msg) {
  page.settings = msg.settings;
  page.layerNames = msg.layerNames;
  form.write(msg.settings);
  panel.show(msg.settings);
  if (page.linkDesign) {
    // A shared link's design, different from the run that continues: shown, not trained yet.
    form.setValue('arch', CUSTOM);
    panel.designer.setDesign(page.linkDesign);
    panel.update();
    page.linkDesign = null;
  }
  setStatus('WebAssembly core ready (in a worker)', true);
  page.curves = msg.curves;
  views.curves.update(page.curves);
  views.filters.update(msg.filters);
  showProgress({ ...msg.progress, examplesPerSecond: 0, totalEpochs: msg.settings.epochs, lr: null }, page.lastEval);
  const p = msg.progress;
  let state = page.afterReady ?? 'idle';
  page.afterReady = null;
  if (p.done) state = 'done';
  else if (p.diverged) state = 'diverged';
  else if (p.epoch > 0 || p.position > 0) state = 'paused';
  setState(state);
  if (page.upload && msg.accepted) message(`Loaded ${page.upload}: epoch ${fmt(p.epochs, 3)} of ${msg.settings.epochs}.`);
  page.upload = null;
  if (page.startWhenReady && state === 'idle') send(toWorker.start());
  page.startWhenReady = false;
  views.inspector.refresh();
}

function onProgress(msg) {
  appendPoints(page.curves, msg.points);
  showProgress(msg, page.lastEval);
  views.curves.update(page.curves);
  const c = page.curves.train;
  if (c.loss.length) {
    $('train').dataset.trainLoss = String(c.loss[c.loss.length - 1]);
    $('train').dataset.trainPoints = String(c.loss.length);
  }
}

// The views an evaluation redraws in full (the confusion matrix, the misclassified digits,
// the inspected digit's feature maps, which the worker computes again) follow the newest
// evaluation at most every EVAL_VIEWS_MS. The run evaluates a few times a second, and
// redrawing them each time kept the page's own thread busy a quarter of the time, which on
// a machine with few cores is taken from training.
const EVAL_VIEWS_MS = 1000;
const showEvalViews = newestEvery(EVAL_VIEWS_MS, ({ msg, data }) => {
  if (data !== page.data) return false; // a reset since: the next evaluation shows itself
  // Each view in its own task, so that no single task of the page grows long.
  setTimeout(() => views.confusion.update(msg.confusion, data.classes, classNames()));
  setTimeout(() => views.misclassified.update(data.test, msg.predictions, data.width, classNames()));
  views.inspector.refresh();
  return true;
});

function onEval(msg) {
  page.lastEval = msg;
  const t = $('train').dataset;
  t.testAcc = String(msg.acc);
  t.testLoss = String(msg.loss);
  t.evals = String(Number(t.evals ?? 0) + 1);
  showEvalViews({ msg, data: page.data });
}

function onDiverged(msg) {
  setState('diverged');
  const lr = page.settings.lr / 10;
  divergedMessage(msg, lr, () => {
    form.write({ ...form.read(), lr });
    resetRun();
  });
}

function onWorkerError(msg) {
  if (msg.refused && page.upload) message(`Could not load ${page.upload}: ${msg.message}`);
  else if (msg.refused) {
    // The core refused a stored run the schema let through: keep it aside, as storedRun() does.
    message(`Could not continue the saved run (${msg.message}); it was kept aside and a new run starts.`);
    loadSaved().then((r) => r && setAside(r));
  }
  else message(`Error in the training worker: ${msg.message}`);
  page.upload = null;
  if (page.state === 'loading' && !msg.refused) setState('idle');
}

// ---- runs --------------------------------------------------------------------------------

function ensureData(id) {
  return cachedDataset(page.datasets, page.catalogue, DATA_URL, id, $('t-data-progress'), $('t-data-text'));
}

// saved: a checked run (an uploaded file) or null for a fresh run with the form's settings.
async function resetRun(saved = null) {
  let settings;
  try {
    settings = checkSettings(saved?.settings ?? readSettings());
  } catch (error) {
    message(`Settings: ${error.message}`);
    return;
  }
  if (!saved) message('');
  page.lastEval = null;
  page.settings = settings;
  setState('loading');
  const data = await ensureData(settings.dataset);
  // A steepest-descent run grew the worker's WebAssembly memory to about a gigabyte, which
  // a WebAssembly instance never gives back: a fresh worker returns it.
  const bigHeap = page.client && (page.ranFullBatch || settings.batch === 'all');
  page.ranFullBatch = settings.batch === 'all';
  if (data !== page.data || bigHeap || !page.client) {
    page.data = data;
    views.inspector.setData(data);
    startWorker(saved);
  } else {
    send(toWorker.reset(settings, saved), { within: START_MS });
  }
  for (const id of ['t-confusion', 't-misclassified']) $(id).replaceChildren(el('p', { class: 'muted', text: 'Appears after the first evaluation.' }));
  const t = $('train').dataset;
  delete t.testAcc;
  delete t.trainLoss;
  t.evals = '0';
}

function onSettingChange(name) {
  const follows = settingsAfterChange(name, form.read());
  if (follows) form.write(follows);
  if (['arch', 'activation', 'pool'].includes(name)) panel.formChanged();
  updateReset();
  if (page.state !== 'loading') message('Settings changed: press Reset to start a new run with them.');
}

// The designer's tables: in the worker once it runs, before that in the page's core.
const analyser = workerAnalyser(() => page.cl, (msg) => {
  if (!page.client || page.client.dead || page.state === 'loading') return false;
  send(msg);
  return true;
});

// ---- start-up ----------------------------------------------------------------------------

async function main() {
  buttons = buildButtons($('t-buttons'), {
    onStart: () => { message(''); send(toWorker.start()); },
    onPause: () => send(toWorker.pause()),
    onReset: () => resetRun().catch((e) => message(e.message)),
  });
  const link = designFromLink(location.hash); // before the designer rewrites the hash
  // The page's core (the designer's), loaded beside the catalogue.
  // One thread on the page: it only builds designs to check them; training runs in the worker,
  // which takes the cores.
  const coreLoading = load({ wasmUrl: new URL('../wasm/convlab_wasm.wasm', import.meta.url).href, threads: 1 });
  page.catalogue = await loadCatalogue(DATA_URL);
  page.cl = await coreLoading;
  useCore(page.cl); // stored runs of custom designs are checked by building them
  const available = page.catalogue.datasets;
  form = new SettingsForm($('t-settings'), available, onSettingChange);
  form.write(checkSettings(DEFAULTS));
  panel = new TrainPanel($('t-design'), {
    cl: page.cl,
    form,
    onEdit: (changed) => (changed ? onSettingChange('design') : updateReset()),
    analyser: analyser.analyse,
    onTrain: () => {
      page.startWhenReady = true;
      resetRun().catch((e) => message(e.message));
    },
    onExport: (format) => send(toWorker.snapshot(`export:${format}`)),
  });
  if (!available.some((d) => d.id === 'fashion')) {
    $('t-settings').append(el('p', { class: 'muted small', text: "Fashion-MNIST was not installed when this site was built (Debian's dataset-fashion-mnist), so only MNIST is offered." }));
  }
  const restored = await storedRun();
  page.settings = restored?.settings ?? checkSettings(DEFAULTS);
  if (link?.design && !restored) {
    // A fresh page opened from a shared design trains it (if the core builds it).
    try {
      page.settings = checkSettings({ ...DEFAULTS, arch: CUSTOM, design: link.design });
    } catch {
      page.linkDesign = link.design; // shown with the core's message at its layer
    }
  } else if (link?.design && JSON.stringify(link.design) !== JSON.stringify(restored.settings.design)) {
    page.linkDesign = link.design;
  }
  form.write(page.settings);
  panel.show(page.settings);
  setState('loading');
  views = {
    curves: new Curves($('t-loss'), $('t-acc')),
    filters: new Filters($('t-filters')),
    inspector: new Inspector(page, send, classNames),
    confusion: new Confusion($('t-confusion'), (t, p) => views.misclassified.update(page.data.test, page.lastEval.predictions, page.data.width, classNames(), [t, p])),
    misclassified: new Misclassified($('t-misclassified'), (i) => { views.inspector.pickTest(i); $('t-fm-h').scrollIntoView({ behavior: 'smooth', block: 'start' }); }),
  };
  buildFileControls($('t-files'), {
    onDownload: () => send(toWorker.snapshot('download')),
    onLoad: (run, name) => {
      if (page.state === 'running') send(toWorker.pause());
      page.upload = name;
      form.write(run.settings);
      resetRun(run).catch((e) => message(e.message));
    },
    onRefused: (name, error) => message(`Could not load ${name}: ${error.message}`),
    limits: nTrainOf,
  });
  page.data = await ensureData(page.settings.dataset);
  views.inspector.setData(page.data);
  if (link?.error) message(`The design in this link could not be read (${link.error}); the designer shows the current network.`);
  else if (page.linkDesign) message(restored ? 'The design of this link is shown in the designer; your saved run continues until you press "Train this design".' : 'The design of this link does not build: see the designer.');
  else if (restored) message(`Continuing your saved run (epoch ${fmt(epochsOf(restored, page.data.train.n), 3)} of ${restored.settings.epochs}, saved ${formatDate(restored.savedAt)}). Reset starts over.`);
  else if (page.asideReason) asideMessage();
  setStatus('Starting the WebAssembly core in a worker…');
  startWorker(restored);
  mountCompare(); // the compare panel: archive, ready comparisons, drawings (compare/panel.js)
  // For tests and the curious: the page's state, its traffic with the worker, and ways to
  // make the worker crash, close itself silently, or vanish.
  window.convlabTrain = {
    get state() { return page.state; },
    get curves() { return page.curves; },
    get settings() { return page.settings; },
    get slowest() { return page.slowest; },
    get traffic() { return page.client?.traffic; },
    get sinceHeard() { return page.client ? performance.now() - page.client.lastHeard : null; },
    crashWorker() { send(toWorker.crash()); },
    closeWorker() { send(toWorker.close()); },
    terminateWorker() { page.client?.worker.terminate(); },
    memory: () => new Promise((resolve) => { page.memoryWaiters.push(resolve); send(toWorker.memory()); }),
  };
}

main().catch((error) => {
  console.error(error);
  setStatus('Failed to start');
  message(`The training page could not start: ${error.message}`);
});
