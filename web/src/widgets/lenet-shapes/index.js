// lenet-shapes: lesson 13. Builds LeNet-5 (32x32 input; C1, S2, C3, S4, C5, F6, output) with
// cl.sequential and lists each layer's output shape (net.layers), unit count and parameter
// count (net.parameters()). C3's kernel can be set to the notes' 6x6 to see that it does not
// give 1,600 units; C5's kernel is then read from S4's shape (a first network up to S4). A
// digit is run through the network to show C1's six feature maps (net.layerOutput), with
// seeded random weights or, with weights: 'trained', the parameters of the run the training
// page saved in this browser (IndexedDB), when that run is a LeNet-5 of the same shapes.
// Settings: { c3kernel: 3 | 5 | 6 (5; the notes' 6 to compare), pool: 'avgpool2d' | 'maxpool2d', activation: 'tanh' | 'relu' | 'sigmoid', digit: 0-9,
//   weights: 'random' | 'trained' ('random') }.

import { el, select, result } from '../../lib/dom.js';
import { formatCount } from '../../lib/format.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, heatmap } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';
import { digit } from '../../lib/digits.js';
import { loadSavedRun } from './saved-run.js';

const NAMES = ['C1', '', 'S2', 'C3', '', 'S4', 'C5', '', '', 'F6', '', 'output'];

export default class LenetShapes extends Widget {
  static defaults = { c3kernel: 5, pool: 'avgpool2d', activation: 'tanh', digit: 7, weights: 'random' };

  static validate(s) {
    return validateWith(s, LenetShapes.defaults, {
      c3kernel: (v, n) => oneOf(v, n, [3, 5, 6]),
      pool: (v, n) => oneOf(v, n, ['avgpool2d', 'maxpool2d']),
      activation: (v, n) => oneOf(v, n, ['tanh', 'relu', 'sigmoid']),
      digit: (v, n) => int(v, n, { min: 0, max: 9 }),
      weights: (v, n) => oneOf(v, n, ['random', 'trained']),
    });
  }

