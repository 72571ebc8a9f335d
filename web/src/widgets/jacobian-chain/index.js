// jacobian-chain: lesson 2 (eqs. 1.3-1.5). G = tanh(dense 2->3), H = sigmoid(dense 3->2),
// F = H o G built as one network with the same parameters. Each Jacobian is read from the
// core's net.vjp with unit vectors as output gradients (row i = e_i^T J). The product
// J_H J_G is formed by the core too: a linear layer with weights J_H applied to the columns of
// J_G. Central finite differences use the core's net.forward at x +- eps e_j (numerical
// differencing is the page's only arithmetic, and it is the independent check).
// Settings: { x: [x1, x2] in [-3, 3] (default [0.5, -1]), seed: weights seed 1-1000 (3; H uses seed + 1), eps: finite-difference step 1e-4..0.1 (0.001) }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { int, num, numArray, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { matrixTable, row } from '../../lib/table.js';

export default class JacobianChain extends Widget {
  static defaults = { x: [0.5, -1.0], seed: 3, eps: 0.001 };

  static validate(s) {
    return validateWith(s, JacobianChain.defaults, {
      x: (v, n) => numArray(v, n, { minLength: 2, maxLength: 2, min: -3, max: 3 }),
      seed: (v, n) => int(v, n, { min: 1, max: 1000 }),
      eps: (v, n) => num(v, n, { min: 1e-4, max: 0.1 }),
    });
  }

  build(root) {
    this.ui = {
      x0: slider({ label: 'x₁', min: -3, max: 3, step: 0.1, value: this.s.x[0], onInput: (v) => this.change({ x: [v, this.s.x[1]] }) }),
      x1: slider({ label: 'x₂', min: -3, max: 3, step: 0.1, value: this.s.x[1], onInput: (v) => this.change({ x: [this.s.x[0], v] }) }),
      seed: slider({ label: 'Weights seed', min: 1, max: 50, value: this.s.seed, onInput: (v) => this.change({ seed: v }) }),
      eps: select({ label: 'ε (finite differences)', options: [['0.0001', '1e-4'], ['0.001', '1e-3'], ['0.01', '1e-2'], ['0.1', '1e-1']], value: String(this.s.eps), onChange: (v) => this.change({ eps: Number(v) }) }),
    };
    this.mats = el('div');
    this.check = result('Largest |J_H·J_G − J_F|:');
    this.checkFd = result('Largest |J_F − finite differences| (differences of the core\'s outputs, taken in the page):');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.mats, this.check.root, this.checkFd.root);
  }

  // Jacobian (m x n) of `net` at x: one vjp over a batch of m copies of x with gradOutput = I.
  jacobian(net, x, n, m) {
    const xs = new Float32Array(m * n);
    const eye = new Float32Array(m * m);
    for (let i = 0; i < m; i++) { xs.set(x, i * n); eye[i * m + i] = 1; }
    return net.vjp(xs, m, eye).gradInput;
  }

  update() {
    const { cl } = this;
    const x = Float32Array.from(this.s.x);
    const G = cl.sequential([{ type: 'dense', out: 3 }, { type: 'tanh' }], { inputShape: [2], seed: this.s.seed });
    const H = cl.sequential([{ type: 'dense', out: 2 }, { type: 'sigmoid' }], { inputShape: [3], seed: this.s.seed + 1 });
    const F = cl.sequential([{ type: 'dense', out: 3 }, { type: 'tanh' }, { type: 'dense', out: 2 }, { type: 'sigmoid' }], { inputShape: [2] });
    const P = cl.sequential([{ type: 'dense', out: 2 }], { inputShape: [3] });
    try {
      const [gw, gb] = G.parameters();
      const [hw, hb] = H.parameters();
      F.setParameters([{ ...gw, name: '0.weight' }, { ...gb, name: '0.bias' }, { ...hw, name: '2.weight' }, { ...hb, name: '2.bias' }]);
      const z = G.forward(x, 1);
      const y = F.forward(x, 1);
      const JG = this.jacobian(G, x, 2, 3); // (3, 2)
      const JH = this.jacobian(H, z, 3, 2); // (2, 3)
      const JF = this.jacobian(F, x, 2, 2); // (2, 2)
      // Columns of J_G as a batch of 2 vectors in R^3, through the linear map J_H.
      const cols = new Float32Array(6);
      for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) cols[j * 3 + k] = JG[k * 2 + j];
      P.setParameters([{ name: '0.weight', shape: [2, 3], data: JH }, { name: '0.bias', shape: [2], data: new Float32Array(2) }]);
      const prodT = P.forward(cols, 2); // row j = J_H (column j of J_G)
      const prod = Float32Array.from([prodT[0], prodT[2], prodT[1], prodT[3]]);
      // Central differences of F, column j from F(x + eps e_j) and F(x - eps e_j).
      const e = this.s.eps;
      const shifted = Float32Array.from([x[0] + e, x[1], x[0] - e, x[1], x[0], x[1] + e, x[0], x[1] - e]);
      const Fy = F.forward(shifted, 4);
      const fd = new Float32Array(4);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) fd[i * 2 + j] = (Fy[4 * j + i] - Fy[4 * j + 2 + i]) / (2 * e);
      this.mats.replaceChildren(
        el('p', { class: 'note', text: `z = G(x) = (${Array.from(z, (v) => fmt(v)).join(', ')}),  F(x) = H(z) = (${Array.from(y, (v) => fmt(v)).join(', ')})` }),
        row(
          matrixTable(JH, 2, 3, { caption: 'J_H at z (2×3)' }),
          el('span', { text: '·', style: 'align-self:center;font-size:1.4rem' }),
          matrixTable(JG, 3, 2, { caption: 'J_G at x (3×2)' }),
          el('span', { text: '=', style: 'align-self:center;font-size:1.4rem' }),
          matrixTable(prod, 2, 2, { caption: 'J_H·J_G' }),
        ),
        row(matrixTable(JF, 2, 2, { caption: 'J_F of H∘G (vjp)' }), matrixTable(fd, 2, 2, { caption: `finite differences, ε=${e}` })),
      );
      let d1 = 0; let d2 = 0;
      for (let k = 0; k < 4; k++) { d1 = Math.max(d1, Math.abs(prod[k] - JF[k])); d2 = Math.max(d2, Math.abs(JF[k] - fd[k])); }
      this.check.set(fmt(d1), { prod: Array.from(prod), jf: Array.from(JF), diff: d1 });
      this.checkFd.set(fmt(d2), { fd: Array.from(fd), diff: d2 });
    } finally {
      G.dispose(); H.dispose(); F.dispose(); P.dispose();
    }
  }

  sync() {
    this.ui.x0.set(this.s.x[0]); this.ui.x1.set(this.s.x[1]); this.ui.seed.set(this.s.seed); this.ui.eps.set(String(this.s.eps));
  }
}
