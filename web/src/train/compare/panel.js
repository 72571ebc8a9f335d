// panel.js: the training page's compare panel: the run archive (rename, delete, download,
// upload, pick), the overlay of the picked runs' curves and their final held-out accuracy
// ± its standard error, the ready comparisons the lessons link to (train.html?compare=NAME,
// a queue run by the compare worker that survives a reload), shift robustness per run, and
// the student's drawings. Mounted by main.js with one call; it talks to nothing of the
// training page but the stored runs (IndexedDB) and its own worker.

import { el, fmt } from '../../lib/dom.js';
import { WorkerClient } from '../client.js';
import { saveBlob } from '../files.js';
import { loadCatalogue } from '../loader.js';
import { fromFile, toFile } from '../snapshot.js';
import { archiveEntry, droppedNote, standardError } from './archive-data.js';
import { CompareCharts, colourOf } from './chart.js';
import { CHANNEL, addRun, deleteRun, getRun, listRuns, loadQueue, saveQueue, updateRun } from './db.js';
import { DrawingsPanel } from './drawings.js';
import { toCompareWorker } from './messages.js';
import { EPOCHS, READY, describeQueue, finished, newQueue, parseQuery } from './queue.js';

const WORKER_URL = new URL('compare-worker.js', import.meta.url);
const DATA_URL = new URL('../data/', import.meta.url);
// A running queue posts progress every 250 ms, but one steepest-descent step or a robustness
// measurement of a large network can take many seconds on a loaded machine: only a worker
// silent this long while it runs a queue is taken for dead (and restarted).
const QUEUE_SILENCE_MS = 60000;
const pct = (p, digits = 2) => (p == null || Number.isNaN(p) ? '–' : `${(100 * p).toFixed(digits)}%`);

class ComparePanel {
  constructor(host) {
    this.host = host;
    this.runs = [];
    this.picked = new Set();
    this.queue = null;
    this.progress = null;
    this.busy = new Set(); // ids whose robustness is being measured
    this.catalogue = null;
    this.build();
    this.client = null;
    this.restarts = 0;
  }

  build() {
    const h = (tag, text, id) => el(tag, { text, id });
    this.message = el('p', { class: 'train-message', role: 'alert', id: 'c-message', hidden: true });
    this.queueBox = el('div', { id: 'c-queue', 'aria-live': 'polite' });
    this.runsBox = el('div', { id: 'c-runs' });
    this.tableBox = el('div', { id: 'c-table' });
    const charts = el('div', { id: 'c-charts', class: 'compare-charts' });
    const upload = el('input', { type: 'file', accept: 'application/json,.json', id: 'c-upload', class: 'visually-hidden' });
    upload.addEventListener('change', () => this.upload(upload));
    const links = Object.entries(READY).map(([name, c]) => el('li', {}, el('a', { href: `?compare=${name}`, 'data-compare': name, text: c.title })));
    const drawings = el('div', { id: 'c-drawings' });
    this.host.replaceChildren(
      h('h2', 'Compare runs', 'c-h'),
      el('p', { class: 'muted small', text: 'Every run that finishes, or that you replace with Reset, is kept here (in this browser, the latest 20). Pick runs to overlay their held-out curves and compare their final accuracy; the ± is one standard error, sqrt(p(1 - p)/n) on n held-out digits, so differences smaller than about two of them are within the noise of the test set.' }),
      this.message,
      h('h3', 'Ready comparisons'),
      el('ul', { class: 'compare-ready' }, links),
      this.queueBox,
      h('h3', 'Archived runs'),
      this.runsBox,
      el('div', { class: 'controls small' }, el('label', { for: 'c-upload', class: 'button-like', text: 'Add a run file to the archive…' }), upload),
      this.tableBox,
      charts,
      h('h3', 'My drawings', 'c-drawings-h'),
      drawings,
    );
    this.charts = new CompareCharts(charts);
    this.drawings = new DrawingsPanel(drawings, {
      runs: () => this.runs,
      test: (source, list) => this.send(toCompareWorker.drawings(source, list)),
      say: (text) => this.say(text),
    });
  }

