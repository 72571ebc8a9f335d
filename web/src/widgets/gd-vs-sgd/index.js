// gd-vs-sgd: lesson 1 (eq. 1.2). Two views, chosen by `problem`. 'quadratic' (quadratic.js):
// gradient descent with momentum on a two-parameter quadratic risk, drawn over its contour
// lines, with 1/λ_max and 2/λ_max marked on the step-size control. 'classifier': trains the same softmax classifier (one dense layer, 2 inputs,
// 2 classes) twice from one seed: full-batch steepest descent and mini-batch SGD. Shows the path
// of class 1's two weights and the full-data risk after each step. Every step is the core's
// net.trainStep, every risk value the core's net.backward; the page only generates the
// synthetic data set (two seeded Gaussian clusters) and draws.
// Settings: { problem: 'classifier' | 'quadratic' ('classifier'); classifier: lr: one of 0.02 ... 10 (0.5),
//   batch: SGD batch 1-32 (8), steps: 1-300 (60), seed: 1-1000 (1), xaxis: 'steps' | 'examples';
//   quadratic: eta 0.01-0.7 (0.3), momentum 0-0.95 (0), lmin: one of 4 ... 0.25 (0.5), qsteps 1-100 (30) }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { int, num, oneOf, validateWith } from '../../lib/validate.js';
import { canvas, linePlot, caption, onResize, COLORS } from '../../lib/canvas-plot.js';
import { rng, gaussian } from '../../lib/random.js';
import { QuadraticView, LMINS, ETA } from './quadratic.js';

const LRS = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const BATCHES = [1, 2, 4, 8, 16, 32];
const N = 64;

export default class GdVsSgd {
  static defaults = { problem: 'classifier', lr: 0.5, batch: 8, steps: 60, seed: 1, xaxis: 'steps', eta: 0.3, momentum: 0, lmin: 0.5, qsteps: 30 };

  static validate(s) {
    return validateWith(s, GdVsSgd.defaults, {
      lr: (v, n) => oneOf(v, n, LRS),
      batch: (v, n) => oneOf(v, n, BATCHES),
      steps: (v, n) => int(v, n, { min: 1, max: 300 }),
      seed: (v, n) => int(v, n, { min: 1, max: 1000 }),
      xaxis: (v, n) => oneOf(v, n, ['steps', 'examples']),
      problem: (v, n) => oneOf(v, n, ['classifier', 'quadratic']),
      eta: (v, n) => Math.round(num(v, n, { min: ETA.min, max: ETA.max }) * 100) / 100,
      momentum: (v, n) => num(v, n, { min: 0, max: 0.95 }),
      lmin: (v, n) => oneOf(v, n, LMINS),
      qsteps: (v, n) => int(v, n, { min: 1, max: 100 }),
    });
  }

  constructor(root, settings, ctx) {
    this.cl = ctx.cl;
    this.ctx = ctx;
    this.s = { ...settings };
    const change = (k, f = Number) => (v) => this.change({ [k]: f(v) });
    this.problem = select({ label: 'Risk', options: [['quadratic', 'quadratic, two parameters'], ['classifier', 'softmax classifier on data']], value: this.s.problem, onChange: change('problem', String) });
    root.append(el('div', { class: 'controls' }, this.problem.root));
    this.quadBox = el('div');
    this.quad = new QuadraticView(this.quadBox, this);
    this.classBox = el('div');
    root.append(this.classBox, this.quadBox);
    this.ui = {
      lr: select({ label: 'Learning rate η', options: LRS.map((v) => [String(v), String(v)]), value: String(this.s.lr), onChange: change('lr') }),
      batch: select({ label: 'SGD batch size', options: BATCHES.map((v) => [String(v), String(v)]), value: String(this.s.batch), onChange: change('batch') }),
      steps: slider({ label: 'Steps', min: 1, max: 300, value: this.s.steps, onInput: change('steps') }),
      seed: slider({ label: 'Seed', min: 1, max: 50, value: this.s.seed, onInput: change('seed') }),
      xaxis: select({ label: 'Loss against', options: [['steps', 'steps'], ['examples', 'examples seen']], value: this.s.xaxis, onChange: change('xaxis', String) }),
    };
    this.path = canvas('Path of the two weights of class 1 for full-batch and mini-batch training', 0.8);
    this.loss = canvas('Training risk on all data after each step, full-batch and mini-batch', 0.8);
    this.final = result('Final risk (full batch / SGD):');
    this.classBox.append(
      el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('div', { style: 'display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:.6rem' },
        el('figure', { style: 'margin:0' }, this.path, caption('Weights (w₁₁, w₁₂) of class 1; dot = start')),
        el('figure', { style: 'margin:0' }, this.loss, caption(`Risk on all ${N} examples`))),
      this.final.root,
    );
    onResize(root, () => { this.draw(); this.quad.draw(); });
    this.run();
  }

