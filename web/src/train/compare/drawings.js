// drawings.js: the student's own drawings as a small labelled set: drawn on lib/drawpad's
// pad, the label chosen per drawing, preprocessed like MNIST (drawings-data.js says how),
// stored in IndexedDB (compare/db.js), downloadable and uploadable as JSON, and tested on
// the current run or an archived one (in the compare worker): accuracy and each answer.

import { el } from '../../lib/dom.js';
import { DrawPad } from '../../lib/drawpad.js';
import { saveBlob } from '../files.js';
import { addDrawing, deleteDrawing, listDrawings } from './db.js';
import { SIDE, checkDrawing, preprocess } from './drawings-data.js';

const FORMAT = 'convlab-drawings';

function thumbnail(pixels, label) {
  const c = el('canvas', { width: SIDE, height: SIDE, class: 'drawing-thumb', role: 'img', 'aria-label': `drawing of a ${label}` });
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = 255 - pixels[i];
    img.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

export class DrawingsPanel {
  // runs(): the archive entries; test(source, drawings): ask the worker; say(text).
  constructor(host, { runs, test, say }) {
    this.runs = runs;
    this.test = test;
    this.say = say;
    this.list = [];
    this.result = null;
    const padHost = el('div', { id: 'c-drawpad' });
    this.pad = new DrawPad(padHost, () => {});
    // Its own class and name: the page's other pad (the live "Draw a digit") is canvas.drawpad.
    const c = this.pad.canvas;
    c.className = 'compare-drawpad';
    c.setAttribute('aria-label', 'Drawing pad for your labelled drawings: draw one digit with the mouse, a pen or a finger');
    c.style.cssText = 'width:224px;height:224px;border:2px solid var(--fg);border-radius:var(--radius);background:#fff;touch-action:none;cursor:crosshair;display:block;margin-bottom:.3rem';
    this.label = el('select', { id: 'c-draw-label' }, Array.from({ length: 10 }, (_, d) => el('option', { value: d, text: String(d) })));
    const save = el('button', { type: 'button', id: 'c-draw-save', text: 'Add to my drawings', onclick: () => this.add() });
    this.source = el('select', { id: 'c-draw-source', 'aria-label': 'Run to test on my drawings' });
    const run = el('button', { type: 'button', id: 'c-draw-test', text: 'Test on my drawings', onclick: () => this.runTest() });
    const upload = el('input', { type: 'file', accept: 'application/json,.json', id: 'c-draw-upload', class: 'visually-hidden' });
    upload.addEventListener('change', () => this.upload(upload));
    this.gallery = el('div', { id: 'c-draw-gallery', class: 'drawing-gallery' });
    this.outcome = el('p', { id: 'c-draw-result', role: 'status' });
    host.replaceChildren(
      el('p', { class: 'muted small', text: 'Draw a digit, choose its label and add it: your drawings form a small labelled test set, kept in this browser. Each is made MNIST-like first: the ink\'s bounding box scaled to 20 pixels on its longer side (area averaging), placed in 28×28 and moved so that its centre of mass is at the centre, as MNIST\'s digits were.' }),
      el('div', { class: 'draw-area' }, padHost, el('div', { class: 'controls' }, el('div', { class: 'ctl' }, el('label', { for: 'c-draw-label', text: 'This is a' }), this.label), save)),
      this.gallery,
      el('div', { class: 'controls small' },
        el('button', { type: 'button', text: 'Download my drawings', onclick: () => this.download() }),
        el('label', { for: 'c-draw-upload', class: 'button-like', text: 'Add drawings from a file…' }), upload),
      el('div', { class: 'controls' }, el('div', { class: 'ctl' }, el('label', { for: 'c-draw-source', text: 'Network' }), this.source), run),
      this.outcome,
    );
  }

  async refresh() {
    try {
      this.list = (await listDrawings()).sort((a, b) => a.id - b.id);
    } catch (error) {
      this.say(`Your drawings could not be read: ${error.message}`);
    }
    this.renderGallery();
  }

  renderGallery() {
    const answers = new Map((this.result?.ids ?? []).map((id, i) => [id, this.result.predictions[i]]));
    this.gallery.dataset.count = String(this.list.length);
    this.gallery.replaceChildren(...this.list.map((d) => {
      const answer = answers.get(d.id);
      return el('figure', { class: 'drawing', 'data-id': d.id, 'data-label': d.label, 'data-prediction': answer ?? '' },
        thumbnail(d.pixels, d.label),
        el('figcaption', { text: answer === undefined ? `${d.label}` : `${d.label} → ${answer}${answer === d.label ? ' ✓' : ' ✗'}` }),
        el('button', { type: 'button', text: '×', 'aria-label': `Delete drawing ${d.id} (a ${d.label})`, onclick: () => deleteDrawing(d.id).catch((e) => this.say(e.message)) }));
    }));
    if (!this.list.length) this.gallery.append(el('p', { class: 'muted small', text: 'No drawings yet.' }));
  }

  renderSources() {
    const keep = this.source.value;
    const opts = [el('option', { value: 'current', text: 'the current run (as last saved)' }),
      ...this.runs().map((r) => el('option', { value: `archive:${r.id}`, text: r.name }))];
    this.source.replaceChildren(...opts);
    if ([...this.source.options].some((o) => o.value === keep)) this.source.value = keep;
  }

  async add() {
    const c = this.pad.canvas;
    const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const alpha = new Uint8Array(c.width * c.height);
    for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3];
    const pixels = preprocess(alpha, c.width, c.height);
    if (!pixels) { this.say('The pad is empty: draw a digit first.'); return; }
    try {
      await addDrawing({ label: Number(this.label.value), pixels, addedAt: Date.now() });
      this.pad.clear();
      this.say('');
    } catch (error) {
      this.say(`The drawing could not be stored: ${error.message}`);
    }
  }

  runTest() {
    if (!this.list.length) { this.say('Add some drawings first.'); return; }
    const v = this.source.value;
    const source = v === 'current' ? { kind: 'current' } : { kind: 'archive', id: Number(v.slice('archive:'.length)) };
    this.pending = { ids: this.list.map((d) => d.id), name: this.source.selectedOptions[0]?.textContent, waiting: true };
    this.outcome.textContent = 'Testing…';
    this.test(source, this.list.map((d) => ({ label: d.label, pixels: d.pixels })));
  }

  // True while the worker owes an answer.
  get waiting() {
    return Boolean(this.pending?.waiting);
  }

  showResult(msg) {
    this.pending.waiting = false;
    const ids = this.pending?.ids ?? [];
    this.result = { ids, predictions: msg.predictions, correct: msg.correct, n: msg.n, acc: msg.correct / msg.n };
    this.outcome.dataset.correct = String(msg.correct);
    this.outcome.dataset.n = String(msg.n);
    this.outcome.textContent = `${this.pending?.name ?? 'The run'} reads ${msg.correct} of your ${msg.n} drawings right (${((100 * msg.correct) / msg.n).toFixed(1)}%).`;
    this.renderGallery();
  }

  showFailure() {
    if (this.pending) this.pending.waiting = false;
    this.outcome.textContent = 'The test did not run (see the message above).';
  }

  download() {
    const file = { format: FORMAT, version: 1, drawings: this.list.map((d) => ({ label: d.label, pixels: Array.from(d.pixels) })) };
    saveBlob(new Blob([JSON.stringify(file)], { type: 'application/json' }), 'convlab-drawings.json');
  }

  async upload(input) {
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    try {
      let file;
      try { file = JSON.parse(await f.text()); } catch { throw new Error('this file is not JSON'); }
      if (file?.format !== FORMAT) throw new Error(`format: expected "${FORMAT}"`);
      if (file.version !== 1) throw new Error(`version: expected 1, got ${file.version}`);
      if (!Array.isArray(file.drawings)) throw new Error('drawings: expected a list');
      const list = file.drawings.map((d, i) => checkDrawing(d, `drawings[${i}]`));
      for (const d of list) await addDrawing(d);
      this.say(`Added ${list.length} drawings from ${f.name}.`);
    } catch (error) {
      this.say(`Could not add ${f.name}: ${error.message}`);
    }
  }
}
