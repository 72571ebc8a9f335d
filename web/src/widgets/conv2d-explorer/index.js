// conv2d-explorer: lesson 8 (eq. 2.14, figure 5). Convolves an MNIST digit or the reader's own
// drawing with a classic 3x3 or 5x5 kernel, with same or valid padding and stride 1 or 2. The
// feature map and its shape come from the core's cl.conv2d (a cross-correlation, as in PyTorch);
// the page draws input, kernel and output.
// Settings: { kernel: 'edge-x' | 'edge-y' | 'blur' | 'sharpen' | 'laplace' | 'identity', padding: 'same' | 'valid', stride: 1-3, digit: 0-9 or -1 = drawing, drawing: '' or 132-char base64 of 28x28 bits }.

import { el, fmt, select, result } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { canvas, heatmap, onResize } from '../../lib/canvas-plot.js';
import { matrixTable, row } from '../../lib/table.js';
import { SIZE, checkDrawing, drawPad, encodeBits, sourceImage, sourceSelect } from '../../lib/drawpad.js';

const KERNELS = {
  'edge-x': { label: 'vertical edges (Sobel x)', k: 3, w: [-1, 0, 1, -2, 0, 2, -1, 0, 1] },
  'edge-y': { label: 'horizontal edges (Sobel y)', k: 3, w: [-1, -2, -1, 0, 0, 0, 1, 2, 1] },
  blur: { label: 'blur (Gaussian 2.8 ⊗ 2.8)', k: 5, w: [1, 4, 6, 4, 1].flatMap((a) => [1, 4, 6, 4, 1].map((b) => (a * b) / 256)) },
  sharpen: { label: 'sharpen', k: 3, w: [0, -1, 0, -1, 5, -1, 0, -1, 0] },
  laplace: { label: 'Laplacian (outlines)', k: 3, w: [0, 1, 0, 1, -4, 1, 0, 1, 0] },
  identity: { label: 'identity', k: 3, w: [0, 0, 0, 0, 1, 0, 0, 0, 0] },
};

export default class Conv2dExplorer extends Widget {
  static defaults = { kernel: 'edge-x', padding: 'same', stride: 1, digit: 0, drawing: '' };

  static validate(s) {
    return validateWith(s, Conv2dExplorer.defaults, {
      kernel: (v, n) => oneOf(v, n, Object.keys(KERNELS)),
      padding: (v, n) => oneOf(v, n, ['same', 'valid']),
      stride: (v, n) => int(v, n, { min: 1, max: 3 }),
      digit: (v, n) => int(v, n, { min: -1, max: 9 }),
      drawing: (v, n) => checkDrawing(v, n),
    });
  }

  build(root) {
    this.ui = {
      digit: sourceSelect(this.s.digit, (v) => { this.pad.show(v < 0); this.change({ digit: v }); }),
      kernel: select({ label: 'Kernel', options: Object.entries(KERNELS).map(([k, v]) => [k, v.label]), value: this.s.kernel, onChange: (v) => this.change({ kernel: v }) }),
      padding: select({ label: 'Padding', options: [['same', 'same (zeros)'], ['valid', 'valid']], value: this.s.padding, onChange: (v) => this.change({ padding: v }) }),
      stride: select({ label: 'Stride', options: [['1', '1'], ['2', '2'], ['3', '3']], value: String(this.s.stride), onChange: (v) => this.change({ stride: Number(v) }) }),
    };
    this.pad = drawPad(sourceImage(-1, this.s.drawing), (img) => { this.ui.digit.set('-1'); this.change({ drawing: encodeBits(img), digit: -1 }); });
    this.pad.show(this.s.digit < 0);
    this.inFig = canvas('Input image', 1);
    this.outFig = canvas('Output feature map', 1);
    this.kernelBox = el('div');
    this.shape = result('Shapes:');
    const fig = (c, text) => el('figure', { style: 'margin:0;flex:1 1 150px;max-width:260px' }, c, el('figcaption', { text, style: 'font-size:.85rem;color:#555' }));
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)), this.pad.root,
      row(fig(this.inFig, 'input'), this.kernelBox, fig(this.outFig, 'output of cl.conv2d (red > 0, blue < 0)')), this.shape.root);
    onResize(root, () => this.draw());
  }

  update() {
    const K = KERNELS[this.s.kernel];
    const x = sourceImage(this.s.digit, this.s.drawing);
    const w = Float32Array.from(K.w);
    const padding = this.s.padding === 'same' ? Math.floor(K.k / 2) : 0; // 'same' for any stride
    const y = this.cl.conv2d(x, [1, 1, SIZE, SIZE], w, [1, 1, K.k, K.k], { stride: this.s.stride, padding });
    this.v = { x, y, K };
    this.kernelBox.replaceChildren(matrixTable(w, K.k, K.k, { caption: `kernel ${K.k}×${K.k}`, digits: 3 }));
    const [, , ho, wo] = y.shape;
    this.shape.set(`input 1×1×${SIZE}×${SIZE}, kernel ${K.k}×${K.k}, padding ${padding}, stride ${this.s.stride} → output ${y.shape.join('×')}`,
      { shape: y.shape, data: Array.from(y.data) });
    this.outFig.setAttribute('aria-label', `Output feature map, ${ho} by ${wo}`);
    this.draw();
  }

  draw() {
    if (!this.v) return;
    const { x, y } = this.v;
    heatmap(this.inFig, x, SIZE, SIZE, { gray: true, scale: 1, maxWidth: 260, grid: false });
    heatmap(this.outFig, y.data, y.shape[2], y.shape[3], { maxWidth: 260, grid: false, maxCell: Math.floor(260 / y.shape[3]) });
  }

  sync() {
    this.ui.digit.set(String(this.s.digit)); this.ui.kernel.set(this.s.kernel); this.ui.padding.set(this.s.padding); this.ui.stride.set(String(this.s.stride));
    this.pad.set(sourceImage(-1, this.s.drawing)); this.pad.show(this.s.digit < 0);
  }
}
