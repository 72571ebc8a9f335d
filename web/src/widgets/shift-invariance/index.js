// shift-invariance: lesson 4 (eqs. 2.3-2.5). Shifts a discrete signal by tau (f_tau[t] =
// f[t + tau], as in eq. 2.5) and compares the core's cl.convolve(f_tau, h) with the output
// cl.convolve(f, h) read at u + tau; then swaps the arguments, cl.convolve(h, f), to show
// commutativity. The page only builds the signals and compares the core's results.
// Settings: { signal: 'steps' | 'spikes' | 'ramp' | 'random', kernel: 'gauss' | 'diff' | 'asym' | 'box', shift: tau -8..8 (3) }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, linePlot, caption, onResize, COLORS } from '../../lib/canvas-plot.js';
import { rng } from '../../lib/random.js';

const N = 32;
const PAD = 8; // zeros on each side so shifts up to PAD lose nothing
const SIGNALS = {
  steps: (t) => (t < 4 ? 1 : t < 9 ? 3 : t < 12 ? 0 : 2),
  spikes: (t) => (t === 3 ? 4 : t === 10 ? -2 : t === 12 ? 3 : 0),
  ramp: (t) => t / 4,
  random: null,
};
const KERNELS = {
  gauss: [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16],
  diff: [1, -1],
  asym: [3, 2, 1],
  box: [0.2, 0.2, 0.2, 0.2, 0.2],
};

export default class ShiftInvariance extends Widget {
  static defaults = { signal: 'steps', kernel: 'gauss', shift: 3 };

  static validate(s) {
    return validateWith(s, ShiftInvariance.defaults, {
      signal: (v, n) => oneOf(v, n, Object.keys(SIGNALS)),
      kernel: (v, n) => oneOf(v, n, Object.keys(KERNELS)),
      shift: (v, n) => int(v, n, { min: -PAD, max: PAD }),
    });
  }

  build(root) {
    this.ui = {
      signal: select({ label: 'Signal f', options: Object.keys(SIGNALS).map((k) => [k, k]), value: this.s.signal, onChange: (v) => this.change({ signal: v }) }),
      kernel: select({ label: 'Kernel h', options: [['gauss', 'Gaussian (2.8)'], ['diff', 'difference'], ['asym', 'asymmetric 3,2,1'], ['box', 'box']], value: this.s.kernel, onChange: (v) => this.change({ kernel: v }) }),
      shift: slider({ label: 'Shift τ', min: -PAD, max: PAD, value: this.s.shift, onInput: (v) => this.change({ shift: v }) }),
    };
    this.inPlot = canvas('The signal f and the shifted signal f_tau', 0.45);
    this.outPlot = canvas('The convolution of the shifted signal and the shifted convolution', 0.45);
    this.shiftCheck = result('Largest |(f_τ * h)[u] − (f * h)[u + τ]|:');
    this.commCheck = result('Largest |(f * h)[u] − (h * f)[u]|:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      this.inPlot, caption('Input: f (line) and f_τ[t] = f[t + τ] (stems)'),
      this.outPlot, caption('Output: (f * h)[u + τ] (line) and (f_τ * h)[u] (stems), both from cl.convolve'),
      this.shiftCheck.root, this.commCheck.root);
    onResize(root, () => this.draw());
  }

  signal() {
    const f = new Float32Array(N);
    const r = rng(7);
    for (let t = 0; t < N - 2 * PAD; t++) {
      f[PAD + t] = SIGNALS[this.s.signal] ? SIGNALS[this.s.signal](t) : Math.round(10 * (2 * r() - 1)) / 5;
    }
    return f;
  }

  update() {
    const { cl } = this;
    const f = this.signal();
    const tau = this.s.shift;
    const ft = new Float32Array(N);
    for (let t = 0; t < N; t++) ft[t] = t + tau >= 0 && t + tau < N ? f[t + tau] : 0;
    const h = Float32Array.from(KERNELS[this.s.kernel]);
    const y = cl.convolve(f, h);
    const yt = cl.convolve(ft, h);
    const yh = cl.convolve(h, f);
    const yShifted = Array.from(yt, (_, u) => (u + tau >= 0 && u + tau < y.length ? y[u + tau] : 0));
    let d1 = 0; let d2 = 0;
    yt.forEach((v, u) => { d1 = Math.max(d1, Math.abs(v - yShifted[u])); });
    y.forEach((v, u) => { d2 = Math.max(d2, Math.abs(v - yh[u])); });
    this.v = { f, ft, yt, yShifted };
    this.shiftCheck.set(fmt(d1), { diff: d1, shifted: Array.from(yt) });
    this.commCheck.set(fmt(d2), { diff: d2 });
    this.draw();
  }

  draw() {
    const v = this.v;
    if (!v) return;
    const idx = (a) => Array.from(a, (_, i) => i);
    linePlot(this.inPlot, [
      { x: idx(v.f), y: v.f, label: 'f', color: COLORS[0] },
      { x: idx(v.ft), y: v.ft, stem: true, label: `f_τ, τ = ${this.s.shift}`, color: COLORS[1] },
    ], { xlabel: 't', zero: true });
    linePlot(this.outPlot, [
      { x: idx(v.yShifted), y: v.yShifted, label: '(f * h)[u + τ]', color: COLORS[0] },
      { x: idx(v.yt), y: v.yt, stem: true, label: '(f_τ * h)[u]', color: COLORS[1] },
    ], { xlabel: 'u', zero: true });
  }

  sync() {
    this.ui.signal.set(this.s.signal); this.ui.kernel.set(this.s.kernel); this.ui.shift.set(this.s.shift);
  }
}
