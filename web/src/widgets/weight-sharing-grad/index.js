// weight-sharing-grad: lesson 9 (eq. 2.15). A valid conv2d on a small seeded input x with a
// seeded error signal delta (as if from later layers). For the selected kernel weight (a, b)
// each output position's term delta_ij x_{i+a, j+b} is obtained from the core's
// cl.conv2dBackward with delta restricted to that one position; the terms' sum is set against
// the gradWeight the core returns for the whole delta. The sum of the shown terms is the one
// piece of arithmetic on the page, and it is the check eq. 2.15 states.
// Settings: { size: input side 3-9 (6), kernel: 1-5 (3), weight: [a, b] selected kernel weight, seed: data seed }.

import { el, fmt, button, slider, result } from '../../lib/dom.js';
import { int, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, heatmap, onResize } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';
import { rng, uniformArray } from '../../lib/random.js';

export default class WeightSharingGrad extends Widget {
  static defaults = { size: 6, kernel: 3, weight: [1, 1], seed: 4 };

  static validate(s) {
    const out = validateWith(s, WeightSharingGrad.defaults, {
      size: (v, n) => int(v, n, { min: 3, max: 9 }),
      kernel: (v, n) => int(v, n, { min: 1, max: 5 }),
      weight: (v, n) => {
        if (!Array.isArray(v) || v.length !== 2) throw new Error(`"${n}" must be [row, col] of a kernel weight`);
        return v.map((u, i) => int(u, `${n}[${i}]`, { min: 0, max: 4 }));
      },
      seed: (v, n) => int(v, n, { min: 1, max: 1000 }),
    });
    if (out.kernel > out.size) throw new Error(`"kernel" must be at most "size" (${out.size})`);
    if (out.weight[0] >= out.kernel || out.weight[1] >= out.kernel) throw new Error(`"weight" must index a ${out.kernel}x${out.kernel} kernel`);
    return out;
  }

  build(root) {
    this.ui = {
      size: slider({ label: 'Input size', min: 3, max: 9, value: this.s.size, onInput: (v) => this.change({ size: v }) }),
      kernel: slider({ label: 'Kernel size', min: 1, max: 5, value: this.s.kernel, onInput: (v) => this.change({ kernel: v }) }),
      seed: slider({ label: 'Seed', min: 1, max: 50, value: this.s.seed, onInput: (v) => this.change({ seed: v }) }),
    };
    this.picker = el('div', { role: 'group', 'aria-label': 'Kernel weight to inspect', style: 'display:grid;gap:2px;width:max-content' });
    this.figs = { x: canvas('Input x; outlined: the values the selected weight multiplies', 1), d: canvas('Error signal delta at each output', 1), t: canvas('Term delta_ij times x at each output position', 1) };
    this.sum = result('Sum of the terms (added up in the page):');
    this.core = result('gradWeight from cl.conv2dBackward:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 140px;max-width:240px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('p', { class: 'note', text: 'Kernel weight h[a, b] (select one):' }), this.picker,
      row(fig(this.figs.x, 'input x (outlined: used by h[a,b])'), fig(this.figs.d, 'error signal δ = ∂R/∂y'), fig(this.figs.t, 'terms δᵢⱼ·x[i+a, j+b]')),
      this.sum.root, this.core.root);
    onResize(root, () => this.draw());
  }

  // The kernel fits the input and the selected weight fits the kernel.
  merge(patch) {
    const s = { ...this.s, ...patch };
    s.kernel = Math.min(s.kernel, s.size);
    s.weight = s.weight.map((v) => Math.min(v, s.kernel - 1));
    return s;
  }

  update() {
    const { size: S, kernel: k, seed } = this.s;
    const [a, b] = this.s.weight;
    const o = S - k + 1;
    const r = rng(seed);
    const x = uniformArray(r, S * S, 0, 1);
    const delta = uniformArray(r, o * o, -1, 1);
    const w = uniformArray(r, k * k, -1, 1);
    const xs = [1, 1, S, S]; const ws = [1, 1, k, k];
    const full = this.cl.conv2dBackward(x, xs, w, ws, delta).gradWeight;
    const terms = new Float32Array(o * o);
    const one = new Float32Array(o * o);
    for (let p = 0; p < o * o; p++) {
      one.fill(0); one[p] = delta[p];
      terms[p] = this.cl.conv2dBackward(x, xs, w, ws, one).gradWeight[a * k + b];
    }
    let total = 0;
    for (const t of terms) total += t;
    const used = new Set();
    for (let i = 0; i < o; i++) for (let j = 0; j < o; j++) used.add((i + a) * S + (j + b));
    this.v = { x, delta, terms, used, S, o };
    this.sum.set(`${fmt(total, 6)}  (${o * o} terms, one per output position)`, { sum: total, terms: Array.from(terms) });
    this.core.set(`${fmt(full[a * k + b], 6)}  for h[${a}, ${b}]`, { gradWeight: Array.from(full), index: a * k + b });
    this.picker.style.gridTemplateColumns = `repeat(${k}, 2.6rem)`;
    this.picker.replaceChildren(...Array.from({ length: k * k }, (_, i) => {
      const btn = button({ label: `${Math.floor(i / k)},${i % k}`, onClick: () => this.change({ weight: [Math.floor(i / k), i % k] }) });
      btn.setAttribute('aria-pressed', String(i === a * k + b));
      if (i === a * k + b) btn.style.background = '#ffd8a8';
      return btn;
    }));
    this.draw();
  }

  draw() {
    const v = this.v;
    if (!v) return;
    heatmap(this.figs.x, v.x, v.S, v.S, { gray: true, scale: 1, values: true, marks: v.used, maxWidth: 240 });
    heatmap(this.figs.d, v.delta, v.o, v.o, { values: true, maxWidth: 240 });
    heatmap(this.figs.t, v.terms, v.o, v.o, { values: true, maxWidth: 240 });
  }

  sync() {
    this.ui.size.set(this.s.size); this.ui.kernel.set(this.s.kernel); this.ui.seed.set(this.s.seed);
  }
}
