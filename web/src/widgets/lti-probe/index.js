// lti-probe: lesson 4 (Theorem 2.1). A black box T, linear and shift-invariant, whose kernel
// is hidden from the student. Feeding it an impulse at position p shows its response T δ_p;
// the student reads the impulse response h off it, types it in, and the widget compares the
// box's output T f for a test signal with f * h computed from the typed h. Theorem 2.1 says
// they agree exactly when the typed h is the impulse response. The box and the prediction
// are both the core's cl.convolve; the page only builds the inputs and compares results.
// Settings: { box: 0-3 (which hidden system), input: 'impulse' | 'signal', position: p 0..12 (0),
//   guess: the typed h, 1-8 numbers ([1]) }.

import { el, fmt, numberList, result, select, slider } from '../../lib/dom.js';
import { int, numArray, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, caption, linePlot, onResize, COLORS } from '../../lib/canvas-plot.js';

const N = 16;
// The hidden impulse responses (small integers, so they can be read off the plot).
const BOXES = [[2, 1], [1, 2, 1], [3, -1, 0, 1], [-1, 2, 2, -1]];
const TEST = [0, 1, 3, 2, 0, -1, -2, 0, 2, 4, 1, 0, 0, 0, 0, 0];

export default class LtiProbe extends Widget {
  static defaults = { box: 0, input: 'impulse', position: 0, guess: [1] };

  static validate(s) {
    return validateWith(s, LtiProbe.defaults, {
      box: (v, n) => int(v, n, { min: 0, max: BOXES.length - 1 }),
      input: (v, n) => oneOf(v, n, ['impulse', 'signal']),
      position: (v, n) => int(v, n, { min: 0, max: 12 }),
      guess: (v, n) => numArray(v, n, { minLength: 1, maxLength: 8, min: -100, max: 100 }),
    });
  }

  build(root) {
    this.ui = {
      box: select({ label: 'Black box', options: BOXES.map((_, i) => [String(i), `system ${String.fromCharCode(65 + i)}`]), value: String(this.s.box), onChange: (v) => this.change({ box: Number(v) }) }),
      input: select({ label: 'Input', options: [['impulse', 'impulse δ_p'], ['signal', 'test signal f']], value: this.s.input, onChange: (v) => this.change({ input: v }) }),
      position: slider({ label: 'Impulse position p', min: 0, max: 12, value: this.s.position, onInput: (v) => this.change({ position: v }) }),
      guess: numberList({ label: 'Your h (read off T δ_0)', value: this.s.guess, check: (v) => LtiProbe.validate({ guess: v }).guess, onChange: (v) => this.change({ guess: v }) }),
    };
    this.plot = canvas('The input and the black box output', 0.5);
    this.response = result('Black-box output T x:');
    this.predict = result('Largest |T f − f * h_yours| on the test signal:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      this.plot, caption('Input x (stems) and the black box output T x (line); T is computed by cl.convolve with a hidden kernel'),
      this.response.root, this.predict.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { cl } = this;
    const hidden = Float32Array.from(BOXES[this.s.box]);
    const x = new Float32Array(N);
    if (this.s.input === 'impulse') x[this.s.position] = 1;
    else x.set(TEST);
    const y = cl.convolve(x, hidden);
    const f = Float32Array.from(TEST);
    const Tf = cl.convolve(f, hidden);
    const mine = cl.convolve(f, Float32Array.from(this.s.guess));
    const len = Math.max(Tf.length, mine.length);
    let diff = 0;
    for (let u = 0; u < len; u++) diff = Math.max(diff, Math.abs((Tf[u] ?? 0) - (mine[u] ?? 0)));
    this.v = { x, y };
    this.response.set(Array.from(y, (v) => fmt(v)).join(', '), { input: Array.from(x), output: Array.from(y) });
    this.predict.set(`${fmt(diff)} ${diff <= 1e-5 ? '(your h predicts T exactly: Theorem 2.1)' : '(not yet: compare your h with T δ_0)'}`,
      { diff, Tf: Array.from(Tf), prediction: Array.from(mine) });
    this.draw();
  }

  draw() {
    const v = this.v;
    if (!v) return;
    const idx = (a) => Array.from(a, (_, i) => i);
    linePlot(this.plot, [
      { x: idx(v.x), y: v.x, stem: true, label: 'input x', color: COLORS[1] },
      { x: idx(v.y), y: v.y, dots: true, label: 'T x', color: COLORS[0] },
    ], { xlabel: 't', zero: true });
  }

  sync() {
    this.ui.box.set(String(this.s.box)); this.ui.input.set(this.s.input);
    this.ui.position.set(this.s.position); this.ui.guess.set(this.s.guess);
  }
}