  say(text) {
    this.message.textContent = text;
    this.message.hidden = !text;
  }

  // ---- the worker ---------------------------------------------------------------------------

  send(msg) {
    if (!this.client) this.startWorker();
    this.client.send(msg);
  }

  startWorker() {
    const client = new WorkerClient(WORKER_URL, {
      onMessage: (msg) => this.onMessage(msg),
      onDeath: (reason) => {
        if (client !== this.client) return;
        this.client = null;
        this.busy.clear();
        if (this.drawings.waiting) this.drawings.showFailure();
        this.restarts += 1;
        this.say(`The compare worker ${reason}.${this.queue?.state === 'running' && this.restarts < 3 ? ' The queue goes on from its stored state.' : ''}`);
        if (this.queue?.state === 'running' && this.restarts < 3) this.resume();
        else this.render();
      },
    });
    this.client = client;
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'queue':
        this.queue = msg.queue;
        for (const i of this.queue.items) if (i.id != null) this.picked.add(i.id);
        if (this.queue.state !== 'running') this.progress = null;
        this.refresh();
        break;
      case 'progress': this.progress = msg; this.renderQueue(); break;
      case 'note': this.say(msg.message); break;
      case 'robustness': this.busy.delete(msg.id); this.refresh(); break;
      case 'drawings': this.drawings.showResult(msg); break;
      case 'error':
        if (msg.during === 'robustness') this.busy.delete(msg.id);
        if (msg.during === 'drawings') this.drawings.showFailure();
        if (msg.during === 'queue' && this.queue) this.queue.state = 'stopped';
        this.say(`Compare worker (${msg.during}): ${msg.message}`);
        this.refresh();
        break;
      default: break;
    }
    this.release();
  }

  // An idle worker is ended: a steepest-descent run grew its WebAssembly memory to about a
  // gigabyte, which only ending the worker gives back. The next request starts a new one.
  release() {
    const idle = this.queue?.state !== 'running' && this.busy.size === 0 && !this.drawings.waiting;
    if (idle && this.client) {
      this.client.terminate();
      this.client = null;
    }
    this.client?.setExpecting(this.queue?.state === 'running', QUEUE_SILENCE_MS);
  }

  // ---- the queue ------------------------------------------------------------------------------

  async startFromQuery() {
    let query;
    try {
      query = parseQuery(location.search);
    } catch (error) {
      this.say(error.message);
    }
    const stored = await loadQueue();
    const same = stored && query && stored.name === query.name && stored.limit === query.limit && stored.epochs === (query.epochs || EPOCHS);
    if (query && !same) {
      this.queue = newQueue(query);
      await saveQueue(this.queue);
      this.resume();
    } else {
      this.queue = stored;
      if (stored?.state === 'running' || (stored?.state === 'pending' && query)) this.resume();
    }
    for (const i of this.queue?.items ?? []) if (i.id != null) this.picked.add(i.id);
    if (query) this.host.scrollIntoView?.({ block: 'start' });
  }

  resume() {
    if (!this.queue) return;
    this.queue.state = 'running';
    this.send(toCompareWorker.queue(this.queue));
    this.client.setExpecting(true, QUEUE_SILENCE_MS);
    this.renderQueue();
  }

  stop() {
    this.send(toCompareWorker.stop());
  }

  async again() {
    this.queue = newQueue({ name: this.queue.name, epochs: this.queue.epochs, limit: this.queue.limit });
    await saveQueue(this.queue);
    this.resume();
  }

  renderQueue() {
    const q = this.queue;
    if (!q) { this.queueBox.replaceChildren(); return; }
    const state = q.state === 'running' ? 'running' : finished(q) ? 'done' : q.state;
    this.queueBox.dataset.state = state;
    const items = q.items.map((item, i) => {
      const p = this.progress?.index === i && item.status === 'running' ? this.progress : null;
      const status = p ? `${p.phase}, epoch ${p.epochs.toFixed(2)} of ${p.total}` : item.status === 'failed' ? `failed: ${item.error}` : item.status;
      return el('li', { 'data-status': item.status },
        el('span', { text: `${item.label}: ` }), el('span', { text: status }),
        p ? el('progress', { max: 1, value: p.epochs / p.total, 'aria-label': `${item.label} progress` }) : null);
    });
    const buttons = [];
    if (state === 'running') buttons.push(el('button', { type: 'button', id: 'c-stop', text: 'Stop the queue', onclick: () => this.stop() }));
    else if (state !== 'done') buttons.push(el('button', { type: 'button', id: 'c-resume', text: 'Resume the queue', onclick: () => this.resume() }));
    else buttons.push(el('button', { type: 'button', id: 'c-again', text: 'Run this comparison again', onclick: () => this.again().catch((e) => this.say(e.message)) }));
    this.queueBox.replaceChildren(
      el('h4', { text: q.title }),
      el('p', { class: 'small', text: READY[q.name].about }),
      el('p', { class: 'small muted', text: `${describeQueue(q)} Short runs show the difference, not each recipe's best accuracy. Stop keeps the finished runs; a run cut short by Stop or a reload starts again from its beginning.` }),
      el('ol', { class: 'compare-queue' }, items),
      el('div', { class: 'controls small' }, buttons),
    );
  }

  // ---- the archive ----------------------------------------------------------------------------

  async refresh() {
    try {
      this.runs = await listRuns();
    } catch (error) {
      this.say(`The run archive could not be read: ${error.message}`);
      this.runs = [];
    }
    const ids = new Set(this.runs.map((r) => r.id));
    for (const id of this.picked) if (!ids.has(id)) this.picked.delete(id);
    this.render();
  }

  render() {
    this.renderQueue();
    this.renderRuns();
    const picked = this.runs.filter((r) => this.picked.has(r.id)).map((entry, i) => ({ entry, color: colourOf(i) }));
    this.renderTable(picked);
    this.charts.update(picked);
    this.drawings.renderSources();
  }

  renderRuns() {
    if (!this.runs.length) {
      this.runsBox.replaceChildren(el('p', { class: 'muted small', text: 'No runs archived yet: finish a run above, or start a ready comparison.' }));
      return;
    }
    const rows = this.runs.map((r) => {
      const pick = el('input', { type: 'checkbox', 'aria-label': `Compare ${r.name}`, 'data-id': r.id, checked: this.picked.has(r.id) });
      pick.addEventListener('change', () => { if (pick.checked) this.picked.add(r.id); else this.picked.delete(r.id); this.render(); });
      const name = el('input', { type: 'text', value: r.name, 'aria-label': `Name of run ${r.id}`, class: 'compare-name', size: 48 });
      name.addEventListener('change', () => this.act(() => updateRun(r.id, { name: name.value.trim() || r.name })));
      const measuring = this.busy.has(r.id);
      return el('tr', { 'data-id': r.id },
        el('td', {}, pick), el('td', {}, name),
        el('td', { text: r.status }), el('td', { text: r.accEpoch == null ? '–' : fmt(r.accEpoch, 3) }),
        el('td', { text: r.acc == null ? '–' : `${pct(r.acc)} ± ${pct(standardError(r.acc, r.n))}` }),
        el('td', {},
          el('button', { type: 'button', text: measuring ? 'measuring…' : r.robustness ? 'Shift robustness ✓' : 'Shift robustness', disabled: measuring, title: 'Held-out accuracy on test digits shifted by 0-4 pixels (measured in a worker)', onclick: () => this.measure(r.id) }),
          el('button', { type: 'button', text: 'Download', onclick: () => this.download(r.id) }),
          el('button', { type: 'button', text: 'Delete', 'aria-label': `Delete ${r.name}`, onclick: () => this.act(() => deleteRun(r.id)) })));
    });
    this.runsBox.replaceChildren(el('table', { class: 'compare-runs' },
      el('thead', {}, el('tr', {}, ['compare', 'name', 'status', 'at epoch', 'held-out accuracy', ''].map((t) => el('th', { scope: 'col', text: t })))),
      el('tbody', {}, rows)));
  }

  renderTable(picked) {
    if (!picked.length) { this.tableBox.replaceChildren(); return; }
    const rows = picked.map(({ entry: r, color }) => {
      const se = r.acc == null ? null : standardError(r.acc, r.n);
      return el('tr', { 'data-id': r.id, 'data-acc': r.acc, 'data-se': se, 'data-n': r.n },
        el('th', { scope: 'row' }, el('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' }), ` ${r.name}`),
        el('td', { text: pct(r.acc) }), el('td', { class: 'se', text: `± ${pct(se)}` }), el('td', { text: String(r.n) }));
    });
    this.tableBox.replaceChildren(el('table', { class: 'compare-table', id: 'c-compare-table' },
      el('caption', { text: 'Final held-out accuracy of the picked runs, ± one standard error sqrt(p(1 - p)/n)' }),
      el('thead', {}, el('tr', {}, ['run', 'held-out accuracy', '± standard error', 'n (held-out digits)'].map((t) => el('th', { scope: 'col', text: t })))),
      el('tbody', {}, rows)));
  }

  async act(fn) {
    try {
      await fn();
    } catch (error) {
      this.say(error.message);
    }
    await this.refresh();
  }

  measure(id) {
    this.busy.add(id);
    this.send(toCompareWorker.robustness(id));
    this.renderRuns();
  }

  async download(id) {
    try {
      const e = await getRun(id);
      if (!e) throw new Error('this run is no longer in the archive');
      saveBlob(toFile(e.run), `${e.name.replace(/[^\w.-]+/g, '_').slice(0, 80)}.json`);
    } catch (error) {
      this.say(`Could not download the run: ${error.message}`);
    }
  }

  async upload(input) {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      this.catalogue ??= await loadCatalogue(DATA_URL);
      const text = await file.text();
      let dataset;
      try { dataset = JSON.parse(text)?.settings?.dataset; } catch { /* fromFile says why */ }
      const entry = this.catalogue.datasets.find((d) => d.id === dataset);
      const run = fromFile(text, { nTrain: entry?.train ?? 8000 });
      const heldOut = run.heldOut ?? entry?.test ?? 2000;
      const { id, duplicate, dropped } = await addRun(archiveEntry(run, { heldOut, name: file.name.replace(/\.json$/i, ''), source: 'file' }));
      this.picked.add(id);
      this.say(duplicate ? `${file.name} is already in the archive.` : droppedNote(dropped));
    } catch (error) {
      this.say(`Could not add ${file.name}: ${error.message}`);
    }
    await this.refresh();
  }
}

