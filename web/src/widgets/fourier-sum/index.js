// fourier-sum: lesson 3 (eq. 2.2). Samples the Gaussian exp(-pi t^2 / s^2) with step
// Delta = window / n, takes the core's cl.fft of the samples (t = 0 at index 0, negative times
// wrapped to the end, so the spectrum is real), scales it by Delta, and compares it with the
// exact transform s exp(-pi s^2 u^2). The exact curves are the closed-form reference; the
// page computes no transform itself.
// Settings: { n: samples, 4-512 in powers of two (32), window: length L 1-32 (8), width: Gaussian width s 0.1-5 (1) }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { num, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, linePlot, caption, onResize, COLORS } from '../../lib/canvas-plot.js';

const NS = [4, 8, 16, 32, 64, 128, 256, 512];
const WINDOWS = [1, 2, 4, 8, 16, 32];

export default class FourierSum extends Widget {
  static defaults = { n: 32, window: 8, width: 1 };

  static validate(s) {
    return validateWith(s, FourierSum.defaults, {
      n: (v, k) => oneOf(v, k, NS),
      window: (v, k) => oneOf(v, k, WINDOWS),
      width: (v, k) => num(v, k, { min: 0.1, max: 5 }),
    });
  }

  build(root) {
    this.ui = {
      n: select({ label: 'Samples n', options: NS.map((v) => [String(v), String(v)]), value: String(this.s.n), onChange: (v) => this.change({ n: Number(v) }) }),
      window: select({ label: 'Window length L', options: WINDOWS.map((v) => [String(v), String(v)]), value: String(this.s.window), onChange: (v) => this.change({ window: Number(v) }) }),
      width: slider({ label: 'Gaussian width s', min: 0.2, max: 3, step: 0.1, value: this.s.width, onInput: (v) => this.change({ width: v }) }),
    };
    this.time = canvas('The Gaussian and its samples', 0.45);
    this.freq = canvas('Delta times the FFT of the samples against the exact Fourier transform', 0.55);
    this.step = result('Step Δ = L/n:');
    this.err = result('Largest error at the sampled frequencies:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      this.time, caption('Time domain: f(t) and the samples f(jΔ) inside the window'),
      this.freq, caption('Frequency domain: Δ·FFT (dots; cl.fft scaled by Δ in the page) against the exact transform (line); the DFT repeats with period 1/Δ'),
      this.step.root, this.err.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { n, window: L, width: s } = this.s;
    const d = L / n;
    const t = new Float32Array(n);
    const f = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      t[j] = (j < Math.ceil(n / 2) ? j : j - n) * d;
      f[j] = Math.exp((-Math.PI * t[j] * t[j]) / (s * s));
    }
    const { re } = this.cl.fft(f, new Float32Array(n));
    const order = Array.from({ length: n }, (_, k) => (k + Math.ceil(n / 2)) % n); // ascending frequency
    const u = order.map((k) => (k < Math.ceil(n / 2) ? k : k - n) / L);
    const est = order.map((k) => d * re[k]);
    const exact = (v) => s * Math.exp(-Math.PI * s * s * v * v);
    let err = 0;
    u.forEach((v, i) => { err = Math.max(err, Math.abs(est[i] - exact(v))); });
    this.pts = { t: order.map((k) => t[k]), f: order.map((k) => f[k]), u, est, exact, d, L, s };
    this.step.set(`${fmt(d)}  (Nyquist frequency 1/(2Δ) = ${fmt(1 / (2 * d))})`, { d });
    this.err.set(fmt(err), { err, u, estimate: est });
    this.draw();
  }

  draw() {
    const p = this.pts;
    if (!p) return;
    const span = Math.max(p.L / 2, 2.5 * p.s);
    const tt = Array.from({ length: 301 }, (_, i) => -span + (2 * span * i) / 300);
    linePlot(this.time, [
      { x: tt, y: tt.map((v) => Math.exp((-Math.PI * v * v) / (p.s * p.s))), label: 'f(t)', color: COLORS[0] },
      { x: p.t, y: p.f, stem: true, label: 'samples', color: COLORS[1] },
    ], { xlabel: 't', zero: true, marks: [{ x: -p.L / 2, label: '' }, { x: p.L / 2, label: 'window' }] });
    const umax = Math.max(1 / (2 * p.d), 2.5 / p.s) * 1.2;
    const uu = Array.from({ length: 301 }, (_, i) => -umax + (2 * umax * i) / 300);
    linePlot(this.freq, [
      { x: uu, y: uu.map(p.exact), label: '(Ff)(u) exact', color: COLORS[0] },
      { x: p.u, y: p.est, dots: true, label: 'Δ·FFT', color: COLORS[1], width: 0.8 },
    ], { xlabel: 'u', zero: true, marks: [{ x: -1 / (2 * p.d), label: '' }, { x: 1 / (2 * p.d), label: '1/(2Δ)' }] });
  }

  sync() {
    this.ui.n.set(String(this.s.n)); this.ui.window.set(String(this.s.window)); this.ui.width.set(this.s.width);
  }
}
