// inspect.js: the page's feature-map and drawing views: which digit is selected (a held-out
// one or the drawing), asking the worker to run it through the network, and drawing the
// answer. `page` is main.js's state; `send` posts a protocol message to the worker.

import { el } from '../lib/dom.js';
import { toWorker } from './protocol.js';
import { FeatureMaps } from './views/featuremaps.js';
import { DrawPad } from '../lib/drawpad.js';
import { probabilityBars, scoreCaption } from './views/bars.js';
import { whenOnScreen } from '../lib/throttle.js';

const $ = (id) => document.getElementById(id);

export class Inspector {
  constructor(page, send, classNames) {
    this.page = page;
    this.send = send;
    this.classNames = classNames;
    this.selected = { kind: 'test', index: 0 };
    this.drawing = null;
    this.count = 0;
    this.featureMaps = new FeatureMaps($('t-featuremaps'));
    this.drawpad = new DrawPad($('t-drawpad'), (pixels) => {
      this.drawing = pixels;
      if (!pixels) { $('t-draw-probs').replaceChildren(); return; }
      this.selected = { kind: 'draw' };
      send(toWorker.inspect('draw', pixels));
    });
    this.index = this.buildControls();
    this.mapsOnScreen = whenOnScreen($('t-featuremaps').closest('section'));
    this.drawingOnScreen = whenOnScreen($('t-drawpad').closest('section'));
  }

  buildControls() {
    const input = el('input', { type: 'number', id: 't-fm-index', min: 0, max: 1999, step: 1, value: 0 });
    input.addEventListener('change', () => this.pickTest(Number(input.value) || 0));
    const prev = el('button', { type: 'button', text: '◀ previous', onclick: () => this.pickTest(this.selected.index - 1) });
    const next = el('button', { type: 'button', text: 'next ▶', onclick: () => this.pickTest(this.selected.index + 1) });
    const drawn = el('button', { type: 'button', text: 'show my drawing', onclick: () => { if (this.drawing) { this.selected = { kind: 'draw' }; this.inspectSelected(); } } });
    $('t-fm-controls').replaceChildren(el('div', { class: 'ctl' }, el('label', { for: 't-fm-index', text: 'Held-out digit #' }), input), prev, next, drawn);
    return input;
  }

  setData(data) {
    this.index.max = String(data.test.n - 1);
  }

  selectedPixels() {
    const data = this.page.data;
    const size = data.width * data.height;
    if (this.selected.kind === 'draw' && this.drawing) return this.drawing;
    const i = this.selected.index;
    return data.test.pixels.slice(i * size, (i + 1) * size);
  }

  inspectSelected() {
    if (this.page.data) this.send(toWorker.inspect('fm', this.selectedPixels()));
  }

  // The network changed (a new run, an evaluation): ask for the feature maps and the
  // drawing's probabilities again, each when its view is on screen or next comes into view.
  refresh() {
    this.mapsOnScreen.show(() => this.inspectSelected());
    this.drawingOnScreen.show(() => { if (this.drawing) this.send(toWorker.inspect('draw', this.drawing)); });
  }

  pickTest(index) {
    const n = this.page.data.test.n;
    this.selected = { kind: 'test', index: ((index % n) + n) % n };
    this.index.value = String(this.selected.index);
    this.inspectSelected();
  }

  show(msg) {
    this.count += 1;
    const t = $('train').dataset;
    t.inspections = String(this.count);
    const names = this.classNames();
    if (msg.id === 'draw') {
      $('t-draw-probs').replaceChildren(el('p', { class: 'muted small', text: scoreCaption(msg.loss) }), probabilityBars(msg.probabilities, names, msg.loss !== 'mse'));
      t.drawPrediction = String(msg.probabilities.indexOf(Math.max(...msg.probabilities)));
      if (this.selected.kind !== 'draw') return;
    }
    const s = this.selected;
    const data = this.page.data;
    const title = s.kind === 'draw' ? 'your drawing' : `held-out #${s.index}, label ${names[data.test.labels[s.index]]}`;
    this.featureMaps.show(this.selectedPixels(), data.width, msg, this.page.layerNames, title, names);
  }
}