// Mounts the panel in `host` (the page's <section id="compare">; one is added at the end of
// the page if there is none) and starts a ready comparison named in the query. Returns the
// panel; window.convlabCompare exposes its state to tests.
export function mountCompare(host = document.getElementById('compare')) {
  if (!host) {
    host = el('section', { id: 'compare' });
    (document.getElementById('train') ?? document.body).append(host);
  }
  host.classList.add('train-panel');
  host.setAttribute('aria-labelledby', 'c-h');
  const panel = new ComparePanel(host);
  if (typeof BroadcastChannel !== 'undefined') {
    new BroadcastChannel(CHANNEL).onmessage = ({ data }) => {
      if (data.type === 'archive-error' || data.type === 'archive-note') panel.say(data.message);
      if (data.type === 'drawings') panel.drawings.refresh();
      else panel.refresh();
    };
  }
  const ready = (async () => {
    await panel.startFromQuery();
    await panel.refresh();
    await panel.drawings.refresh();
  })().catch((error) => panel.say(`The compare panel could not start: ${error.message}`));
  window.convlabCompare = {
    ready,
    get runs() { return panel.runs.map(({ id, name, status, acc, accEpoch, n, robustness }) => ({ id, name, status, acc, accEpoch, n, robustness })); },
    get picked() { return [...panel.picked]; },
    get queue() { return panel.queue; },
    get charts() { return panel.charts.state; },
    get drawingsResult() { return panel.drawings.result; },
    get hasWorker() { return panel.client !== null; },
  };
  return panel;
}
