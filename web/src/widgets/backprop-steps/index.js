// backprop-steps: lesson 2. A tiny network (dense 2->3, sigmoid, dense 3->2, softmax
// cross-entropy) stepped through one forward and one backward pass, a layer at a time. All
// numbers come from one core call, net.backward: the activations from net.layerOutput(i), the
// loss from its return value, and the weight and bias gradients from net.gradients(). The bias
// gradient of a dense layer is exactly the error signal delta arriving at it, and the weight
// gradient its outer product with the layer's input, which the text of the lesson explains.
// Settings: { x: [x1, x2] in [-3, 3], label: target class 0 | 1, seed: weights seed, step: 0-6 (forward 0-3, loss 4, backward 5-6) }.

import { el, fmt, button, select, slider, result } from '../../lib/dom.js';
import { int, numArray, validateWith } from '../../lib/validate.js';
import { matrixTable, row } from '../../lib/table.js';

export default class BackpropSteps {
  static defaults = { x: [1.0, -0.5], label: 1, seed: 2, step: 0 };

  static validate(s) {
    return validateWith(s, BackpropSteps.defaults, {
      x: (v, n) => numArray(v, n, { minLength: 2, maxLength: 2, min: -3, max: 3 }),
      label: (v, n) => int(v, n, { min: 0, max: 1 }),
      seed: (v, n) => int(v, n, { min: 1, max: 1000 }),
      step: (v, n) => int(v, n, { min: 0, max: 6 }),
    });
  }

  constructor(root, settings, ctx) {
    this.cl = ctx.cl;
    this.ctx = ctx;
    this.s = { ...settings, x: [...settings.x] };
    const changed = () => { this.compute(); this.show(); ctx.onChange(this.getState()); };
    this.ui = {
      x0: slider({ label: 'x₁', min: -3, max: 3, step: 0.1, value: this.s.x[0], onInput: (v) => { this.s.x[0] = v; changed(); } }),
      x1: slider({ label: 'x₂', min: -3, max: 3, step: 0.1, value: this.s.x[1], onInput: (v) => { this.s.x[1] = v; changed(); } }),
      label: select({ label: 'Target class', options: [['0', '0'], ['1', '1']], value: String(this.s.label), onChange: (v) => { this.s.label = Number(v); changed(); } }),
      seed: slider({ label: 'Weights seed', min: 1, max: 50, value: this.s.seed, onInput: (v) => { this.s.seed = v; changed(); } }),
    };
    const go = (d) => { this.s.step = Math.max(0, Math.min(6, this.s.step + d)); this.show(); ctx.onChange(this.getState()); };
    this.stepLabel = el('output', { 'aria-live': 'polite' });
    this.stages = el('ol', { style: 'padding-left:1.4rem' });
    this.lossOut = result('Loss:');
    root.append(
      el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('div', { class: 'controls' }, button({ label: '◀ Back', onClick: () => go(-1) }), button({ label: 'Next step ▶', onClick: () => go(1) }),
        button({ label: 'Reset', onClick: () => go(-6) }), this.stepLabel),
      this.stages, this.lossOut.root,
    );
    this.compute();
    this.show();
  }

  compute() {
    const net = this.cl.sequential([{ type: 'dense', out: 3 }, { type: 'sigmoid' }, { type: 'dense', out: 2 }], { inputShape: [2], seed: this.s.seed });
    try {
      const x = Float32Array.from(this.s.x);
      const { loss } = net.backward(x, Int32Array.of(this.s.label), 1);
      const p = net.parameters(); const g = net.gradients();
      this.v = {
        x, loss, W1: p[0].data, b1: p[1].data, W2: p[2].data, b2: p[3].data,
        z1: net.layerOutput(0), a1: net.layerOutput(1), z2: net.layerOutput(2),
        gW1: g[0].data, gb1: g[1].data, gW2: g[2].data, gb2: g[3].data,
      };
    } finally {
      net.dispose();
    }
  }

  show() {
    const v = this.v;
    const col = (a, caption) => matrixTable(a, a.length, 1, { caption });
    const stages = [
      ['Input', 'The forward pass starts from the input x and the current weights.',
        row(col(v.x, 'x'), matrixTable(v.W1, 3, 2, { caption: 'W₁ (3×2)' }), col(v.b1, 'b₁'), matrixTable(v.W2, 2, 3, { caption: 'W₂ (2×3)' }), col(v.b2, 'b₂'))],
      ['Layer 0, dense', 'z₁ = W₁x + b₁, stored for the backward pass.', row(col(v.z1, 'z₁'))],
      ['Layer 1, sigmoid', 'a₁ = σ(z₁), element by element; also stored.', row(col(v.a1, 'a₁'))],
      ['Layer 2, dense', 'z₂ = W₂a₁ + b₂: the two class scores (logits).', row(col(v.z2, 'z₂'))],
      ['Loss', `Softmax cross-entropy against class ${this.s.label}: R = ${fmt(v.loss)}. The backward pass starts here.`, null],
      ['Backward through layer 2', 'The bias gradient is the error signal δ₂ = ∂R/∂z₂ (softmax minus one-hot); the weight gradient is δ₂a₁ᵀ.',
        row(col(v.gb2, '∂R/∂b₂ = δ₂'), matrixTable(v.gW2, 2, 3, { caption: '∂R/∂W₂ = δ₂a₁ᵀ' }))],
      ['Backward through layers 1 and 0', 'δ₁ = σ′(z₁) ⊙ (W₂ᵀδ₂) arrives at the first dense layer; again bias gradient = δ₁, weight gradient = δ₁xᵀ.',
        row(col(v.gb1, '∂R/∂b₁ = δ₁'), matrixTable(v.gW1, 3, 2, { caption: '∂R/∂W₁ = δ₁xᵀ' }))],
    ];
    this.stages.replaceChildren(...stages.slice(0, this.s.step + 1).map(([title, text, body], i) =>
      el('li', { style: i === this.s.step ? 'background:#eef4ff;border-radius:4px;padding:.2rem' : 'padding:.2rem' },
        el('strong', { text: title }), ' ', el('span', { text }), body)));
    this.stepLabel.textContent = `Step ${this.s.step} of 6${this.s.step < 4 ? ' (forward)' : this.s.step === 4 ? ' (loss)' : ' (backward)'}`;
    this.lossOut.set(this.s.step >= 4 ? fmt(v.loss) : '(computed at step 4)', { loss: v.loss, gradW1: Array.from(v.gW1), gradb1: Array.from(v.gb1) });
  }

  getState() {
    return { ...this.s, x: [...this.s.x] };
  }

  setState(s) {
    this.s = BackpropSteps.validate(s);
    this.ui.x0.set(this.s.x[0]); this.ui.x1.set(this.s.x[1]); this.ui.label.set(String(this.s.label)); this.ui.seed.set(this.s.seed);
    this.compute();
    this.show();
  }
}
