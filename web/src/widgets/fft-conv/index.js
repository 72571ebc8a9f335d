// fft-conv: lesson 10 (eq. 2.16). Zero-pads f and h to the FFT length N (the next power of two
// >= n + m - 1, or just n to show circular wrap-around), takes their spectra with the core's
// cl.fft, multiplies them point by point, and transforms back with cl.ifft; the result is set
// against cl.convolve(f, h, { method: 'direct' }). The point-wise complex product is eq. 2.16's
// middle step and the one piece of arithmetic here; magnitudes are computed only for drawing.
// Settings: { signal: 'steps' | 'spikes' | 'random', kernel: 'gauss' | 'box' | 'diff' | 'long', circular: false | true (skip the zero-padding) }.

import { el, fmt, checkbox, select, result } from '../../lib/dom.js';
import { bool, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, linePlot, caption, onResize, COLORS } from '../../lib/canvas-plot.js';
import { rng } from '../../lib/random.js';

const SIGNALS = {
  steps: Array.from({ length: 24 }, (_, t) => (t < 6 ? 1 : t < 14 ? 3 : t < 18 ? 0 : 2)),
  spikes: Array.from({ length: 24 }, (_, t) => ({ 3: 4, 10: -2, 12: 3, 20: 1 })[t] ?? 0),
  random: (() => { const r = rng(11); return Array.from({ length: 24 }, () => Math.round(20 * r() - 10) / 5); })(),
};
const KERNELS = {
  gauss: [1, 4, 6, 4, 1].map((v) => v / 16),
  box: [0.2, 0.2, 0.2, 0.2, 0.2],
  diff: [1, -1],
  long: Array.from({ length: 12 }, (_, t) => Math.round(1000 * 0.7 ** t) / 1000),
};

export default class FftConv extends Widget {
  static defaults = { signal: 'steps', kernel: 'gauss', circular: false };

  static validate(s) {
    return validateWith(s, FftConv.defaults, {
      signal: (v, n) => oneOf(v, n, Object.keys(SIGNALS)),
      kernel: (v, n) => oneOf(v, n, Object.keys(KERNELS)),
      circular: (v, n) => bool(v, n),
    });
  }

  build(root) {
    this.ui = {
      signal: select({ label: 'Signal f', options: Object.keys(SIGNALS).map((k) => [k, k]), value: this.s.signal, onChange: (v) => this.change({ signal: v }) }),
      kernel: select({ label: 'Kernel h', options: [['gauss', 'Gaussian (2.8)'], ['box', 'box 5'], ['diff', 'difference'], ['long', 'long decaying (12)']], value: this.s.kernel, onChange: (v) => this.change({ kernel: v }) }),
      circular: checkbox({ label: 'No zero-padding (N = n: circular)', checked: this.s.circular, onChange: (v) => this.change({ circular: v }) }),
    };
    this.spec = canvas('Magnitude spectra of f and of the product', 0.5);
    this.specH = canvas('Magnitude spectrum of the kernel h', 0.35);
    this.out = canvas('Inverse FFT of the product against the direct convolution', 0.5);
    this.sizes = result('Lengths:');
    this.check = result('Largest |ifft(F·H) − direct|:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      this.spec, caption('|Ff| and |Ff·Fh| over the N frequency bins (cl.fft; the product is taken bin by bin in the page, the middle step of eq. 2.16)'),
      this.specH, caption('|Fh|: the kernel multiplies each frequency of f by this factor'),
      this.out, caption('Real part of cl.ifft(Ff·Fh) (stems) and cl.convolve(f, h, direct) (line)'),
      this.sizes.root, this.check.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { cl } = this;
    const f = Float32Array.from(SIGNALS[this.s.signal]);
    const h = Float32Array.from(KERNELS[this.s.kernel]);
    const n = f.length; const m = h.length; const full = n + m - 1;
    const N = this.s.circular ? n : 2 ** Math.ceil(Math.log2(full));
    const fp = new Float32Array(N); fp.set(f);
    const hp = new Float32Array(N); hp.set(h);
    const F = cl.fft(fp, new Float32Array(N));
    const H = cl.fft(hp, new Float32Array(N));
    const re = new Float32Array(N); const im = new Float32Array(N);
    for (let k = 0; k < N; k++) { // (a + ib)(c + id), eq. 2.16's point-wise product
      re[k] = F.re[k] * H.re[k] - F.im[k] * H.im[k];
      im[k] = F.re[k] * H.im[k] + F.im[k] * H.re[k];
    }
    const back = cl.ifft(re, im).re;
    const direct = cl.convolve(f, h, { method: 'direct' });
    let err = 0;
    for (let u = 0; u < full; u++) err = Math.max(err, Math.abs((u < N ? back[u] : 0) - direct[u]));
    const mag = (a, b) => Array.from(a, (v, k) => Math.hypot(v, b[k]));
    this.v = { F: mag(F.re, F.im), H: mag(H.re, H.im), P: mag(re, im), back, direct, N };
    this.sizes.set(`n = ${n}, m = ${m}, full result n + m − 1 = ${full}, FFT length N = ${N}`, { n, m, N });
    this.check.set(`${fmt(err)}${this.s.circular && err > 1e-3 ? ' (the tail wrapped around onto the start)' : ''}`, { err, result: Array.from(back) });
    this.draw();
  }

  draw() {
    const v = this.v;
    if (!v) return;
    const k = Array.from({ length: v.N }, (_, i) => i);
    linePlot(this.spec, [
      { x: k, y: v.F, label: '|Ff|', color: COLORS[0] },
      { x: k, y: v.P, label: '|Ff·Fh|', color: COLORS[1], dash: true },
    ], { xlabel: 'frequency bin k', zero: true });
    linePlot(this.specH, [{ x: k, y: v.H, label: '|Fh|', color: COLORS[2], dots: true }], { xlabel: 'frequency bin k', zero: true });
    linePlot(this.out, [
      { x: Array.from(v.direct, (_, i) => i), y: v.direct, label: 'direct', color: COLORS[0] },
      { x: k, y: v.back, stem: true, label: 'ifft(Ff·Fh)', color: COLORS[1] },
    ], { xlabel: 'u', zero: true });
  }

  sync() {
    this.ui.signal.set(this.s.signal); this.ui.kernel.set(this.s.kernel); this.ui.circular.set(this.s.circular);
  }
}
