// pooling-shift: lesson 11 (eqs. 2.17-2.18). Pools an MNIST digit (or a drawing) with the
// core's cl.maxPool2d or cl.avgPool2d, shifts the input by (dx, dy) pixels, pools again, and
// marks the pooled outputs that did not change. The page shifts pixels and compares outputs;
// every pooled value is the core's.
// Settings: { mode: 'max' | 'avg', kernel: 1-7 (2), stride: 1-7 (2), dx, dy: shift -4..4, digit: 0-9 or -1 = drawing, drawing: as conv2d-explorer }.

import { el, select, slider, result } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, heatmap, onResize } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';
import { SIZE, checkDrawing, drawPad, encodeBits, sourceImage, sourceSelect } from '../../lib/drawpad.js';

export default class PoolingShift extends Widget {
  static defaults = { mode: 'max', kernel: 2, stride: 2, dx: 1, dy: 0, digit: 0, drawing: '' };

  static validate(s) {
    return validateWith(s, PoolingShift.defaults, {
      mode: (v, n) => oneOf(v, n, ['max', 'avg']),
      kernel: (v, n) => int(v, n, { min: 1, max: 7 }),
      stride: (v, n) => int(v, n, { min: 1, max: 7 }),
      dx: (v, n) => int(v, n, { min: -4, max: 4 }),
      dy: (v, n) => int(v, n, { min: -4, max: 4 }),
      digit: (v, n) => int(v, n, { min: -1, max: 9 }),
      drawing: (v, n) => checkDrawing(v, n),
    });
  }

  build(root) {
    const num = (k) => (v) => this.change({ [k]: Number(v) });
    this.ui = {
      digit: sourceSelect(this.s.digit, (v) => { this.pad.show(v < 0); this.change({ digit: v }); }),
      mode: select({ label: 'Pooling', options: [['max', 'max'], ['avg', 'average']], value: this.s.mode, onChange: (v) => this.change({ mode: v }) }),
      kernel: slider({ label: 'Window r', min: 1, max: 7, value: this.s.kernel, onInput: num('kernel') }),
      stride: slider({ label: 'Stride', min: 1, max: 7, value: this.s.stride, onInput: num('stride') }),
      dx: slider({ label: 'Shift right dx', min: -4, max: 4, value: this.s.dx, onInput: num('dx') }),
      dy: slider({ label: 'Shift down dy', min: -4, max: 4, value: this.s.dy, onInput: num('dy') }),
    };
    this.pad = drawPad(sourceImage(-1, this.s.drawing), (img) => { this.ui.digit.set('-1'); this.change({ drawing: encodeBits(img), digit: -1 }); });
    this.pad.show(this.s.digit < 0);
    this.figs = { x: canvas('Shifted input image', 1), a: canvas('Pooled original', 1), b: canvas('Pooled shifted input; outlined cells changed', 1) };
    this.same = result('Unchanged outputs:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 110px;max-width:220px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.pad.root,
      row(fig(this.figs.x, 'shifted input'), fig(this.figs.a, 'pooled, original'), fig(this.figs.b, 'pooled, shifted (orange: changed)')), this.same.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { dx, dy, kernel, stride } = this.s;
    const x = sourceImage(this.s.digit, this.s.drawing);
    const xs = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < SIZE; i++) {
      for (let j = 0; j < SIZE; j++) {
        const si = i - dy; const sj = j - dx;
        if (si >= 0 && si < SIZE && sj >= 0 && sj < SIZE) xs[i * SIZE + j] = x[si * SIZE + sj];
      }
    }
    const pool = (img) => (this.s.mode === 'max' ? this.cl.maxPool2d(img, [1, 1, SIZE, SIZE], { kernel, stride }) : this.cl.avgPool2d(img, [1, 1, SIZE, SIZE], { kernel, stride }));
    const a = pool(x); const b = pool(xs);
    const changed = new Set();
    let nonzero = 0; let sameNonzero = 0;
    a.data.forEach((v, k) => {
      if (v !== b.data[k]) changed.add(k);
      if (v !== 0 || b.data[k] !== 0) { nonzero += 1; if (v === b.data[k]) sameNonzero += 1; }
    });
    const total = a.data.length;
    this.v = { xs, a, b, changed };
    this.same.set(`${total - changed.size} of ${total} (${sameNonzero} of the ${nonzero} outputs touching the digit); output ${a.shape[2]}×${a.shape[3]}`,
      { unchanged: total - changed.size, total, sameNonzero, nonzero, pooled: Array.from(b.data) });
    this.draw();
  }

  draw() {
    const v = this.v;
    if (!v) return;
    const [, , ho, wo] = v.a.shape;
    heatmap(this.figs.x, v.xs, SIZE, SIZE, { gray: true, scale: 1, maxWidth: 220, grid: false });
    heatmap(this.figs.a, v.a.data, ho, wo, { gray: true, scale: 1, maxWidth: 220 });
    heatmap(this.figs.b, v.b.data, ho, wo, { gray: true, scale: 1, maxWidth: 220, marks: v.changed });
  }

  sync() {
    for (const k of ['kernel', 'stride', 'dx', 'dy']) this.ui[k].set(this.s[k]);
    this.ui.mode.set(this.s.mode); this.ui.digit.set(String(this.s.digit));
    this.pad.set(sourceImage(-1, this.s.drawing)); this.pad.show(this.s.digit < 0);
  }
}
