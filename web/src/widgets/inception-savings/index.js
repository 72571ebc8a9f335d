// inception-savings: lesson 14 (eq. 2.22). Compares an r x r convolution cin -> cout with the
// same convolution preceded by a 1x1 reduction cin -> m (+ ReLU), both built with
// cl.sequential: weights and biases from parameters(), multiply-adds = each conv layer's
// weights x its output positions (net.layers). Then checks remark 1: a 1x1 cl.conv2d equals a
// dense layer (cl.sequential) applied to every pixel's channel vector.
// Settings: { cin (256), reduce: 1x1 output channels m (16), cout (32), kernel: 3 | 5 | 7 (5), size: image side (28) }, from the lists below.

import { el, fmt, select, result } from '../../lib/dom.js';
import { formatCount } from '../../lib/format.js';
import { oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { rng, uniformArray } from '../../lib/random.js';

const CINS = [64, 128, 192, 256, 480, 512, 832];
const REDUCES = [8, 16, 24, 32, 48, 64, 96, 128];
const COUTS = [16, 32, 64, 128, 192, 256];
const SIZES = [7, 14, 28, 56];

export default class InceptionSavings extends Widget {
  static defaults = { cin: 256, reduce: 16, cout: 32, kernel: 5, size: 28 };

  static validate(s) {
    const out = validateWith(s, InceptionSavings.defaults, {
      cin: (v, n) => oneOf(v, n, CINS),
      reduce: (v, n) => oneOf(v, n, REDUCES),
      cout: (v, n) => oneOf(v, n, COUTS),
      kernel: (v, n) => oneOf(v, n, [3, 5, 7]),
      size: (v, n) => oneOf(v, n, SIZES),
    });
    return out;
  }

  build(root) {
    const opts = (l) => l.map((v) => [String(v), String(v)]);
    const changed = (k) => (v) => this.change({ [k]: Number(v) });
    this.ui = {
      cin: select({ label: 'Input channels k', options: opts(CINS), value: String(this.s.cin), onChange: changed('cin') }),
      reduce: select({ label: '1×1 reduces to m', options: opts(REDUCES), value: String(this.s.reduce), onChange: changed('reduce') }),
      cout: select({ label: 'Output channels', options: opts(COUTS), value: String(this.s.cout), onChange: changed('cout') }),
      kernel: select({ label: 'Kernel r×r', options: [3, 5, 7].map((v) => [String(v), `${v}×${v}`]), value: String(this.s.kernel), onChange: changed('kernel') }),
      size: select({ label: 'Image size', options: opts(SIZES), value: String(this.s.size), onChange: changed('size') }),
    };
    this.table = el('div', { style: 'overflow-x:auto' });
    this.ratio = result('Savings (weights / multiply-adds):');
    this.check = result('1×1 conv2d vs dense per pixel, largest difference:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.table, this.ratio.root, this.check.root);
    this.checkOneByOne();   // fixed sizes: once
  }

  // { weights, params, macs } of a conv network, from parameters() and net.layers.
  cost(layers) {
    const { cin, size } = this.s;
    const net = this.cl.sequential(layers, { inputShape: [cin, size, size], seed: 1 });
    try {
      const shapes = net.layers;
      let weights = 0; let params = 0; let macs = 0;
      for (const p of net.parameters()) {
        params += p.data.length;
        if (!p.name.endsWith('weight')) continue;
        weights += p.data.length;
        const [, h, w] = shapes[Number(p.name.split('.')[0])].outputShape;
        macs += p.data.length * h * w;
      }
      return { weights, params, macs };
    } finally {
      net.dispose();
    }
  }

  update() {
    const { reduce, cout, kernel } = this.s;
    const pad = Math.floor(kernel / 2);
    const direct = this.cost([{ type: 'conv2d', out: cout, kernel, padding: pad }]);
    const reduced = this.cost([{ type: 'conv2d', out: reduce, kernel: 1 }, { type: 'relu' }, { type: 'conv2d', out: cout, kernel, padding: pad }]);
    const n = formatCount;
    const head = el('tr', {}, el('th', { text: '' }), el('th', { text: `${kernel}×${kernel} directly` }), el('th', { text: `1×1 to ${reduce}, then ${kernel}×${kernel}` }));
    const line = (label, key) => el('tr', {}, el('td', { text: label }), el('td', { text: n(direct[key]) }), el('td', { text: n(reduced[key]) }));
    const t = el('table', { style: 'font-size:.85rem;font-variant-numeric:tabular-nums' }, el('thead', {}, head),
      el('tbody', {}, line('weights', 'weights'), line('parameters', 'params'), line('multiply-adds', 'macs')));
    t.dataset.result = JSON.stringify({ direct, reduced });
    this.table.replaceChildren(t);
    this.ratio.set(`${fmt(direct.weights / reduced.weights, 4)}× fewer weights, ${fmt(direct.macs / reduced.macs, 4)}× fewer multiply-adds`, { direct, reduced });
  }

  // Remark 1 of eq. 2.22: x is (1, k, 5, 5) with k = 4; W is (m = 3, k).
  checkOneByOne() {
    const r = rng(9);
    const k = 4; const m = 3; const hw = 25;
    const x = uniformArray(r, k * hw);
    const W = uniformArray(r, m * k);
    const conv = this.cl.conv2d(x, [1, k, 5, 5], W, [m, k, 1, 1]).data; // (1, m, 5, 5)
    const pixels = new Float32Array(hw * k); // row p = channel vector of pixel p
    for (let p = 0; p < hw; p++) for (let c = 0; c < k; c++) pixels[p * k + c] = x[c * hw + p];
    const net = this.cl.sequential([{ type: 'dense', out: m }], { inputShape: [k] });
    try {
      net.setParameters([{ name: '0.weight', shape: [m, k], data: W }, { name: '0.bias', shape: [m], data: new Float32Array(m) }]);
      const dense = net.forward(pixels, hw); // (25, m)
      let diff = 0;
      for (let p = 0; p < hw; p++) for (let c = 0; c < m; c++) diff = Math.max(diff, Math.abs(dense[p * m + c] - conv[c * hw + p]));
      this.check.set(`${fmt(diff)} (4 channels → 3 on a 5×5 image, 75 outputs)`, { diff });
    } finally {
      net.dispose();
    }
  }

  sync() {
    for (const k of Object.keys(this.ui)) this.ui[k].set(String(this.s[k]));
  }
}