  build(root) {
    const changed = (k, f = String) => (v) => this.change({ [k]: f(v) });
    this.ui = {
      c3kernel: select({ label: 'C3 kernel', options: [['5', '5×5 (LeCun et al.)'], ['6', '6×6 (as in the notes)'], ['3', '3×3']], value: String(this.s.c3kernel), onChange: changed('c3kernel', Number) }),
      pool: select({ label: 'Sub-sampling', options: [['avgpool2d', 'average 2×2'], ['maxpool2d', 'max 2×2']], value: this.s.pool, onChange: changed('pool') }),
      activation: select({ label: 'Non-linearity', options: [['tanh', 'tanh'], ['relu', 'ReLU'], ['sigmoid', 'sigmoid']], value: this.s.activation, onChange: changed('activation') }),
      digit: select({ label: 'Digit for C1 maps', options: Array.from({ length: 10 }, (_, d) => [String(d), String(d)]), value: String(this.s.digit), onChange: changed('digit', Number) }),
      weights: select({ label: 'Weights', options: [['random', 'random (seeded)'], ['trained', 'trained (training page, this browser)']], value: this.s.weights, onChange: changed('weights') }),
    };
    this.saved = undefined; // undefined: not read yet; null: no usable run
    this.source = result('Weights used:');
    this.table = el('div', { style: 'overflow-x:auto' });
    this.units = result('Units after C1 and C3 (the notes\' 4,704 and 1,600):');
    this.maps = el('div');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.table, this.units.root,
      el('p', { class: 'note', text: 'C1 feature maps of the digit (choose trained weights after a run on the training page):' }), this.maps, this.source.root);
  }

  layers(c5kernel) {
    const act = { type: this.s.activation };
    const pool = { type: this.s.pool, kernel: 2 };
    const front = [{ type: 'conv2d', out: 6, kernel: 5 }, act, pool, { type: 'conv2d', out: 16, kernel: this.s.c3kernel }, act, pool];
    if (c5kernel === undefined) return front;
    return [...front, { type: 'conv2d', out: 120, kernel: c5kernel }, act, { type: 'flatten' }, { type: 'dense', out: 84 }, act, { type: 'dense', out: 10 }];
  }

  update() {
    const probe = this.cl.sequential(this.layers(), { inputShape: [1, 32, 32], seed: 1 });
    const s4 = probe.outputShape; // [16, h, w] after S4
    probe.dispose();
    const net = this.cl.sequential(this.layers(s4[1]), { inputShape: [1, 32, 32], seed: 1 });
    try {
      const params = new Map();
      for (const p of net.parameters()) {
        const idx = Number(p.name.split('.')[0]);
        params.set(idx, (params.get(idx) ?? 0) + p.data.length);
      }
      const info = net.layers.map((l) => ({ ...l, units: l.outputShape.reduce((a, b) => a * b, 1), params: params.get(l.index) ?? 0 }));
      let total = 0;
      for (const v of params.values()) total += v;
      const head = el('tr', {}, ...['# LeNet', 'layer', 'output', 'units', 'params'].map((t) => el('th', { text: t })));
      const body = info.map((l) => el('tr', { style: l.index === 0 || l.index === 3 ? 'background:#fff3bf' : undefined },
        el('td', { text: `${l.index} ${NAMES[l.index]}` }), el('td', { text: l.type }),
        el('td', { text: l.outputShape.join('×') }), el('td', { text: formatCount(l.units) }), el('td', { text: l.params ? formatCount(l.params) : '' })));
      const foot = el('tr', {}, el('td', { colspan: 4, text: 'total parameters (full C3 connectivity)' }), el('td', { text: formatCount(total) }));
      const t = el('table', { style: 'font-size:.85rem;font-variant-numeric:tabular-nums' }, el('thead', {}, head), el('tbody', {}, body, foot));
      t.dataset.result = JSON.stringify({ layers: info.map((l) => ({ shape: l.outputShape, units: l.units, params: l.params })), total });
      this.table.replaceChildren(t);
      this.units.set(`${formatCount(info[0].units)} and ${formatCount(info[3].units)}`, { c1: info[0].units, c3: info[3].units, shapes: info.map((l) => l.outputShape), total });
      // A 28x28 digit centred in the 32x32 input (2 pixels of zeros around), as LeNet-5 read MNIST.
      const d = digit(this.s.digit);
      const x = new Float32Array(32 * 32);
      for (let i = 0; i < 28; i++) x.set(d.subarray(i * 28, i * 28 + 28), (i + 2) * 32 + 2);
      const used = this.applySaved(net);
      const out = net.forward(x, 1);
      let best = 0;
      for (let k = 1; k < out.length; k++) if (out[k] > out[best]) best = k;
      const c1 = net.layerOutput(0);
      const [, h, w] = info[0].outputShape;
      this.maps.replaceChildren(row(...Array.from({ length: 6 }, (_, c) => {
        const cv = canvas(`C1 feature map ${c}`, 1);
        cv.style.maxWidth = '90px';
        heatmap(cv, c1.subarray(c * h * w, (c + 1) * h * w), h, w, { maxWidth: 90, grid: false });
        return cv;
      })));
      this.source.set(used.source === 'trained' ? `${used.text} ${best}` : used.text, { source: used.source, prediction: used.source === 'trained' ? best : null, c1: Array.from(c1.subarray(0, h * w)) });
    } finally {
      net.dispose();
    }
  }

  // Loads the saved run's parameters into `net` when asked for and usable; says what it used.
  // The first call starts reading IndexedDB and redraws when the run has been read.
  applySaved(net) {
    if (this.s.weights !== 'trained') return { source: 'random', text: 'random (seed 1)' };
    if (this.saved === undefined) {
      this.saved = null;
      this.loading = loadSavedRun().then((run) => { this.saved = run; this.update(); });
      return { source: 'random', text: 'reading the saved run…' };
    }
    const run = this.saved;
    if (!run?.parameters) return { source: 'random', text: 'random: no saved run in this browser (train one on the training page)' };
    try {
      net.setParameters(run.parameters);
    } catch (err) {
      return { source: 'random', text: `random: the saved run does not fit this network (${err.message})` };
    }
    const st = run.settings ?? {};
    const note = st.activation && st.activation !== this.s.activation ? `; it was trained with ${st.activation}, choose it for the maps it learned` : '';
    return { source: 'trained', text: `trained: the training page's saved run${run.progress ? ` (epoch ${run.progress.epoch})` : ''}${note}; this digit is classified as` };
  }

  sync() {
    for (const k of Object.keys(this.ui)) this.ui[k].set(String(this.s[k]));
  }
}
