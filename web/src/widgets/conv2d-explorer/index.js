// conv2d-explorer: lesson 8 (eq. 2.14, figure 5). Convolves an MNIST digit or the reader's own
// drawing with a classic 3x3 or 5x5 kernel, with same or valid padding and stride 1 or 2. The
// feature map and its shape come from the core's cl.conv2d (a cross-correlation, as in PyTorch);
// the page draws input, kernel and output. The kernel can be typed in (a 3x3 or 5x5 grid of
// number fields; editing a preset's cell starts a custom kernel from it). At a chosen output
// pixel (sliders, or a click on the output) it reads out the input patch under the kernel and
// patch · kernel, the core's cl.correlate of the two flattened arrays ('valid': their dot
// product), beside the feature map's value there.
// Settings: { kernel: 'edge-x' | 'edge-y' | 'blur' | 'sharpen' | 'laplace' | 'identity' | 'custom', custom: 9 or 25
//   numbers (the custom kernel, row by row), padding: 'same' | 'valid', stride: 1-3, digit: 0-9 or -1 = drawing,
//   drawing: '' or 132-char base64 of 28x28 bits, row, col: the output pixel read out (clamped into the output) }.

import { el, fmt, select, slider, result } from '../../lib/dom.js';
import { int, numArray, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, cellAt, heatmap, onResize } from '../../lib/canvas-plot.js';
import { matrixTable, row } from '../../lib/table.js';
import { SIZE, checkDrawing, drawPad, encodeBits, sourceImage, sourceSelect } from '../../lib/drawpad.js';

const KERNELS = {
  'edge-x': { label: 'vertical edges (Sobel x)', k: 3, w: [-1, 0, 1, -2, 0, 2, -1, 0, 1] },
  'edge-y': { label: 'horizontal edges (Sobel y)', k: 3, w: [-1, -2, -1, 0, 0, 0, 1, 2, 1] },
  blur: { label: 'blur (Gaussian 2.8 ⊗ 2.8)', k: 5, w: [1, 4, 6, 4, 1].flatMap((a) => [1, 4, 6, 4, 1].map((b) => (a * b) / 256)) },
  sharpen: { label: 'sharpen', k: 3, w: [0, -1, 0, -1, 5, -1, 0, -1, 0] },
  laplace: { label: 'Laplacian (outlines)', k: 3, w: [0, 1, 0, 1, -4, 1, 0, 1, 0] },
  identity: { label: 'identity', k: 3, w: [0, 0, 0, 0, 1, 0, 0, 0, 0] },
  custom: { label: 'custom (type the values)', k: 3, w: null },
};
const outSize = (s) => {
  const k = kernelOf(s).k;
  const pad = s.padding === 'same' ? Math.floor(k / 2) : 0;
  return Math.floor((SIZE + 2 * pad - k) / s.stride) + 1;
};
function kernelOf(s) {
  if (s.kernel !== 'custom') return KERNELS[s.kernel];
  return { label: 'custom', k: Math.round(Math.sqrt(s.custom.length)), w: s.custom };
}

export default class Conv2dExplorer extends Widget {
  static defaults = { kernel: 'edge-x', custom: [0, 0, 0, 0, 1, 0, 0, 0, 0], padding: 'same', stride: 1, digit: 0, drawing: '', row: 10, col: 8 };

  static validate(settings) {
    const s = validateWith(settings, Conv2dExplorer.defaults, {
      kernel: (v, n) => oneOf(v, n, Object.keys(KERNELS)),
      custom: (v, n) => {
        const list = numArray(v, n, { minLength: 9, maxLength: 25, min: -100, max: 100 });
        if (list.length !== 9 && list.length !== 25) throw new Error(`"${n}" must hold 9 (3×3) or 25 (5×5) numbers (got ${list.length})`);
        return list;
      },
      row: (v, n) => int(v, n, { min: 0, max: SIZE - 1 }),
      col: (v, n) => int(v, n, { min: 0, max: SIZE - 1 }),
      padding: (v, n) => oneOf(v, n, ['same', 'valid']),
      stride: (v, n) => int(v, n, { min: 1, max: 3 }),
      digit: (v, n) => int(v, n, { min: -1, max: 9 }),
      drawing: (v, n) => checkDrawing(v, n),
    });
    const o = outSize(s);
    return { ...s, row: Math.min(s.row, o - 1), col: Math.min(s.col, o - 1) };
  }

