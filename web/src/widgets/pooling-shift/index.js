// pooling-shift: lesson 11 (eqs. 2.17-2.18, Proposition 2.1). Pools an MNIST digit (or a
// drawing), or the feature map a 3x3 edge filter makes of it, with the core's cl.maxPool2d or
// cl.avgPool2d; shifts the input by (dx, dy) pixels (within the image, or circularly), pools
// again and marks the pooled outputs that changed. Three readouts: the unchanged outputs;
// for a shift by a multiple of the stride, the pooled output compared with the original pooled
// output shifted by (dx/s, dy/s) (equivariance); and global max pooling (one window over the
// whole map), which is invariant to every shift that keeps the maximum inside (circular shifts
// always do). The page shifts pixels and compares outputs; every pooled and filtered value is
// the core's (cl.conv2d, cl.maxPool2d, cl.avgPool2d).
// Settings: { mode: 'max' | 'avg' | 'global', kernel: 1-7 (2), stride: 1-7 (2), dx, dy: shift -4..4,
//   wrap: circular shift (false), feature: pool the edge filter's map (false), digit: 0-9 or -1 = drawing, drawing }.

import { el, checkbox, select, slider, result, fmt } from '../../lib/dom.js';
import { bool, int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, heatmap, onResize } from '../../lib/canvas-plot.js';
import { row } from '../../lib/table.js';
import { SIZE, checkDrawing, drawPad, encodeBits, sourceImage, sourceSelect } from '../../lib/drawpad.js';

// A vertical-edge filter (Sobel x): its map has positive and negative values and moves with the input.
const EDGE = Float32Array.from([-1, 0, 1, -2, 0, 2, -1, 0, 1]);

function shifted(x, dx, dy, wrap) {
  const out = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < SIZE; i++) {
    for (let j = 0; j < SIZE; j++) {
      let si = i - dy; let sj = j - dx;
      if (wrap) { si = (si + SIZE) % SIZE; sj = (sj + SIZE) % SIZE; }
      if (si >= 0 && si < SIZE && sj >= 0 && sj < SIZE) out[i * SIZE + j] = x[si * SIZE + sj];
    }
  }
  return out;
}

export default class PoolingShift extends Widget {
  static defaults = { mode: 'max', kernel: 2, stride: 2, dx: 1, dy: 0, wrap: false, feature: false, digit: 0, drawing: '' };

  static validate(s) {
    return validateWith(s, PoolingShift.defaults, {
      mode: (v, n) => oneOf(v, n, ['max', 'avg', 'global']),
      kernel: (v, n) => int(v, n, { min: 1, max: 7 }),
      stride: (v, n) => int(v, n, { min: 1, max: 7 }),
      dx: (v, n) => int(v, n, { min: -4, max: 4 }),
      dy: (v, n) => int(v, n, { min: -4, max: 4 }),
      wrap: (v, n) => bool(v, n),
      feature: (v, n) => bool(v, n),
      digit: (v, n) => int(v, n, { min: -1, max: 9 }),
      drawing: (v, n) => checkDrawing(v, n),
    });
  }

  build(root) {
    const num = (k) => (v) => this.change({ [k]: Number(v) });
    this.ui = {
      digit: sourceSelect(this.s.digit, (v) => { this.pad.show(v < 0); this.change({ digit: v }); }),
      mode: select({ label: 'Pooling', options: [['max', 'max'], ['avg', 'average'], ['global', 'global max (whole map)']], value: this.s.mode, onChange: (v) => this.change({ mode: v }) }),
      kernel: slider({ label: 'Window r', min: 1, max: 7, value: this.s.kernel, onInput: num('kernel') }),
      stride: slider({ label: 'Stride', min: 1, max: 7, value: this.s.stride, onInput: num('stride') }),
      dx: slider({ label: 'Shift right dx', min: -4, max: 4, value: this.s.dx, onInput: num('dx') }),
      dy: slider({ label: 'Shift down dy', min: -4, max: 4, value: this.s.dy, onInput: num('dy') }),
      wrap: checkbox({ label: 'Circular shift', checked: this.s.wrap, onChange: (v) => this.change({ wrap: v }) }),
      feature: checkbox({ label: 'Pool an edge-filter map', checked: this.s.feature, onChange: (v) => this.change({ feature: v }) }),
    };
    this.pad = drawPad(sourceImage(-1, this.s.drawing), (img) => { this.ui.digit.set('-1'); this.change({ drawing: encodeBits(img), digit: -1 }); });
    this.pad.show(this.s.digit < 0);
    this.figs = { x: canvas('Map being pooled, after the shift', 1), a: canvas('Pooled original', 1), b: canvas('Pooled shifted input; outlined cells changed', 1) };
    this.same = result('Unchanged outputs:');
    this.equi = result('Shift by a multiple of the stride:');
    this.global = result('Global max pooling:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 110px;max-width:220px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    this.figA = fig(this.figs.a, 'pooled, original');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.pad.root,
      row(fig(this.figs.x, 'map pooled (shifted)'), this.figA, fig(this.figs.b, 'pooled, shifted (orange: changed)')),
      this.same.root, this.equi.root, this.global.root);
    onResize(root, () => this.draw());
  }

