// input-grad: lesson 9 (eqs. 2.12 and 2.15). The gradient of a loss with respect to a
// convolution's input, in 1-D: a layer y = conv2d(x, w) on a 1 x n input with a 1 x m kernel
// and padding m - 1 (the full cross-correlation) is y = H x with H = cl.toeplitz(reversed w, n),
// the Toeplitz matrix of eq. (2.12). With an error signal δ = dL/dy from the layers above, the
// chain rule gives dL/dx = Hᵀ δ. The widget draws Hᵀ (the transpose of the core's matrix; the
// page only re-indexes it), forms each entry of Hᵀ δ as the core's dot product of a row of Hᵀ
// with δ (cl.correlate, 'valid', of two equal-length vectors), and checks it against
// cl.conv2dBackward().gradInput and against the cross-correlation of δ with reversed w.
// Settings: { n: 3-10 (6), w: kernel, 1-5 numbers ([1, 2, 3]), seed: δ, 1-50 (1), t: the input index read out (2) }.

import { el, fmt, numberList, result, slider } from '../../lib/dom.js';
import { int, numArray, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { drawMatrix } from '../../lib/matrix.js';
import { rng } from '../../lib/random.js';

export default class InputGrad extends Widget {
  static defaults = { n: 6, w: [1, 2, 3], seed: 1, t: 2 };

  static validate(settings) {
    const s = validateWith(settings, InputGrad.defaults, {
      n: (v, k) => int(v, k, { min: 3, max: 10 }),
      w: (v, k) => numArray(v, k, { minLength: 1, maxLength: 5, min: -100, max: 100 }),
      seed: (v, k) => int(v, k, { min: 1, max: 50 }),
      t: (v, k) => int(v, k, { min: 0, max: 9 }),
    });
    return { ...s, t: Math.min(s.t, s.n - 1) };
  }

  merge(patch) {
    return InputGrad.validate({ ...this.s, ...patch });
  }

  build(root) {
    this.ui = {
      n: slider({ label: 'Input length n', min: 3, max: 10, value: this.s.n, onInput: (v) => this.change({ n: v }) }),
      w: numberList({ label: 'Kernel w', value: this.s.w, check: (v) => InputGrad.validate({ w: v }).w, onChange: (v) => this.change({ w: v }) }),
      seed: slider({ label: 'Error signal δ (seed)', min: 1, max: 50, value: this.s.seed, onInput: (v) => this.change({ seed: v }) }),
      t: slider({ label: 'Input index t', min: 0, max: 9, value: this.s.t, onInput: (v) => this.change({ t: v }) }),
    };
    this.canvas = el('canvas', { class: 'matrix', role: 'img' });
    this.terms = el('p', { class: 'terms note' });
    this.delta = result('Error signal δ = dL/dy:');
    this.HtDelta = result('Hᵀ δ (rows of Hᵀ dotted with δ, cl.correlate):');
    this.backward = result('cl.conv2dBackward(...).gradInput:');
    this.corr = result('δ cross-correlated with reversed w (cl.correlate, valid):');
    this.gap = result('Largest difference between the three:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('p', { class: 'note', text: 'Hᵀ: the transpose of cl.toeplitz(reversed w, n); row t (shaded) holds the weights through which x[t] reaches every output.' }),
      el('div', { style: 'overflow-x:auto;max-width:100%' }, this.canvas), this.delta.root, this.terms,
      this.HtDelta.root, this.backward.root, this.corr.root, this.gap.root);
  }

  errorSignal(len) {
    const r = rng(this.s.seed);
    return Float32Array.from({ length: len }, () => Math.floor(r() * 5) - 2);
  }

  update() {
    const { cl } = this;
    const { n, t } = this.s;
    const w = Float32Array.from(this.s.w);
    const m = w.length;
    const h = w.slice().reverse();
    const H = cl.toeplitz(h, n); // (n + m - 1) x n
    const rows = H.rows;
    const delta = this.errorSignal(rows);
    // Hᵀ, row-major n x rows: entry (i, u) = H(u, i).
    const Ht = new Float32Array(n * rows);
    for (let u = 0; u < rows; u++) for (let i = 0; i < n; i++) Ht[i * rows + u] = H.data[u * n + i];
    const HtDelta = Array.from({ length: n }, (_, i) => cl.correlate(Ht.subarray(i * rows, (i + 1) * rows), delta, { mode: 'valid' })[0]);
    const x = Float32Array.from({ length: n }, (_, i) => i + 1); // the input does not enter dL/dx of a linear layer
    const back = cl.conv2dBackward(x, [1, 1, 1, n], w, [1, 1, 1, m], delta, { padding: [0, m - 1] }).gradInput;
    const corr = cl.correlate(delta, h, { mode: 'valid' });
    let gap = 0;
    for (let i = 0; i < n; i++) gap = Math.max(gap, Math.abs(HtDelta[i] - back[i]), Math.abs(HtDelta[i] - corr[i]));
    const list = (a) => Array.from(a, (v) => fmt(v)).join(', ');
    this.delta.set(list(delta), Array.from(delta));
    const nz = [];
    for (let u = 0; u < rows; u++) if (Ht[t * rows + u] !== 0) nz.push(`${fmt(Ht[t * rows + u])}·${delta[u] < 0 ? `(${fmt(delta[u])})` : fmt(delta[u])}`);
    this.terms.textContent = `(Hᵀ δ)[${t}] = Σ_u H[u, ${t}] δ[u] = ${nz.join(' + ') || '0'} = ${fmt(HtDelta[t])}`;
    this.HtDelta.set(list(HtDelta), HtDelta);
    this.backward.set(list(back), Array.from(back));
    this.corr.set(list(corr), Array.from(corr));
    this.gap.set(fmt(gap), gap);
    drawMatrix(this.canvas, { rows: n, cols: rows, data: Ht }, {
      cell: 34,
      maxWidth: 560,
      format: (v) => fmt(v, 3),
      colorOf: (v, i) => (i === t ? (v === 0 ? '#fff3bf' : '#ffd8a8') : v === 0 ? '#ffffff' : '#dbe4f5'),
    });
    this.canvas.setAttribute('aria-label', `Transposed Toeplitz matrix with ${n} rows and ${rows} columns`);
    this.ui.t.set(t, { max: n - 1 });
  }

  sync() {
    this.ui.n.set(this.s.n); this.ui.w.set(this.s.w); this.ui.seed.set(this.s.seed);
  }
}
