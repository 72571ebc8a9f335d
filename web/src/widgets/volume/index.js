// volume: lesson 12 (eqs. 2.19-2.20), in the manner of CS231n's convolution demo. An input
// volume d x H x W (small integers), k filters of size d x r x r with biases, a stride and zero
// padding; the output volume k x Ho x Wo is the core's cl.conv2d (direct and im2col, shown to
// agree). Selecting an output cell (click or Tab + Enter on it, or the three sliders) highlights
// its r x r x d input patch and shows, per input channel, the partial sum patch_c · w_c (the
// core's cl.correlate of the two flattened slices, 'valid', which is their dot product), the
// bias, and the same number as one row of the im2col product (eq. 2.19): the patch unrolled
// into a row, with a 1 appended, times the filter unrolled with its bias appended (again one
// cl.correlate). Adding the shown partial sums and the bias is left to the page, labelled so.
// It also counts the layer's parameters from a cl.sequential conv layer's parameters().
// Settings: { d: 1-4 (3), size: H = W 3-9 (5), k: 1-4 (2), r: 1 | 3 | 5 (3), stride: 1-3 (2),
//   padding: 0-2 (1), seed: 1-50 (1), filter, row, col: the selected output cell (0, 0, 0) }.

import { el, fmt, result, select, slider } from '../../lib/dom.js';
import { int, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';
import { rng } from '../../lib/random.js';

const outSize = (s) => Math.floor((s.size + 2 * s.padding - s.r) / s.stride) + 1;

export default class Volume extends Widget {
  static defaults = { d: 3, size: 5, k: 2, r: 3, stride: 2, padding: 1, seed: 1, filter: 0, row: 0, col: 0 };

  // The selected cell is clamped into the output, whose size depends on the other fields.
  static validate(settings) {
    const s = validateWith(settings, Volume.defaults, {
      d: (v, n) => int(v, n, { min: 1, max: 4 }),
      size: (v, n) => int(v, n, { min: 3, max: 9 }),
      k: (v, n) => int(v, n, { min: 1, max: 4 }),
      r: (v, n) => oneOf(v, n, [1, 3, 5]),
      stride: (v, n) => int(v, n, { min: 1, max: 3 }),
      padding: (v, n) => int(v, n, { min: 0, max: 2 }),
      seed: (v, n) => int(v, n, { min: 1, max: 50 }),
      filter: (v, n) => int(v, n, { min: 0, max: 3 }),
      row: (v, n) => int(v, n, { min: 0, max: 20 }),
      col: (v, n) => int(v, n, { min: 0, max: 20 }),
    });
    if (s.r > s.size + 2 * s.padding) throw new Error(`"r" must fit the padded input (r = ${s.r} > ${s.size} + 2·${s.padding})`);
    const o = outSize(s);
    return { ...s, filter: Math.min(s.filter, s.k - 1), row: Math.min(s.row, o - 1), col: Math.min(s.col, o - 1) };
  }

  merge(patch) {
    const next = { ...this.s, ...patch };
    if (next.r > next.size + 2 * next.padding) next.r = 1;
    return Volume.validate(next);
  }

  build(root) {
    const n = (k) => (v) => this.change({ [k]: Number(v) });
    this.ui = {
      d: slider({ label: 'Input channels d', min: 1, max: 4, value: this.s.d, onInput: n('d') }),
      size: slider({ label: 'Input size H = W', min: 3, max: 9, value: this.s.size, onInput: n('size') }),
      k: slider({ label: 'Filters k', min: 1, max: 4, value: this.s.k, onInput: n('k') }),
      r: select({ label: 'Filter size r', options: [['1', '1×1'], ['3', '3×3'], ['5', '5×5']], value: String(this.s.r), onChange: n('r') }),
      stride: slider({ label: 'Stride', min: 1, max: 3, value: this.s.stride, onInput: n('stride') }),
      padding: slider({ label: 'Padding', min: 0, max: 2, value: this.s.padding, onInput: n('padding') }),
      seed: slider({ label: 'Seed', min: 1, max: 50, value: this.s.seed, onInput: n('seed') }),
    };
    this.pick = {
      filter: slider({ label: 'Output channel', min: 0, max: 3, value: this.s.filter, onInput: n('filter') }),
      row: slider({ label: 'Output row', min: 0, max: 20, value: this.s.row, onInput: n('row') }),
      col: slider({ label: 'Output column', min: 0, max: 20, value: this.s.col, onInput: n('col') }),
    };
    this.inputBox = el('div', { class: 'vol-row' });
    this.filterBox = el('div', { class: 'vol-row' });
    this.outputBox = el('div', { class: 'vol-row' });
    this.partials = result('Per-channel partial sums patch_c · w_c (cl.correlate):');
    this.rowBox = el('div', { class: 'vol-im2col' });
    this.value = result('Output cell:');
    this.agree = result('Largest |direct − im2col| over the output (cl.conv2d):');
    this.params = result('Parameters (cl.sequential conv layer): weights, biases, total:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('h4', { class: 'vol-h', text: 'Input volume (grey: zero padding; outlined: the selected cell\'s patch)' }), this.inputBox,
      el('h4', { class: 'vol-h', text: 'Filters and biases' }), this.filterBox,
      el('h4', { class: 'vol-h', text: 'Output volume: click a cell, or Tab to it and press Enter' }), this.outputBox,
      el('div', { class: 'controls' }, ...Object.values(this.pick).map((u) => u.root)),
      this.partials.root, this.rowBox, this.value.root, this.agree.root, this.params.root);
  }

  // Small integers as in CS231n's demo: inputs 0..2, weights -1..1, biases 0..1.
  data() {
    const { d, size, k, r, seed } = this.s;
    const g = rng(seed);
    const ints = (len, lo, hi) => Float32Array.from({ length: len }, () => lo + Math.floor(g() * (hi - lo + 1)));
    return { x: ints(d * size * size, 0, 2), w: ints(k * d * r * r, -1, 1), b: ints(k, 0, 1) };
  }

  update() {
    const { cl } = this;
    const s = this.s;
    const { d, size, k, r, stride, padding } = s;
    const { x, w, b } = this.data();
    const xShape = [1, d, size, size]; const wShape = [k, d, r, r];
    const direct = cl.conv2d(x, xShape, w, wShape, { bias: b, stride, padding, method: 'direct' });
    const im2col = cl.conv2d(x, xShape, w, wShape, { bias: b, stride, padding, method: 'im2col' });
    const o = direct.shape[2];
    let gap = 0;
    direct.data.forEach((v, i) => { gap = Math.max(gap, Math.abs(v - im2col.data[i])); });
    // The patch of the selected cell in padded coordinates, channel by channel (zeros outside).
    const at = (c, i, j) => (i >= 0 && i < size && j >= 0 && j < size ? x[(c * size + i) * size + j] : 0);
    const top = s.row * stride - padding; const left = s.col * stride - padding;
    const patch = [];
    for (let c = 0; c < d; c++) for (let a = 0; a < r; a++) for (let q = 0; q < r; q++) patch.push(at(c, top + a, left + q));
    const wf = w.subarray(s.filter * d * r * r, (s.filter + 1) * d * r * r);
    const rr = r * r;
    const partial = Array.from({ length: d }, (_, c) => cl.correlate(Float32Array.from(patch.slice(c * rr, (c + 1) * rr)), wf.slice(c * rr, (c + 1) * rr), { mode: 'valid' })[0]);
    const rowVec = Float32Array.from([...patch, 1]);
    const filterVec = Float32Array.from([...wf, b[s.filter]]);
    const product = cl.correlate(rowVec, filterVec, { mode: 'valid' })[0];
    const cell = direct.data[(s.filter * o + s.row) * o + s.col];
    const handSum = partial.reduce((acc, v) => acc + v, 0) + b[s.filter];
    this.partials.set(`${partial.map((v, c) => `channel ${c}: ${fmt(v)}`).join(', ')}; bias ${fmt(b[s.filter])}; their sum, taken in the page: ${fmt(handSum)}`,
      { partial, bias: b[s.filter], patch });
    this.value.set(`y[${s.filter}, ${s.row}, ${s.col}] = ${fmt(cell)} (cl.conv2d) = ${fmt(product)} (im2col row · filter row)`, { cell, product, output: Array.from(direct.data), shape: direct.shape });
    this.agree.set(fmt(gap), gap);
    const net = cl.sequential([{ type: 'conv2d', out: k, kernel: r, stride, padding }], { inputShape: [d, size, size] });
    const [pw, pb] = net.parameters().map((p) => p.data.length);
    net.dispose();
    this.params.set(`${pw} = ${k}·${d}·${r}·${r}, ${pb}, ${pw + pb}`, [pw, pb, pw + pb]);
    this.drawVolumes(x, w, b, direct.data, o, top, left);
    this.drawRow(rowVec, filterVec, product);
    for (const key of ['filter', 'row', 'col']) this.pick[key].set(s[key], { max: key === 'filter' ? k - 1 : o - 1 });
  }

  drawVolumes(x, w, b, y, o, top, left) {
    const { d, size, k, r, padding } = this.s;
    const P = size + 2 * padding;
    const inside = (i, j) => i >= padding && i < size + padding && j >= padding && j < size + padding;
    const inPatch = (i, j) => i - padding >= top && i - padding < top + r && j - padding >= left && j - padding < left + r;
    this.inputBox.replaceChildren(...Array.from({ length: d }, (_, c) => grid(`x[${c}]`, P, P, (i, j) => ({
      text: inside(i, j) ? fmt(x[(c * size + i - padding) * size + j - padding]) : '0',
      cls: `${inside(i, j) ? '' : 'pad'} ${inPatch(i, j) ? 'hit' : ''}`,
    }))));
    this.filterBox.replaceChildren(...Array.from({ length: k }, (_, f) => el('div', { class: `vol-filter ${f === this.s.filter ? 'sel' : ''}` },
      ...Array.from({ length: d }, (_, c) => grid(`w${f}[${c}]`, r, r, (i, j) => ({ text: fmt(w[((f * d + c) * r + i) * r + j]), cls: '' }))),
      el('span', { class: 'vol-bias', text: `b${f} = ${fmt(b[f])}` }))));
    // Redrawing replaces the buttons; keep keyboard focus on the selected cell.
    const hadFocus = this.outputBox.contains(document.activeElement);
    this.outputBox.replaceChildren(...Array.from({ length: k }, (_, f) => grid(`y[${f}]`, o, o, (i, j) => ({
      text: fmt(y[(f * o + i) * o + j]),
      cls: f === this.s.filter && i === this.s.row && j === this.s.col ? 'hit sel' : '',
      onclick: () => this.change({ filter: f, row: i, col: j }),
    }))));
    if (hadFocus) this.outputBox.querySelector('td.sel button')?.focus();
  }

  drawRow(rowVec, filterVec, product) {
    const { d, r } = this.s;
    const head = [];
    for (let c = 0; c < d; c++) for (let a = 0; a < r * r; a++) head.push(`${c}:${Math.floor(a / r)},${a % r}`);
    head.push('1 / b');
    const tr = (label, vals) => el('tr', {}, el('th', { text: label }), ...vals.map((v) => el('td', { text: typeof v === 'number' ? fmt(v) : v })));
    this.rowBox.replaceChildren(el('p', { class: 'note', text: `One row of the im2col product (eq. 2.19): the patch unrolled (channel:row,col), a 1 for the bias, times filter ${this.s.filter} unrolled with its bias = ${fmt(product)}` }),
      el('table', { class: 'vol-table' }, el('tbody', {}, tr('', head), tr('patch row', Array.from(rowVec)), tr('filter row', Array.from(filterVec)))));
  }

  sync() {
    for (const key of ['d', 'size', 'k', 'stride', 'padding', 'seed']) this.ui[key].set(this.s[key]);
    this.ui.r.set(String(this.s.r));
  }
}

// A small table of cells; cell(i, j) -> { text, cls, onclick? } (onclick makes it a button).
function grid(label, rows, cols, cell) {
  const body = [];
  for (let i = 0; i < rows; i++) {
    const tds = [];
    for (let j = 0; j < cols; j++) {
      const c = cell(i, j);
      const content = c.onclick ? el('button', { type: 'button', class: 'vol-cell', 'aria-label': `${label} row ${i} column ${j}: ${c.text}`, onclick: c.onclick, text: c.text }) : c.text;
      tds.push(el('td', { class: c.cls.trim() || undefined }, content));
    }
    body.push(el('tr', {}, tds));
  }
  return el('table', { class: 'vol-grid' }, el('caption', { text: label }), el('tbody', {}, body));
}