  update() {
    const { cl } = this;
    const { dx, dy, wrap, mode } = this.s;
    const global = mode === 'global';
    const kernel = global ? SIZE : this.s.kernel;
    const stride = global ? SIZE : this.s.stride;
    const shape = [1, 1, SIZE, SIZE];
    const mapOf = (img) => (this.s.feature ? cl.conv2d(img, shape, EDGE, [1, 1, 3, 3], { padding: 1 }).data : img);
    const x = sourceImage(this.s.digit, this.s.drawing);
    const ma = mapOf(x);
    const mb = mapOf(shifted(x, dx, dy, wrap));
    const pool = (img) => (mode === 'avg' ? cl.avgPool2d(img, shape, { kernel, stride }) : cl.maxPool2d(img, shape, { kernel, stride }));
    const a = pool(ma); const b = pool(mb);
    const changed = new Set();
    let nonzero = 0; let sameNonzero = 0;
    a.data.forEach((v, k) => {
      if (v !== b.data[k]) changed.add(k);
      if (v !== 0 || b.data[k] !== 0) { nonzero += 1; if (v === b.data[k]) sameNonzero += 1; }
    });
    const total = a.data.length;
    const [, , ho, wo] = a.shape;
    this.v = { mb, a, b, changed };
    this.same.set(`${total - changed.size} of ${total} (${sameNonzero} of the ${nonzero} non-zero outputs); output ${ho}×${wo}`,
      { unchanged: total - changed.size, total, sameNonzero, nonzero, pooled: Array.from(b.data) });
    this.showEquivariance(a, b, stride, global);
    const ga = cl.maxPool2d(ma, shape, { kernel: SIZE }).data[0];
    const gb = cl.maxPool2d(mb, shape, { kernel: SIZE }).data[0];
    this.global.set(`max before ${fmt(ga)}, after ${fmt(gb)}: ${ga === gb ? 'invariant (the maximum stayed in the window)' : 'changed (the maximum left the window)'}`,
      { before: ga, after: gb });
    this.draw();
  }

  // Compares b[i][j] with a[i - dy/s][j - dx/s] over the cells where both exist.
  showEquivariance(a, b, stride, global) {
    const { dx, dy } = this.s;
    if (global || dx % stride !== 0 || dy % stride !== 0) {
      const why = global ? 'one output: see the global line' : `(${dx}, ${dy}) is not a multiple of stride ${stride}, so no shift of the pooled map matches in general`;
      this.equi.set(why, { multiple: false });
      return;
    }
    const [, , ho, wo] = a.shape;
    const qy = dy / stride; const qx = dx / stride;
    let diff = 0; let cells = 0;
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const si = i - qy; const sj = j - qx;
        if (si < 0 || si >= ho || sj < 0 || sj >= wo) continue;
        diff = Math.max(diff, Math.abs(b.data[i * wo + j] - a.data[si * wo + sj]));
        cells += 1;
      }
    }
    this.equi.set(`pooled output = original pooled output shifted by (${qx}, ${qy}) cells: largest difference ${fmt(diff)} over ${cells} cells`,
      { multiple: true, diff, cells });
  }

  draw() {
    const v = this.v;
    if (!v) return;
    const [, , ho, wo] = v.a.shape;
    const feature = this.s.feature;
    heatmap(this.figs.x, v.mb, SIZE, SIZE, { gray: !feature, scale: feature ? 0 : 1, maxWidth: 220, grid: false });
    heatmap(this.figs.a, v.a.data, ho, wo, { gray: !feature, scale: feature ? 0 : 1, maxWidth: 220 });
    heatmap(this.figs.b, v.b.data, ho, wo, { gray: !feature, scale: feature ? 0 : 1, maxWidth: 220, marks: v.changed });
  }

  sync() {
    for (const k of ['kernel', 'stride', 'dx', 'dy']) this.ui[k].set(this.s[k]);
    this.ui.mode.set(this.s.mode); this.ui.digit.set(String(this.s.digit));
    this.ui.wrap.set(this.s.wrap); this.ui.feature.set(this.s.feature);
    this.pad.set(sourceImage(-1, this.s.drawing)); this.pad.show(this.s.digit < 0);
  }
}