  change(patch) {
    Object.assign(this.s, patch);
    this.run();
    this.ctx.onChange(this.getState());
  }

  // Two seeded clusters: class 0 around (-1, -0.5), class 1 around (1, 0.5), spread 0.9.
  data() {
    const r = rng(this.s.seed);
    const x = new Float32Array(2 * N);
    const y = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      y[i] = i % 2;
      x[2 * i] = (y[i] ? 1 : -1) + 0.9 * gaussian(r);
      x[2 * i + 1] = (y[i] ? 0.5 : -0.5) + 0.9 * gaussian(r);
    }
    return { x, y, r };
  }

  run() {
    const quadratic = this.s.problem === 'quadratic';
    this.quadBox.hidden = !quadratic; this.classBox.hidden = quadratic;
    if (quadratic) { this.quad.run(this.cl, this.s); return; }
    this.runClassifier();
  }

  runClassifier() {
    const { cl } = this;
    const { x, y, r } = this.data();
    const make = () => cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [2], seed: this.s.seed });
    const runs = { full: make(), sgd: make() };
    const trace = { full: { w: [], v: [], loss: [], seen: [] }, sgd: { w: [], v: [], loss: [], seen: [] } };
    const record = (key, seen) => {
      const W = runs[key].parameters()[0].data; // shape [2 classes, 2 inputs]
      trace[key].w.push(W[2]); trace[key].v.push(W[3]);
      trace[key].loss.push(runs[key].backward(x, y, N).loss);
      trace[key].seen.push(seen);
    };
    record('full', 0); record('sgd', 0);
    const order = Array.from({ length: N }, (_, i) => i);
    let pos = N;
    const B = this.s.batch;
    const xb = new Float32Array(2 * B);
    const yb = new Int32Array(B);
    try {
      for (let t = 1; t <= this.s.steps; t++) {
        runs.full.trainStep(x, y, N, { lr: this.s.lr });
        record('full', t * N);
        for (let i = 0; i < B; i++) {
          if (pos >= N) { // reshuffle (Fisher-Yates) at every epoch
            for (let k = N - 1; k > 0; k--) { const j = Math.floor(r() * (k + 1)); [order[k], order[j]] = [order[j], order[k]]; }
            pos = 0;
          }
          const e = order[pos++];
          xb[2 * i] = x[2 * e]; xb[2 * i + 1] = x[2 * e + 1]; yb[i] = y[e];
        }
        runs.sgd.trainStep(xb, yb, B, { lr: this.s.lr });
        record('sgd', t * B);
      }
    } finally {
      runs.full.dispose(); runs.sgd.dispose();
    }
    this.trace = trace;
    const lf = trace.full.loss.at(-1); const ls = trace.sgd.loss.at(-1);
    this.final.set(`${fmt(lf)} / ${fmt(ls)}`, { full: lf, sgd: ls });
    this.draw();
  }

  draw() {
    const t = this.trace;
    if (!t) return;
    linePlot(this.path, [
      { x: t.full.w, y: t.full.v, label: 'full batch', color: COLORS[0] },
      { x: t.sgd.w, y: t.sgd.v, label: `SGD, batch ${this.s.batch}`, color: COLORS[1] },
      { x: [t.full.w[0]], y: [t.full.v[0]], dots: true, color: '#000' },
    ], { xlabel: 'w₁₁', ylabel: 'w₁₂' });
    const key = this.s.xaxis === 'steps' ? null : 'seen';
    const xs = (k) => (key ? t[k].seen : t[k].loss.map((_, i) => i));
    linePlot(this.loss, [
      { x: xs('full'), y: t.full.loss, label: 'full batch', color: COLORS[0] },
      { x: xs('sgd'), y: t.sgd.loss, label: 'SGD', color: COLORS[1] },
    ], { xlabel: key ? 'examples seen' : 'step', ylabel: 'risk', zero: true });
  }

  getState() {
    return { ...this.s };
  }

  setState(s) {
    this.s = GdVsSgd.validate(s);
    for (const k of ['lr', 'batch', 'xaxis']) this.ui[k].set(String(this.s[k]));
    this.ui.steps.set(this.s.steps); this.ui.seed.set(this.s.seed);
    this.problem.set(this.s.problem); this.quad.sync(this.s);
    this.run();
  }
}
