// shift-invariance: lesson 4 (eqs. 2.3-2.5, Definition 2.4). Shifts a discrete signal by tau
// (f_tau[t] = f[t + tau], as in eq. 2.5), applies an operator T to f and to f_tau, and compares
// T(f_tau)[u] with (T f)[u + tau]. Convolution passes the check; three operators that are not
// shift-invariant fail it visibly: multiplication by t, a stride-2 convolution, and a 'same'
// convolution of a signal that fills its window (zero-padded borders: what leaves the window
// is lost, zeros come in). For convolution it also swaps the arguments (commutativity).
// Convolutions are the core's cl.convolve; multiplication by t (one product per sample, not a
// convolution) is done by the page and labelled so.
// Settings: { signal: 'steps' | 'spikes' | 'ramp' | 'random', kernel: 'gauss' | 'diff' | 'asym' | 'box',
//   shift: tau -8..8 (3), operator: 'conv' | 'times-t' | 'stride2' | 'zero-pad' ('conv') }.

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
const OPERATORS = [
  ['conv', 'T f = f * h (convolution)'],
  ['times-t', 'T f[t] = t · f[t] (multiplication by t)'],
  ['stride2', 'T f[u] = (f * h)[2u] (stride-2 convolution)'],
  ['zero-pad', "T f = f * h, 'same', signal fills the window (zero-padded borders)"],
];
const NOTES = {
  conv: 'Shift-invariant: the two curves coincide for every τ (Definition 2.4).',
  'times-t': 'Not shift-invariant: T(f_τ)[t] = t·f[t+τ] but (Tf)[t+τ] = (t+τ)·f[t+τ]. The products t·f[t] are computed by the page.',
  stride2: 'Not shift-invariant: T(f_τ)[u] = (f*h)[2u+τ] but (Tf)[u+τ] = (f*h)[2u+2τ]; an even τ gives a shift of τ/2 in the output instead.',
  'zero-pad': 'Not shift-invariant on a finite window: samples shifted out are lost and zeros come in, so the outputs differ near the borders.',
};

export default class ShiftInvariance extends Widget {
  static defaults = { signal: 'steps', kernel: 'gauss', shift: 3, operator: 'conv' };

  static validate(s) {
    return validateWith(s, ShiftInvariance.defaults, {
      signal: (v, n) => oneOf(v, n, Object.keys(SIGNALS)),
      kernel: (v, n) => oneOf(v, n, Object.keys(KERNELS)),
      shift: (v, n) => int(v, n, { min: -PAD, max: PAD }),
      operator: (v, n) => oneOf(v, n, OPERATORS.map(([k]) => k)),
    });
  }

  build(root) {
    this.ui = {
      operator: select({ label: 'Operator T', options: OPERATORS, value: this.s.operator, onChange: (v) => this.change({ operator: v }) }),
      signal: select({ label: 'Signal f', options: Object.keys(SIGNALS).map((k) => [k, k]), value: this.s.signal, onChange: (v) => this.change({ signal: v }) }),
      kernel: select({ label: 'Kernel h', options: [['gauss', 'Gaussian (2.8)'], ['diff', 'difference'], ['asym', 'asymmetric 3,2,1'], ['box', 'box']], value: this.s.kernel, onChange: (v) => this.change({ kernel: v }) }),
      shift: slider({ label: 'Shift τ', min: -PAD, max: PAD, value: this.s.shift, onInput: (v) => this.change({ shift: v }) }),
    };
    this.inPlot = canvas('The signal f and the shifted signal f_tau', 0.45);
    this.outPlot = canvas('T applied to the shifted signal, and the shifted output of T', 0.45);
    this.shiftCheck = result('Largest |T(f_τ)[u] − (T f)[u + τ]|:');
    this.commCheck = result('Largest |(f * h)[u] − (h * f)[u]|:');
    this.note = el('p', { class: 'note', role: 'status' });
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      this.inPlot, caption('Input: f (line) and f_τ[t] = f[t + τ] (stems)'),
      this.outPlot, caption('Output: (T f)[u + τ] (line) and T(f_τ)[u] (stems)'),
      this.shiftCheck.root, this.note, this.commCheck.root);
    onResize(root, () => this.draw());
  }

  // The zero-pad operator's signal fills the whole window, so its borders matter.
  signal() {
    const f = new Float32Array(N);
    const r = rng(7);
    const full = this.s.operator === 'zero-pad';
    for (let t = full ? 0 : PAD; t < (full ? N : N - PAD); t++) {
      const k = t - PAD;
      f[t] = SIGNALS[this.s.signal] ? SIGNALS[this.s.signal](k) : Math.round(10 * (2 * r() - 1)) / 5;
    }
    return f;
  }

  apply(f, h) {
    const { cl } = this;
    switch (this.s.operator) {
      case 'times-t': return Float32Array.from(f, (v, t) => t * v);
      case 'stride2': return cl.convolve(f, h).filter((_, u) => u % 2 === 0);
      case 'zero-pad': return cl.convolve(f, h, { mode: 'same' });
      default: return cl.convolve(f, h);
    }
  }

  update() {
    const { cl } = this;
    const f = this.signal();
    const tau = this.s.shift;
    const ft = new Float32Array(N);
    for (let t = 0; t < N; t++) ft[t] = t + tau >= 0 && t + tau < N ? f[t + tau] : 0;
    const h = Float32Array.from(KERNELS[this.s.kernel]);
    const y = this.apply(f, h);
    const yt = this.apply(ft, h);
    const yShifted = Array.from(yt, (_, u) => (u + tau >= 0 && u + tau < y.length ? y[u + tau] : 0));
    let d1 = 0;
    yt.forEach((v, u) => { d1 = Math.max(d1, Math.abs(v - yShifted[u])); });
    this.v = { f, ft, yt, yShifted };
    this.shiftCheck.set(`${fmt(d1)} ${d1 <= 1e-5 ? '(equal: T commutes with this shift)' : '(differ: T is not shift-invariant)'}`,
      { diff: d1, shifted: Array.from(yt), output: Array.from(y) });
    this.note.textContent = NOTES[this.s.operator];
    const conv = this.s.operator === 'conv';
    this.commCheck.root.hidden = !conv;
    if (conv) {
      const yh = cl.convolve(h, f);
      let d2 = 0;
      y.forEach((v, u) => { d2 = Math.max(d2, Math.abs(v - yh[u])); });
      this.commCheck.set(fmt(d2), { diff: d2 });
    } else {
      this.commCheck.set('–', null);
    }
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
      { x: idx(v.yShifted), y: v.yShifted, label: '(T f)[u + τ]', color: COLORS[0] },
      { x: idx(v.yt), y: v.yt, stem: true, label: 'T(f_τ)[u]', color: COLORS[1] },
    ], { xlabel: 'u', zero: true });
  }

  sync() {
    for (const k of ['operator', 'signal', 'kernel', 'shift']) this.ui[k].set(this.s[k]);
  }
}
