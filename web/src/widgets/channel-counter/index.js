// channel-counter: lesson 12 (eqs. 2.19-2.21). Builds one conv2d layer (cin -> cout channels,
// k x k kernels) with cl.sequential and reads its weight and bias counts from parameters() and
// its output shape from net.outputShape; multiply-adds = weights x output positions. Presets
// reproduce AlexNet's 384 -> 384 3x3 layer, the notes' 13x13x384 -> 4096 dense layer, and VGG's
// three 3x3 layers against one 7x7. Layers too large to allocate in a browser (the dense one
// has 265 M weights, about 1 GB) are built with cout divided by a power of two and the count
// scaled back, which the page says. A small multi-channel convolution on a digit shows
// eq. 2.20 at work (net.forward with seeded weights).
// Settings: { cin, cout, kernel, size: from the lists below (CINS, COUTS, KS, SIZES), padding: 'same' | 'valid', preset: 'custom' | 'alexnet-conv' | 'alexnet-fc' | 'vgg', demoSeed: 1-20 }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { canvas, heatmap } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';
import { digit } from '../../lib/digits.js';

const PRESETS = {
  custom: null,
  'alexnet-conv': { cin: 384, cout: 384, kernel: 3, size: 13, padding: 'same', dense: false },
  'alexnet-fc': { cin: 384, cout: 4096, kernel: 13, size: 13, padding: 'valid', dense: true },
  vgg: { cin: 64, cout: 64, kernel: 3, size: 56, padding: 'same', dense: false },
};
const MAX_WEIGHTS = 8e6;
const CINS = [1, 3, 16, 32, 64, 128, 192, 256, 384, 512];
const COUTS = [1, 6, 16, 32, 64, 128, 256, 384, 512, 4096];
const KS = [1, 3, 5, 7, 11, 13];
const SIZES = [13, 28, 32, 56, 224];

export default class ChannelCounter {
  static defaults = { cin: 3, cout: 16, kernel: 3, size: 32, padding: 'same', preset: 'custom', demoSeed: 1 };

  static validate(s) {
    return validateWith(s, ChannelCounter.defaults, {
      cin: (v, n) => oneOf(v, n, CINS),
      cout: (v, n) => oneOf(v, n, COUTS),
      kernel: (v, n) => oneOf(v, n, KS),
      size: (v, n) => oneOf(v, n, SIZES),
      padding: (v, n) => oneOf(v, n, ['same', 'valid']),
      preset: (v, n) => oneOf(v, n, Object.keys(PRESETS)),
      demoSeed: (v, n) => int(v, n, { min: 1, max: 20 }),
    });
  }

