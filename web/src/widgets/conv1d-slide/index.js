// conv1d-slide (lesson 5, eqs. 2.6-2.9): slide the flipped kernel along a signal one output
// position u at a time. Shows the terms h[t] f[u-t] of the truncated sum (for the Gaussian
// kernel of example 2.2 in the form of eq. 2.9) and the output revealed up to u. Every
// output value comes from cl.convolve(f, h) ('full' mode); the widget only indexes into it.
// The kernel's origin (t = 0) is its centre tap, floor(m/2), as in eq. 2.8.
// Settings: { f: number[] (the signal on t = 0..n-1), h: number[] (kernel), u: output position }.

import { button, el, fmt, numberList, result, select, slider } from '../../lib/dom.js';
import { numArray, int, validateWith } from '../../lib/validate.js';
import { shadeX, signalPlot } from '../../lib/plot.js';
import { Widget } from '../../lib/widget.js';

const GAUSS = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
const PRESETS = {
  step: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  impulse: [0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0],
  ramp: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  alternating: [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1],
  square: [0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 4, 4, 4, 0],
};
const F_LIMITS = { minLength: 1, maxLength: 48, min: -1000, max: 1000 };
const H_LIMITS = { minLength: 1, maxLength: 15, min: -1000, max: 1000 };

// Output positions u of the full convolution, for signal length n and kernel length m.
function uRange(n, m) {
  const c = Math.floor(m / 2);
  return [-c, n - 1 + m - 1 - c];
}

export default class Conv1dSlide extends Widget {
  static defaults = { f: [0, 0, 1, 3, 2, 5, 4, 4, 1, 0, 0], h: GAUSS, u: null };

  static validate(settings) {
    const s = validateWith(settings, Conv1dSlide.defaults, {
      f: (v, name) => numArray(v, name, F_LIMITS),
      h: (v, name) => numArray(v, name, H_LIMITS),
      u: (v) => v,
    });
    const [lo, hi] = uRange(s.f.length, s.h.length);
    s.u = s.u === null ? Math.min(hi, Math.max(lo, Math.floor(s.f.length / 2))) : int(s.u, 'u', { min: lo, max: hi });
    return s;
  }

  // A new signal or kernel moves u back into the new range of output positions.
  merge(patch) {
    const next = { ...this.s, ...patch };
    const [lo, hi] = uRange(next.f.length, next.h.length);
    next.u = Math.min(hi, Math.max(lo, next.u));
    return next;
  }

  build(container) {
    const u = this.s.u;
    this.uSlider = slider({ label: 'Output position u', min: -2, max: 20, value: u, onInput: (v) => this.change({ u: v }) });
    const prev = button({ label: '◀ Step', title: 'u − 1', onClick: () => this.change({ u: this.s.u - 1 }) });
    const next = button({ label: 'Step ▶', title: 'u + 1', onClick: () => this.change({ u: this.s.u + 1 }) });
    const preset = select({
      label: 'Load a signal',
      value: '',
      options: [['', '—'], ...Object.keys(PRESETS).map((k) => [k, k])],
      onChange: (k) => {
        if (PRESETS[k]) this.change({ f: [...PRESETS[k]] });
        preset.set('');
      },
    });
    const check = (name, limits) => (list) => numArray(list, name, limits);
    this.fList = numberList({ label: 'Signal f[0..n−1]', value: this.s.f, check: check('f', F_LIMITS), onChange: (f) => this.change({ f }) });
    this.hList = numberList({ label: 'Kernel h', value: this.s.h, check: check('h', H_LIMITS), onChange: (h) => this.change({ h }) });
    this.plot = signalPlot(container, [{ label: 'f[t]', kind: 'bars' }, { label: '(f∗h)[u] so far', kind: 'line' }], {
      xLabel: 't, u',
      onDraw: (p) => this.shade(p),
    });
    this.enableDrawing(this.plot.plot);
    this.terms = el('p', { class: 'terms' });
    this.value = result('');
    container.prepend(el('div', { class: 'controls' }, this.uSlider.root, prev, next));
    container.append(
      el('p', { class: 'hint', text: 'Drag on the plot to draw the signal, or type it below.' }),
      this.terms,
      this.value.root,
      el('div', { class: 'controls' }, preset.root, this.fList.root, this.hList.root),
    );
  }

  shade(p) {
    const m = this.s.h.length;
    const c = Math.floor(m / 2);
    shadeX(p, this.s.u - (m - 1 - c) - 0.5, this.s.u + c + 0.5);
  }

  // Pointer drawing: the value under the pointer becomes f at the nearest sample.
  enableDrawing(p) {
    let drawing = false;
    const paint = (e) => {
      const t = Math.round(p.posToVal(e.offsetX, 'x'));
      if (t < 0 || t >= this.s.f.length) return;
      const v = Math.round(p.posToVal(e.offsetY, 'y') * 2) / 2;
      if (this.s.f[t] === v) return;
      const f = [...this.s.f];
      f[t] = Math.max(F_LIMITS.min, Math.min(F_LIMITS.max, v));
      this.change({ f });
    };
    p.over.addEventListener('pointerdown', (e) => { drawing = true; p.over.setPointerCapture(e.pointerId); paint(e); });
    p.over.addEventListener('pointermove', (e) => { if (drawing) paint(e); });
    p.over.addEventListener('pointerup', () => { drawing = false; });
    p.over.classList.add('drawable');
  }

  update() {
    const { f, h, u } = this.s;
    const n = f.length;
    const m = h.length;
    const c = Math.floor(m / 2);
    const [lo, hi] = uRange(n, m);
    const full = this.cl.convolve(Float32Array.from(f), Float32Array.from(h), { mode: 'full' });
    const xs = [];
    const fs = [];
    const out = [];
    for (let x = lo; x <= hi; x++) {
      xs.push(x);
      fs.push(x >= 0 && x < n ? f[x] : null);
      out.push(x <= u ? full[x + c] : null);
    }
    this.plot.update(xs, [fs, out]);
    this.uSlider.set(u, { min: lo, max: hi });
    this.fList.set(f);
    this.hList.set(h);
    const value = full[u + c];
    this.terms.textContent = termsText(f, h, u);
    this.value.set(`(f∗h)[${u}] = ${fmt(value, 6)}   (cl.convolve)`, value);
  }
}

const fAt = (f, t) => (t >= 0 && t < f.length ? f[t] : 0);

// The truncated sum written out with the numbers in it: eq. 2.9's form for the Gaussian
// kernel, sum_t h[t] f[u-t] otherwise. Text only; the value printed after it is the core's.
function termsText(f, h, u) {
  const c = Math.floor(h.length / 2);
  const isGauss = h.length === 5 && h.every((v, j) => Math.abs(v - GAUSS[j]) < 1e-9);
  if (isGauss) {
    const w = (k) => (k === 1 ? '' : `${k}·`);
    const parts = [[6, 0], [4, -1], [4, 1], [1, -2], [1, 2]];
    const sym = parts.map(([k, d]) => `${w(k)}f[${u + d}]`).join(' + ');
    const num = parts.map(([k, d]) => `${w(k)}${fmt(fAt(f, u + d))}`).join(' + ');
    return `(f∗h)[${u}] = (${sym}) / 16 = (${num}) / 16 =`;
  }
  const terms = h.map((_, j) => j - c).map((t) => `${fmt(h[t + c])}·${fmt(fAt(f, u - t))}`);
  return `(f∗h)[${u}] = Σₜ h[t]·f[${u}−t] = ${terms.join(' + ')} =`;
}
