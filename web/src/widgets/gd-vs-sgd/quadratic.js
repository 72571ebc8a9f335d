// quadratic.js: the quadratic view of gd-vs-sgd (lesson 1). The risk
//   R(w) = 1/2 (λ_max (u1·w)^2 + λ_min (u2·w)^2),   u1 = (cos 30°, sin 30°), u2 ⟂ u1,
// is the core's mean squared error of a one-output dense layer on four inputs ±sqrt(λ_i) u_i
// with target 1 and bias fixed at its optimum 1 (the inputs have mean zero, so the bias never
// moves): its Hessian has eigenvalues λ_max and λ_min exactly. Every step is the core's
// net.trainStep (plain gradient descent, or heavy ball with momentum β: torch.optim.SGD), every
// risk value the core's; the page draws the contour ellipses R = c from λ_max, λ_min and the
// core's starting risk (geometry only).

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { canvas, linePlot, caption, COLORS } from '../../lib/canvas-plot.js';

export const LMAX = 4;
export const LMINS = [4, 2, 1, 0.5, 0.25];
export const ETA = { min: 0.01, max: 0.7, step: 0.01 };
const START = [-1.6, 1.1];
const C = Math.cos(Math.PI / 6); const S = Math.sin(Math.PI / 6);
const LIMIT = 1e4; // |w| beyond this is drawn as diverged and the run stops

export function quadraticData(lmin) {
  const a = Math.sqrt(LMAX); const b = Math.sqrt(lmin);
  return Float32Array.from([a * C, a * S, -a * C, -a * S, -b * S, b * C, b * S, -b * C]);
}

export class QuadraticView {
  constructor(root, owner) {
    this.owner = owner;
    const s = owner.s;
    const change = (k, f = Number) => (v) => owner.change({ [k]: f(v) });
    this.ui = {
      eta: slider({ label: 'Step size η', ...ETA, value: s.eta, onInput: change('eta') }),
      momentum: slider({ label: 'Momentum β', min: 0, max: 0.95, step: 0.05, value: s.momentum, onInput: change('momentum') }),
      lmin: select({ label: 'λ_min (λ_max = 4)', options: LMINS.map((v) => [String(v), String(v)]), value: String(s.lmin), onChange: change('lmin') }),
      qsteps: slider({ label: 'GD steps', min: 1, max: 100, value: s.qsteps, onInput: change('qsteps') }),
    };
    // Marks on the step-size track: 1/λ_max (oscillation starts) and 2/λ_max (divergence).
    const pct = (v) => `${(100 * (v - ETA.min)) / (ETA.max - ETA.min)}%`;
    const mark = (v, text) => el('span', { class: 'eta-mark', style: `left:${pct(v)}`, text });
    const track = el('span', { class: 'eta-track' });
    this.ui.eta.input.replaceWith(track);
    track.append(this.ui.eta.input, el('span', { class: 'eta-marks', 'aria-hidden': 'true' }, mark(1 / LMAX, '1/λ'), mark(2 / LMAX, '2/λ')));
    this.plot = canvas('Contour lines of the quadratic risk and the path of gradient descent', 0.9);
    this.riskPlot = canvas('Risk after each step, log scale', 0.6);
    this.final = result('Risk after the last step:');
    this.zone = el('p', { class: 'note', role: 'status' });
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('div', { style: 'display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:.6rem' },
        el('figure', { style: 'margin:0' }, this.plot, caption('Contours of R (ellipses), the path of w (dots); the minimum is at 0')),
        el('figure', { style: 'margin:0' }, this.riskPlot, caption('R(w_t) against the step t (log scale)'))),
      this.final.root, this.zone);
  }

  sync(s) {
    this.ui.eta.set(s.eta); this.ui.momentum.set(s.momentum); this.ui.lmin.set(String(s.lmin)); this.ui.qsteps.set(s.qsteps);
  }

  run(cl, s) {
    const x = quadraticData(s.lmin);
    const y = new Int32Array(4);
    const net = cl.sequential([{ type: 'dense', out: 1 }], { inputShape: [2], seed: 1 });
    const path = { w1: [], w2: [], risk: [] };
    let diverged = false;
    try {
      const [W, B] = net.parameters();
      net.setParameters([{ ...W, data: Float32Array.from(START) }, { ...B, data: Float32Array.from([1]) }]);
      const record = () => { const w = net.parameters()[0].data; path.w1.push(w[0]); path.w2.push(w[1]); };
      record();
      for (let t = 1; t <= s.qsteps; t++) {
        path.risk.push(net.trainStep(x, y, 4, { loss: 'mse', lr: s.eta, momentum: s.momentum }).loss);
        record();
        if (!(Math.abs(path.w1.at(-1)) < LIMIT && Math.abs(path.w2.at(-1)) < LIMIT)) { diverged = true; break; }
      }
      if (!diverged) path.risk.push(net.backward(x, y, 4, { loss: 'mse' }).loss);
    } finally {
      net.dispose();
    }
    this.path = path; this.s = s;
    const last = path.risk.at(-1);
    const w = [path.w1.at(-1), path.w2.at(-1)];
    this.final.set(diverged ? `diverged (|w| > ${LIMIT} after ${path.w1.length - 1} steps)` : `${fmt(last)} at w = (${fmt(w[0])}, ${fmt(w[1])})`,
      { risk: diverged ? null : last, start: path.risk[0], w, diverged, steps: path.w1.length - 1 });
    const r = s.eta * LMAX;
    this.zone.textContent = `η = ${fmt(s.eta)} = ${fmt(r)}/λ_max. Without momentum: ${r < 1 ? 'below 1/λ_max, no overshoot along the steep axis' : r < 2 ? 'between 1/λ_max and 2/λ_max, it overshoots and oscillates but converges' : r === 2 ? 'exactly 2/λ_max, it bounces for ever' : 'above 2/λ_max, the steep direction diverges'}. With momentum β the heavy ball converges for η < 2(1 + β)/λ_max.`;
    this.draw();
  }

  draw() {
    const p = this.path;
    if (!p) return;
    const lmin = this.s.lmin;
    const contours = [1, 0.3, 0.1, 0.03, 0.01].map((k) => {
      const c = k * p.risk[0];
      const a = Math.sqrt((2 * c) / LMAX); const b = Math.sqrt((2 * c) / lmin);
      const xs = []; const ys = [];
      for (let i = 0; i <= 64; i++) {
        const t = (2 * Math.PI * i) / 64;
        xs.push(a * Math.cos(t) * C - b * Math.sin(t) * S); ys.push(a * Math.cos(t) * S + b * Math.sin(t) * C);
      }
      return { x: xs, y: ys, color: '#c5cad3', width: 1 };
    });
    linePlot(this.plot, [...contours, { x: p.w1, y: p.w2, dots: true, label: `path, η = ${this.s.eta}, β = ${this.s.momentum}`, color: COLORS[1] }],
      { xlabel: 'w₁', ylabel: 'w₂', xrange: [-3, 3], yrange: [-3, 3] });
    linePlot(this.riskPlot, [{ x: p.risk.map((_, i) => i), y: p.risk, dots: true, label: 'R(w_t)', color: COLORS[0] }], { xlabel: 'step', logy: true });
  }
}