  constructor(root, settings, ctx) {
    this.cl = ctx.cl;
    this.s = { ...settings };
    const changed = (k) => (v) => { this.s[k] = k === 'padding' || k === 'preset' ? v : Number(v); if (k !== 'preset') this.s.preset = 'custom'; else this.applyPreset(); this.sync(); this.update(); ctx.onChange(this.getState()); };
    const opts = (l) => l.map((v) => [String(v), String(v)]);
    this.ui = {
      preset: select({ label: 'Preset', options: [['custom', 'custom'], ['alexnet-conv', 'AlexNet 384→384, 3×3'], ['alexnet-fc', 'notes: 13×13×384 → 4096 dense'], ['vgg', 'VGG: 3×(3×3) vs 7×7']], value: this.s.preset, onChange: changed('preset') }),
      cin: select({ label: 'In channels d', options: opts(CINS), value: String(this.s.cin), onChange: changed('cin') }),
      cout: select({ label: 'Out channels k', options: opts(COUTS), value: String(this.s.cout), onChange: changed('cout') }),
      kernel: select({ label: 'Window r×r', options: KS.map((v) => [String(v), `${v}×${v}`]), value: String(this.s.kernel), onChange: changed('kernel') }),
      size: select({ label: 'Image size', options: opts(SIZES), value: String(this.s.size), onChange: changed('size') }),
      padding: select({ label: 'Padding', options: [['same', 'same'], ['valid', 'valid']], value: this.s.padding, onChange: changed('padding') }),
    };
    this.counts = el('div');
    this.demoK = 3;
    this.demo = el('div');
    this.demoOut = result('Output channel 0 at the centre pixel (14, 14):');
    this.demoSlider = slider({ label: 'Demo weights seed', min: 1, max: 20, value: this.s.demoSeed, onInput: (v) => { this.s.demoSeed = v; this.runDemo(); ctx.onChange(this.getState()); } });
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.counts,
      el('h4', { text: 'A multi-channel convolution (eq. 2.20) on a digit: 3 input channels → 4 output channels' }),
      this.demoSlider.root, this.demo, this.demoOut.root);
    this.update();
    this.runDemo();
  }

  applyPreset() {
    const p = PRESETS[this.s.preset];
    if (p) Object.assign(this.s, { cin: p.cin, cout: p.cout, kernel: p.kernel, size: p.size, padding: p.padding });
  }

  sync() {
    for (const k of Object.keys(this.ui)) this.ui[k].set(String(this.s[k]));
  }

  // Weights, biases and output shape of one layer, read from a cl.sequential; `scale` > 1 when
  // the layer was built with cout / scale channels to fit in memory.
  count(layer, inputShape) {
    // Memory guard only (the shown counts come from parameters()): halve the outputs until
    // the weight tensor is small enough to allocate.
    const fanIn = layer.type === 'dense' ? inputShape.reduce((a, b) => a * b, 1) : inputShape[0] * layer.kernel ** 2;
    let scale = 1;
    while (fanIn * (layer.out / scale) > MAX_WEIGHTS && (layer.out / scale) % 2 === 0) scale *= 2;
    const spec = { ...layer, out: layer.out / scale };
    const net = this.cl.sequential(layer.type === 'dense' ? [{ type: 'flatten' }, spec] : [spec], { inputShape, seed: 1 });
    try {
      const ps = net.parameters();
      const w = ps.filter((p) => p.name.endsWith('weight')).reduce((a, p) => a + p.data.length, 0) * scale;
      const b = ps.filter((p) => p.name.endsWith('bias')).reduce((a, p) => a + p.data.length, 0) * scale;
      const out = net.outputShape;
      const positions = out.length === 3 ? out[1] * out[2] : 1;
      return { w, b, out: layer.type === 'dense' ? [out[0] * scale] : [out[0] * scale, ...out.slice(1)], macs: w * positions, scale };
    } finally {
      net.dispose();
    }
  }

  update() {
    const { cin, cout, kernel, size, padding, preset } = this.s;
    const lines = [];
    try {
      const pad = padding === 'same' ? Math.floor(kernel / 2) : 0;
      const layer = preset === 'alexnet-fc' ? { type: 'dense', out: cout } : { type: 'conv2d', out: cout, kernel, padding: pad };
      const c = this.count(layer, [cin, size, size]);
      lines.push(['weights (eq. 2.21: #r·#u·window)', c.w], ['biases', c.b], ['parameters', c.w + c.b], ['output shape', c.out.join('×')], ['multiply-adds', c.macs]);
      if (c.scale > 1) lines.push(['note', `too large to allocate here: built with ${cout / c.scale} outputs and scaled by ${c.scale}`]);
      if (preset === 'vgg') {
        const three = this.countStack(cin, size);
        lines.push(['3 × (3×3) weights', three.w], ['per C²', three.w / (cin * cin)]);
        const seven = this.count({ type: 'conv2d', out: cin, kernel: 7, padding: 3 }, [cin, size, size]);
        lines.push(['1 × (7×7) weights', seven.w], ['per C²', seven.w / (cin * cin)]);
      }
      this.result = Object.fromEntries(lines);
    } catch (err) {
      lines.push(['error', err.message]);
    }
    this.counts.replaceChildren(...lines.map(([k, v]) => {
      const r = result(`${k}:`);
      r.set(typeof v === 'number' ? `${v.toLocaleString('en-US')}${v >= 1e6 ? ` (${fmt(v / 1e6, 4)} M)` : ''}` : v, v);
      return r.root;
    }));
  }

  countStack(c, size) {
    const layers = [0, 1, 2].flatMap(() => [{ type: 'conv2d', out: c, kernel: 3, padding: 1 }, { type: 'relu' }]);
    const net = this.cl.sequential(layers, { inputShape: [c, size, size], seed: 1 });
    try {
      return { w: net.parameters().filter((p) => p.name.endsWith('weight')).reduce((a, p) => a + p.data.length, 0) };
    } finally {
      net.dispose();
    }
  }

  runDemo() {
    const k = 3;
    const seed = this.s.demoSeed;
    const d = digit(3);
    const x = new Float32Array(3 * 784);
    for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
      x[i * 28 + j] = d[i * 28 + j];                   // channel 0: the digit
      x[784 + i * 28 + j] = d[j * 28 + i];             // channel 1: transposed
      x[1568 + i * 28 + j] = 1 - d[i * 28 + j];        // channel 2: inverted
    }
    const net = this.cl.sequential([{ type: 'conv2d', out: 4, kernel: k, padding: 1 }], { inputShape: [3, 28, 28], seed });
    try {
      const y = net.forward(x, 1);
      this.demoOut.set(fmt(y[14 * 28 + 14]), { y: Array.from(y.subarray(0, 784)) });
      const maps = (data, n, label) => Array.from({ length: n }, (_, c) => {
        const cv = canvas(`${label} ${c}`, 1);
        cv.style.maxWidth = '84px';
        setTimeout(() => heatmap(cv, data.subarray(c * 784, (c + 1) * 784), 28, 28, { gray: label === 'input channel', scale: label === 'input channel' ? 1 : 0, maxWidth: 84, grid: false }));
        return el('figure', { style: 'margin:0;width:84px' }, cv, el('figcaption', { text: `${label} ${c}`, style: 'font-size:.75rem' }));
      });
      this.demo.replaceChildren(row(...maps(x, 3, 'input channel')), row(...maps(y, 4, 'output channel')),
        el('p', { class: 'note', text: `Each output channel sums 3×3 windows over all 3 input channels: ${net.parameters()[0].shape.join('×')} weights (KCRS).` }));
    } finally {
      net.dispose();
    }
  }

  getState() {
    return { ...this.s };
  }

  setState(s) {
    this.s = ChannelCounter.validate(s);
    this.sync();
    this.demoSlider.set(this.s.demoSeed);
    this.update();
    this.runDemo();
  }
}