  merge(patch) {
    return Conv2dExplorer.validate({ ...this.s, ...patch });
  }

  build(root) {
    this.ui = {
      digit: sourceSelect(this.s.digit, (v) => { this.pad.show(v < 0); this.change({ digit: v }); }),
      kernel: select({ label: 'Kernel', options: Object.entries(KERNELS).map(([k, v]) => [k, v.label]), value: this.s.kernel, onChange: (v) => this.change(v === 'custom' ? { kernel: v, custom: Array.from(kernelOf(this.s).w) } : { kernel: v }) }),
      padding: select({ label: 'Padding', options: [['same', 'same (zeros)'], ['valid', 'valid']], value: this.s.padding, onChange: (v) => this.change({ padding: v }) }),
      stride: select({ label: 'Stride', options: [['1', '1'], ['2', '2'], ['3', '3']], value: String(this.s.stride), onChange: (v) => this.change({ stride: Number(v) }) }),
    };
    this.pad = drawPad(sourceImage(-1, this.s.drawing), (img) => { this.ui.digit.set('-1'); this.change({ drawing: encodeBits(img), digit: -1 }); });
    this.pad.show(this.s.digit < 0);
    this.inFig = canvas('Input image', 1);
    this.outFig = canvas('Output feature map', 1);
    this.kernelBox = el('div');
    this.size = select({ label: 'Custom size', options: [['3', '3×3'], ['5', '5×5']], value: String(kernelOf(this.s).k), onChange: (v) => this.resize(Number(v)) });
    this.pick = {
      row: slider({ label: 'Output row', min: 0, max: SIZE - 1, value: this.s.row, onInput: (v) => this.change({ row: v }) }),
      col: slider({ label: 'Output column', min: 0, max: SIZE - 1, value: this.s.col, onInput: (v) => this.change({ col: v }) }),
    };
    this.patchBox = el('div', { style: 'display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:flex-start;overflow-x:auto' });
    this.readout = result('patch · kernel (cl.correlate) and the feature map there (cl.conv2d):');
    this.outFig.addEventListener('click', (e) => {
      const [, , ho, wo] = this.v.y.shape;
      const hit = cellAt(this.outFig, e, this.outCell, ho, wo);
      if (hit) this.change({ row: hit.row, col: hit.col });
    });
    this.shape = result('Shapes:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 150px;max-width:260px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.pad.root,
      row(fig(this.inFig, 'input (outlined: the patch read out)'), el('div', {}, this.kernelBox, this.size.root), fig(this.outFig, 'output of cl.conv2d (red > 0, blue < 0); click a pixel')), this.shape.root,
      el('div', { class: 'controls' }, ...Object.values(this.pick).map((u) => u.root)), this.patchBox, this.readout.root);
    onResize(root, () => this.draw());
  }

  // A custom kernel of a new size starts from the centre of the old one (zeros around it).
  resize(k) {
    const old = kernelOf(this.s);
    const w = new Array(k * k).fill(0);
    const off = (k - old.k) / 2;
    for (let i = 0; i < old.k; i++) {
      for (let j = 0; j < old.k; j++) if (i + off >= 0 && i + off < k && j + off >= 0 && j + off < k) w[(i + off) * k + j + off] = old.w[i * old.k + j];
    }
    this.ui.kernel.set('custom');
    this.change({ kernel: 'custom', custom: w });
  }

