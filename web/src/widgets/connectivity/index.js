// connectivity: lesson 7 (figure 4 of the notes, eqs. 2.12-2.13). Draws the units of a layer's
// input (bottom) and output (top) and one line per non-zero weight. In "conv" mode the weights
// are the entries of the core's cl.toeplitz(h, n), coloured by which kernel weight they are
// (one colour per diagonal: weight sharing); in "dense" mode they are a dense layer's weights
// from cl.sequential's initialisation. Counts come from those arrays.
// Settings: { n: inputs 2-16 (8), h: kernel, 1-6 numbers ([1, -2, 1]), mode: 'conv' | 'dense', focus: output index to highlight, -1 = none }.

import { el, fmt, numberList, select, slider, result } from '../../lib/dom.js';
import { int, numArray, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, onResize, COLORS } from '../../lib/canvas-plot.js';

export default class Connectivity extends Widget {
  static defaults = { n: 8, h: [1, -2, 1], mode: 'conv', focus: -1 };

  static validate(s) {
    const out = validateWith(s, Connectivity.defaults, {
      n: (v, k) => int(v, k, { min: 2, max: 16 }),
      h: (v, k) => numArray(v, k, { minLength: 1, maxLength: 6, min: -100, max: 100 }),
      mode: (v, k) => oneOf(v, k, ['conv', 'dense']),
      focus: (v, k) => int(v, k, { min: -1, max: 30 }),
    });
    if (out.focus > out.n + out.h.length - 2) throw new Error(`"focus" must be at most ${out.n + out.h.length - 2} (an output index)`);
    return out;
  }

  build(root) {
    this.ui = {
      mode: select({ label: 'Layer', options: [['conv', 'convolution (sparse, shared)'], ['dense', 'fully connected (dense)']], value: this.s.mode, onChange: (v) => this.change({ mode: v }) }),
      n: slider({ label: 'Inputs n', min: 2, max: 16, value: this.s.n, onInput: (v) => this.change({ n: v, focus: -1 }) }),
      h: numberList({ label: 'Kernel h', value: this.s.h, check: (l) => numArray(l, 'h', { minLength: 1, maxLength: 6, min: -100, max: 100 }), onChange: (l) => this.change({ h: l, focus: -1 }) }),
      focus: slider({ label: 'Highlight output (−1 = none)', min: -1, max: this.s.n + this.s.h.length - 2, value: this.s.focus, onInput: (v) => this.change({ focus: v }) }),
    };
    this.fig = canvas('Connections between input units (bottom) and output units (top)', 0.5);
    this.count = result('Connections / free parameters:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.fig, this.count.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { n, h, mode } = this.s;
    const rows = n + h.length - 1;
    this.ui.focus.set(this.s.focus, { max: rows - 1 });
    if (mode === 'conv') {
      const T = this.cl.toeplitz(Float32Array.from(h), n);
      this.W = { rows: T.rows, cols: T.cols, data: T.data };
      this.free = h.length;
    } else {
      const net = this.cl.sequential([{ type: 'dense', out: rows }], { inputShape: [n], seed: 1 });
      try {
        const w = net.parameters()[0];
        this.W = { rows: w.shape[0], cols: w.shape[1], data: w.data };
        this.free = w.data.length;
      } finally {
        net.dispose();
      }
    }
    let nz = 0;
    for (const v of this.W.data) if (v !== 0) nz += 1;
    this.count.set(`${nz} connections, ${this.free} free weights (matrix ${this.W.rows}×${this.W.cols} = ${this.W.rows * this.W.cols} entries)`,
      { connections: nz, free: this.free, rows: this.W.rows, cols: this.W.cols });
    this.draw();
  }

  draw() {
    const c = this.fig;
    const w = Math.max(200, Math.min(640, c.clientWidth || 340));
    const hgt = Math.round(w * 0.5);
    const dpr = globalThis.devicePixelRatio || 1;
    c.width = w * dpr; c.height = hgt * dpr;
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    const { rows, cols, data } = this.W;
    const xOut = (i) => 12 + ((w - 24) * (i + 0.5)) / rows;
    const xIn = (j) => 12 + ((w - 24) * (j + 0.5 + (rows - cols) / 2)) / rows;
    const yOut = 22; const yIn = hgt - 22;
    let scale = 0;
    for (const v of data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j];
        if (v === 0) continue;
        const dim = this.s.focus >= 0 && this.s.focus !== i;
        // Conv: colour by diagonal i - j, i.e. by kernel weight h_{i-j+1}; dense: by sign.
        g.strokeStyle = this.s.mode === 'conv' ? COLORS[(i - j) % COLORS.length] : v > 0 ? '#d9480f' : '#1f5fbf';
        g.globalAlpha = dim ? 0.08 : 0.35 + 0.65 * Math.abs(v / (scale || 1));
        g.lineWidth = this.s.focus === i ? 2.5 : 1.3;
        g.beginPath(); g.moveTo(xIn(j), yIn); g.lineTo(xOut(i), yOut); g.stroke();
      }
    }
    g.globalAlpha = 1;
    g.font = '11px system-ui, sans-serif'; g.textAlign = 'center'; g.fillStyle = '#333';
    for (let i = 0; i < rows; i++) { g.beginPath(); g.arc(xOut(i), yOut, 5, 0, 2 * Math.PI); g.fill(); }
    for (let j = 0; j < cols; j++) { g.beginPath(); g.arc(xIn(j), yIn, 5, 0, 2 * Math.PI); g.fill(); }
    g.fillText(`outputs (${rows})`, w / 2, 10); g.fillText(`inputs f (${cols})`, w / 2, hgt - 4);
    if (this.s.mode === 'conv') {
      g.textAlign = 'left';
      this.s.h.forEach((v, k) => {
        const text = `h${k + 1}=${fmt(v, 3)}`;
        const x = 4 + 56 * k;
        g.fillStyle = 'rgba(255,255,255,0.9)'; g.fillRect(x - 2, hgt / 2 - 10, g.measureText(text).width + 4, 14);
        g.fillStyle = COLORS[k % COLORS.length]; g.fillText(text, x, hgt / 2);
      });
    }
  }

  sync() {
    this.ui.mode.set(this.s.mode); this.ui.n.set(this.s.n); this.ui.h.set(this.s.h);
  }
}
