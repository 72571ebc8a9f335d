// toeplitz (lesson 7, eqs. 2.12-2.13): the matrix H_n^h of eq. 2.12 for the current kernel h
// and signal length n, drawn from cl.toeplitz(h, n), with each diagonal coloured by the
// kernel tap it repeats (a band of width m: m degrees of freedom). Its product with f is
// computed in the core too (a one-layer dense network whose weight matrix is H), and shown
// beside cl.convolve(f, h) with the largest difference between the two.
// Settings: { h: number[] (1..8 taps), n: signal length 1..16, f: number[] (cut or padded to n;
// n defaults to f's length when only f is given) }.

import { el, fmt, numberList, result, slider } from '../../lib/dom.js';
import { drawMatrix } from '../../lib/matrix.js';
import { int, numArray, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';

const F_POOL = [2, -1, 3, 0, 1, 4, -2, 1, 3, -1, 2, 0, 1, -3, 2, 1];
const TAP_COLORS = ['#f4c7b8', '#c6dcf5', '#cfe8c8', '#f1dca7', '#dccdf0', '#f3c9de', '#c9ebe8', '#e2e2e2'];
const H_LIMITS = { minLength: 1, maxLength: 8, min: -100, max: 100 };
const N_MAX = 16;

export default class Toeplitz extends Widget {
  static defaults = { h: [1, 2, 3], n: 6, f: null };

  static validate(settings) {
    const s = validateWith(settings, Toeplitz.defaults, {
      h: (v, name) => numArray(v, name, H_LIMITS),
      n: (v) => v,
      f: (v) => v,
    });
    const hasF = Object.prototype.hasOwnProperty.call(settings ?? {}, 'f') && settings.f !== null;
    const hasN = Object.prototype.hasOwnProperty.call(settings ?? {}, 'n');
    if (hasF) s.f = numArray(settings.f, 'f', { minLength: 1, maxLength: N_MAX, min: -100, max: 100 });
    s.n = int(hasN || !hasF ? s.n : s.f.length, 'n', { min: 1, max: N_MAX });
    // A state that changes n alone (a link, a set-state message) keeps f's first entries.
    s.f = resize(hasF ? s.f : [], s.n);
    return s;
  }

  // n and f's length move together: a new n cuts or pads f, a new f sets n.
  merge(patch) {
    const next = { ...this.s, ...patch };
    if (patch.n !== undefined) next.f = resize(this.s.f, next.n);
    if (patch.f !== undefined) next.n = patch.f.length;
    return next;
  }

  build(container) {
    this.nSlider = slider({ label: 'Signal length n', min: 1, max: N_MAX, value: this.s.n, onInput: (n) => this.change({ n }) });
    this.hList = numberList({ label: 'Kernel h', value: this.s.h, check: (l) => numArray(l, 'h', H_LIMITS), onChange: (h) => this.change({ h }) });
    this.fList = numberList({
      label: 'Signal f',
      value: this.s.f,
      check: (l) => numArray(l, 'f', { minLength: 1, maxLength: N_MAX, min: -100, max: 100 }),
      onChange: (f) => this.change({ f }),
    });
    this.canvas = el('canvas', { class: 'matrix', role: 'img' });
    this.caption = el('p', { class: 'caption' });
    this.product = result('H f (dense layer, core):');
    this.conv = result('f ∗ h (cl.convolve):');
    this.diff = result('max |H f − f ∗ h| =');
    this.freedom = el('p', { class: 'freedom' });
    container.append(
      el('div', { class: 'controls' }, this.nSlider.root, this.hList.root, this.fList.root),
      el('div', { class: 'matrix-wrap' }, this.canvas),
      this.caption, this.product.root, this.conv.root, this.diff.root, this.freedom,
    );
  }

  // H f through the core's dense layer (y = W x + b with W = H, b = 0): a real matrix-vector
  // product, not the convolution routine, so the comparison with cl.convolve means something.
  multiply(H, f) {
    const net = this.cl.sequential([{ type: 'dense', out: H.rows }], { inputShape: [H.cols], seed: 1 });
    try {
      net.setParameters([
        { name: '0.weight', shape: [H.rows, H.cols], data: H.data },
        { name: '0.bias', shape: [H.rows], data: new Float32Array(H.rows) },
      ]);
      return net.forward(f, 1);
    } finally {
      net.dispose();
    }
  }

  update() {
    const { h, n } = this.s;
    const f = Float32Array.from(this.s.f);
    const m = h.length;
    const H = this.cl.toeplitz(Float32Array.from(h), n);
    const Hf = this.multiply(H, f);
    const conv = this.cl.convolve(f, Float32Array.from(h), { mode: 'full', method: 'direct' });
    let maxDiff = 0;
    for (let i = 0; i < conv.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Hf[i] - conv[i]));
    drawMatrix(this.canvas, H, {
      maxWidth: Math.max(200, (this.canvas.parentElement?.clientWidth || 600) - 4),
      colorOf: (v, i, j) => (i - j >= 0 && i - j < m ? TAP_COLORS[(i - j) % TAP_COLORS.length] : '#ffffff'),
      format: (v) => fmt(v, 3),
    });
    this.canvas.setAttribute('aria-label', `Toeplitz matrix H with ${H.rows} rows and ${H.cols} columns`);
    this.caption.textContent = `H_${n}^h from cl.toeplitz: ${H.rows} × ${H.cols} = (n + m − 1) × n; each coloured diagonal repeats one tap of h.`;
    this.product.set(list(Hf), Array.from(Hf));
    this.conv.set(list(conv), Array.from(conv));
    this.diff.set(fmt(maxDiff), maxDiff);
    this.nSlider.set(n);
    this.hList.set(h);
    this.fList.set(this.s.f);
    this.freedom.textContent = `Band width m = ${m}: only the ${m} diagonals i − j = 0 … ${m - 1} can be non-zero, ` +
      `so the ${H.rows * H.cols} entries of H have only m = ${m} degrees of freedom (the taps of h).`;
  }
}

// f cut or padded (with the default signal's entries) to n values.
function resize(f, n) {
  return Array.from({ length: n }, (_, i) => (i < f.length ? f[i] : F_POOL[i]));
}

function list(a) {
  return `[${Array.from(a, (v) => fmt(v, 5)).join(', ')}]`;
}