  // The kernel as a grid of number fields; editing any cell makes the kernel custom.
  kernelGrid(K) {
    const rows = [];
    for (let i = 0; i < K.k; i++) {
      rows.push(el('tr', {}, Array.from({ length: K.k }, (_, j) => {
        const input = el('input', { type: 'number', step: 'any', value: fmt(K.w[i * K.k + j], 4), 'aria-label': `kernel row ${i} column ${j}`, class: 'kernel-cell' });
        input.addEventListener('change', () => {
          const v = Number(input.value);
          if (input.value === '' || !Number.isFinite(v) || Math.abs(v) > 100) { input.setAttribute('aria-invalid', 'true'); return; }
          const w = Array.from(K.w);
          w[i * K.k + j] = v;
          this.ui.kernel.set('custom');
          this.change({ kernel: 'custom', custom: w });
        });
        return el('td', {}, input);
      })));
    }
    return el('table', { class: 'kernel-grid' }, el('caption', { text: `kernel ${K.k}×${K.k} (editable)` }), el('tbody', {}, rows));
  }

  update() {
    const K = kernelOf(this.s);
    const x = sourceImage(this.s.digit, this.s.drawing);
    const w = Float32Array.from(K.w);
    const padding = this.s.padding === 'same' ? Math.floor(K.k / 2) : 0; // 'same' for any stride
    const y = this.cl.conv2d(x, [1, 1, SIZE, SIZE], w, [1, 1, K.k, K.k], { stride: this.s.stride, padding });
    const [, , ho, wo] = y.shape;
    // The input patch under the kernel at the chosen output pixel (zeros in the padding).
    const top = this.s.row * this.s.stride - padding; const left = this.s.col * this.s.stride - padding;
    const patch = new Float32Array(K.k * K.k);
    const marks = new Set();
    for (let a = 0; a < K.k; a++) {
      for (let b = 0; b < K.k; b++) {
        const i = top + a; const j = left + b;
        if (i >= 0 && i < SIZE && j >= 0 && j < SIZE) { patch[a * K.k + b] = x[i * SIZE + j]; marks.add(i * SIZE + j); }
      }
    }
    const dot = this.cl.correlate(patch, w, { mode: 'valid' })[0];
    const at = y.data[this.s.row * wo + this.s.col];
    this.v = { x, y, K, marks };
    const focused = this.kernelBox.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
    this.kernelBox.replaceChildren(this.kernelGrid(K));
    if (focused) this.kernelBox.querySelector(`[aria-label="${focused}"]`)?.focus();
    this.size.set(String(K.k));
    this.patchBox.replaceChildren(matrixTable(patch, K.k, K.k, { caption: `input patch at output (${this.s.row}, ${this.s.col})`, digits: 3 }),
      matrixTable(w, K.k, K.k, { caption: 'kernel', digits: 3 }));
    this.readout.set(`${fmt(dot)} and ${fmt(at)}`, { dot, value: at, patch: Array.from(patch), kernel: Array.from(w) });
    this.shape.set(`input 1×1×${SIZE}×${SIZE}, kernel ${K.k}×${K.k}, padding ${padding}, stride ${this.s.stride} → output ${y.shape.join('×')}`,
      { shape: y.shape, data: Array.from(y.data) });
    this.outFig.setAttribute('aria-label', `Output feature map, ${ho} by ${wo}`);
    this.pick.row.set(this.s.row, { max: ho - 1 }); this.pick.col.set(this.s.col, { max: wo - 1 });
    this.draw();
  }

  draw() {
    if (!this.v) return;
    const { x, y, marks } = this.v;
    const [, , ho, wo] = y.shape;
    heatmap(this.inFig, x, SIZE, SIZE, { gray: true, scale: 1, maxWidth: 260, grid: false, marks });
    this.outCell = heatmap(this.outFig, y.data, ho, wo, { maxWidth: 260, grid: false, maxCell: Math.floor(260 / wo), marks: new Set([this.s.row * wo + this.s.col]) }).cell;
  }

  sync() {
    this.ui.digit.set(String(this.s.digit)); this.ui.kernel.set(this.s.kernel); this.ui.padding.set(this.s.padding); this.ui.stride.set(String(this.s.stride));
    this.pad.set(sourceImage(-1, this.s.drawing)); this.pad.show(this.s.digit < 0);
  }
}
