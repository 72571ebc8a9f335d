// receptive-field: lesson 8 (figure 6: nesting convolutions makes receptive fields grow). A
// stack of L single-channel conv2d layers (m x m kernels, stride s, all weights 1, no bias) on
// a 32x32 input, built with cl.sequential. Selecting an output unit backpropagates a one-hot
// gradient through the stack with net.vjp; the input gradient counts the paths from each
// input pixel to that unit, and its non-zero pixels are the receptive field.
// Settings: { layers: L 1-6 (3), kernel: m = 1 | 3 | 5 | 7 (3), stride: 1 | 2, unit: [row, col] of the selected output unit ([-1, -1] = centre) }.

import { el, select, slider, result } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { canvas, heatmap, cellAt, onResize } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';

const S = 32;

export default class ReceptiveField {
  static defaults = { layers: 3, kernel: 3, stride: 1, unit: [-1, -1] };

  static validate(s) {
    const out = validateWith(s, ReceptiveField.defaults, {
      layers: (v, n) => int(v, n, { min: 1, max: 6 }),
      kernel: (v, n) => oneOf(v, n, [1, 3, 5, 7]),
      stride: (v, n) => int(v, n, { min: 1, max: 2 }),
      unit: (v, n) => {
        if (!Array.isArray(v) || v.length !== 2) throw new Error(`"${n}" must be [row, col]`);
        return v.map((u, i) => int(u, `${n}[${i}]`, { min: -1, max: S }));
      },
    });
    return out;
  }

  constructor(root, settings, ctx) {
    this.cl = ctx.cl;
    this.ctx = ctx;
    this.s = { ...settings, unit: [...settings.unit] };
    const changed = () => { this.s.unit = [-1, -1]; this.build(); ctx.onChange(this.getState()); };
    this.ui = {
      layers: slider({ label: 'Layers L', min: 1, max: 6, value: this.s.layers, onInput: (v) => { this.s.layers = v; changed(); } }),
      kernel: select({ label: 'Kernel m×m', options: [['1', '1×1'], ['3', '3×3'], ['5', '5×5'], ['7', '7×7']], value: String(this.s.kernel), onChange: (v) => { this.s.kernel = Number(v); changed(); } }),
      stride: select({ label: 'Stride', options: [['1', '1'], ['2', '2']], value: String(this.s.stride), onChange: (v) => { this.s.stride = Number(v); changed(); } }),
    };
    this.inFig = canvas('Input 32 by 32: paths from each pixel to the selected unit', 1);
    this.outFig = canvas('Output units of the last layer; use arrow keys to move the selection', 1);
    this.outFig.tabIndex = 0;
    this.outFig.addEventListener('click', (e) => {
      const hit = this.geo && cellAt(this.outFig, e, this.geo.cell, this.o, this.o);
      if (hit) this.select(hit.row, hit.col);
    });
    this.outFig.addEventListener('keydown', (e) => {
      const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (!d || !this.o) return;
      e.preventDefault();
      this.select(Math.max(0, Math.min(this.o - 1, this.s.unit[0] + d[0])), Math.max(0, Math.min(this.o - 1, this.s.unit[1] + d[1])));
    });
    this.info = result('Receptive field:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 150px;max-width:300px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      row(fig(this.inFig, 'input (shade = number of paths)'), fig(this.outFig, 'output units: click or use arrow keys')), this.info.root);
    onResize(root, () => this.draw());
    this.build();
  }

  build() {
    this.net?.dispose();
    this.net = null;
    const layers = Array.from({ length: this.s.layers }, () => ({ type: 'conv2d', out: 1, kernel: this.s.kernel, stride: this.s.stride }));
    try {
      this.net = this.cl.sequential(layers, { inputShape: [1, S, S], seed: 1 });
    } catch (err) {
      this.o = 0;
      this.grad = null;
      this.info.set(`${this.s.layers} layers of ${this.s.kernel}×${this.s.kernel} with stride ${this.s.stride} do not fit a ${S}×${S} input (${err.message})`, { error: true });
      this.draw();
      return;
    }
    this.net.setParameters(this.net.parameters().map((p) => ({ ...p, data: new Float32Array(p.data.length).fill(p.name.endsWith('weight') ? 1 : 0) })));
    this.o = this.net.outputShape[1];
    let [r, c] = this.s.unit;
    if (r < 0 || r >= this.o || c < 0 || c >= this.o) { r = Math.floor(this.o / 2); c = Math.floor(this.o / 2); }
    this.select(r, c, false);
  }

  select(r, c, notify = true) {
    this.s.unit = [r, c];
    const g = new Float32Array(this.o * this.o);
    g[r * this.o + c] = 1;
    this.grad = this.net.vjp(new Float32Array(S * S), 1, g).gradInput;
    let lo = S; let hi = -1; let peak = 0;
    this.grad.forEach((v, i) => { if (v !== 0) { lo = Math.min(lo, i % S); hi = Math.max(hi, i % S); peak = Math.max(peak, v); } });
    this.info.set(`unit (${r}, ${c}) of a ${this.o}×${this.o} output sees ${hi - lo + 1} input columns (and as many rows); the most-used pixel is reached by ${peak} paths`,
      { width: hi - lo + 1, peak, output: this.o });
    this.draw();
    if (notify) this.ctx.onChange(this.getState());
  }

  draw() {
    if (!this.grad) { heatmap(this.inFig, new Float32Array(S * S), S, S, { gray: true, maxWidth: 300, grid: false }); return; }
    heatmap(this.inFig, this.grad, S, S, { gray: true, maxWidth: 300, grid: false });
    const out = new Float32Array(this.o * this.o).fill(0.12); // light grey: every unit visible
    this.geo = heatmap(this.outFig, out, this.o, this.o, { gray: true, maxWidth: 300, maxCell: 40, marks: new Set([this.s.unit[0] * this.o + this.s.unit[1]]) });
  }

  getState() {
    return { ...this.s, unit: [...this.s.unit] };
  }

  setState(s) {
    this.s = ReceptiveField.validate(s);
    this.ui.layers.set(this.s.layers); this.ui.kernel.set(String(this.s.kernel)); this.ui.stride.set(String(this.s.stride));
    this.build();
  }
}
