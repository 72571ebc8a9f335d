// conv-arithmetic: lessons 8 and 12, after Dumoulin & Visin, "A guide to convolution
// arithmetic for deep learning" (2016). Draws a square input of size i with zero padding p,
// a k x k kernel with dilation d and stride s, and the output, with the selected output cell's
// kernel footprint outlined; for a transposed convolution it draws the equivalent direct
// convolution (s - 1 zeros inserted between input cells, padding d(k - 1) - p, stride 1). The
// output-size formula is shown with the numbers filled in, and for a stack of layers the
// receptive-field recursion r_l = r_(l-1) + (k_l - 1) j_(l-1), j_l = j_(l-1) s_l.
// The core has no dilated or transposed convolution, so this widget draws geometry and
// computes sizes with the formulas (it says so on screen); for an ordinary convolution
// (d = 1) it also asks cl.conv2d for the output shape, which must match.
// Settings: { mode: 'conv' | 'transposed', i: 2-9 (5), k: 1-5 (3), s: 1-3 (2), pad: 'valid' | 'same' | 'full' | 'custom',
//   p: 0-8 (custom padding), d: 1-3 (1), oi, oj: the selected output cell, kernels, strides: the stack, 1-6 layers each 1-7 / 1-4 }.

import { el, fmt, numberList, result, select, slider } from '../../lib/dom.js';
import { int, numArray, oneOf, validateWith } from '../../lib/validate.js';
import { Widget } from '../../lib/widget.js';

// The padding a mode stands for, with the effective kernel size kd = d(k - 1) + 1.
function padding(s) {
  const kd = s.d * (s.k - 1) + 1;
  const p = { valid: 0, same: Math.floor((kd - 1) / 2), full: kd - 1, custom: s.p }[s.pad];
  return s.mode === 'transposed' ? Math.min(p, kd - 1) : p;
}

export function outputSize(s) {
  const p = padding(s);
  return s.mode === 'transposed' ? s.s * (s.i - 1) + s.d * (s.k - 1) + 1 - 2 * p : Math.floor((s.i + 2 * p - s.d * (s.k - 1) - 1) / s.s) + 1;
}

export default class ConvArithmetic extends Widget {
  static defaults = { mode: 'conv', i: 5, k: 3, s: 2, pad: 'custom', p: 1, d: 1, oi: 0, oj: 0, kernels: [3, 3, 3], strides: [1, 2, 1] };

  static validate(settings) {
    const s = validateWith(settings, ConvArithmetic.defaults, {
      mode: (v, n) => oneOf(v, n, ['conv', 'transposed']),
      i: (v, n) => int(v, n, { min: 2, max: 9 }),
      k: (v, n) => int(v, n, { min: 1, max: 5 }),
      s: (v, n) => int(v, n, { min: 1, max: 3 }),
      pad: (v, n) => oneOf(v, n, ['valid', 'same', 'full', 'custom']),
      p: (v, n) => int(v, n, { min: 0, max: 8 }),
      d: (v, n) => int(v, n, { min: 1, max: 3 }),
      oi: (v, n) => int(v, n, { min: 0, max: 40 }),
      oj: (v, n) => int(v, n, { min: 0, max: 40 }),
      kernels: (v, n) => numArray(v, n, { minLength: 1, maxLength: 6, min: 1, max: 7 }).map((x, j) => int(x, `${n}[${j}]`)),
      strides: (v, n) => numArray(v, n, { minLength: 1, maxLength: 6, min: 1, max: 4 }).map((x, j) => int(x, `${n}[${j}]`)),
    });
    if (s.kernels.length !== s.strides.length) throw new Error(`"strides" must have one entry per kernel (${s.kernels.length}, got ${s.strides.length})`);
    const o = outputSize(s);
    if (o < 1) throw new Error(`the kernel (effective size ${s.d * (s.k - 1) + 1}) must fit the padded input (output size ${o})`);
    return { ...s, oi: Math.min(s.oi, o - 1), oj: Math.min(s.oj, o - 1) };
  }

  // A change that would leave no output falls back to no dilation and 'same' padding.
  merge(patch) {
    const next = { ...this.s, ...patch };
    if ('kernels' in patch && next.strides.length !== next.kernels.length) next.strides = next.kernels.map((_, j) => next.strides[j] ?? 1);
    if ('strides' in patch && next.strides.length !== next.kernels.length) next.kernels = next.strides.map((_, j) => next.kernels[j] ?? 3);
    if (outputSize(next) < 1) Object.assign(next, { d: 1, pad: 'same' });
    if (outputSize(next) < 1) next.k = 1;
    return ConvArithmetic.validate(next);
  }

  build(root) {
    const n = (key) => (v) => this.change({ [key]: Number(v) });
    this.ui = {
      mode: select({ label: 'Operation', options: [['conv', 'convolution'], ['transposed', 'transposed convolution']], value: this.s.mode, onChange: (v) => this.change({ mode: v }) }),
      i: slider({ label: 'Input size i', min: 2, max: 9, value: this.s.i, onInput: n('i') }),
      k: slider({ label: 'Kernel k', min: 1, max: 5, value: this.s.k, onInput: n('k') }),
      s: slider({ label: 'Stride s', min: 1, max: 3, value: this.s.s, onInput: n('s') }),
      d: slider({ label: 'Dilation d', min: 1, max: 3, value: this.s.d, onInput: n('d') }),
      pad: select({ label: 'Padding', options: [['valid', 'valid (p = 0)'], ['same', 'same (half)'], ['full', 'full'], ['custom', 'custom p']], value: this.s.pad, onChange: (v) => this.change({ pad: v }) }),
      p: slider({ label: 'p', min: 0, max: 8, value: this.s.p, onInput: (v) => this.change({ p: v, pad: 'custom' }) }),
    };
    this.pick = {
      oi: slider({ label: 'Output row', min: 0, max: 40, value: this.s.oi, onInput: n('oi') }),
      oj: slider({ label: 'Output column', min: 0, max: 40, value: this.s.oj, onInput: n('oj') }),
    };
    this.canvas = el('canvas', { role: 'img', class: 'arith-canvas' });
    this.size = result('Output size:');
    this.core = result('cl.conv2d output shape (ordinary convolutions only):');
    this.stackUi = {
      kernels: numberList({ label: 'Stack: kernel sizes', value: this.s.kernels, check: (v) => ConvArithmetic.validate({ ...this.s, kernels: v, strides: v.map((_, j) => this.s.strides[j] ?? 1) }).kernels, onChange: (v) => this.change({ kernels: v }) }),
      strides: numberList({ label: 'strides', value: this.s.strides, check: (v) => ConvArithmetic.validate({ ...this.s, strides: v, kernels: v.map((_, j) => this.s.kernels[j] ?? 3) }).strides, onChange: (v) => this.change({ strides: v }) }),
    };
    this.table = el('div', { style: 'overflow-x:auto;max-width:100%' });
    this.field = result('Receptive field of one unit of the last layer:');
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('p', { class: 'note', text: 'Geometry only: the core has no dilated or transposed convolution yet, so sizes here come from the formulas; for ordinary convolutions cl.conv2d confirms the output shape. Blue: input cells; white, dashed: zeros (padding, and for a transposed convolution the zeros inserted between input cells); orange: the kernel under the selected (dark green) output cell.' }),
      el('div', { style: 'overflow-x:auto;max-width:100%' }, this.canvas),
      el('div', { class: 'controls' }, ...Object.values(this.pick).map((u) => u.root)),
      this.size.root, this.core.root,
      el('h4', { class: 'arith-h', text: 'Receptive field of a stack (recursion with strides)' }),
      el('div', { class: 'controls' }, ...Object.values(this.stackUi).map((u) => u.root)), this.table, this.field.root);
  }

  update() {
    const s = this.s;
    const p = padding(s);
    const o = outputSize(s);
    const kd = s.d * (s.k - 1) + 1;
    if (s.mode === 'transposed') {
      this.size.set(`o = s(i − 1) + d(k − 1) + 1 − 2p = ${s.s}·(${s.i} − 1) + ${s.d}·(${s.k} − 1) + 1 − 2·${p} = ${o}`, { o, p, i: s.i, k: s.k, s: s.s, d: s.d });
    } else {
      this.size.set(`o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1 = ⌊(${s.i} + 2·${p} − ${s.d}·(${s.k} − 1) − 1) / ${s.s}⌋ + 1 = ${o}`, { o, p, i: s.i, k: s.k, s: s.s, d: s.d });
    }
    if (s.mode === 'conv' && s.d === 1) {
      const y = this.cl.conv2d(new Float32Array(s.i * s.i), [1, 1, s.i, s.i], new Float32Array(s.k * s.k), [1, 1, s.k, s.k], { stride: s.s, padding: p });
      this.core.set(`${y.shape.join('×')} ${y.shape[2] === o ? '(matches)' : '(differs!)'}`, y.shape);
    } else {
      this.core.set(`not available (${s.mode === 'transposed' ? 'transposed' : 'dilated'} convolution)`, null);
    }
    this.draw(p, o, kd);
    this.drawStack();
    for (const key of ['oi', 'oj']) this.pick[key].set(s[key], { max: o - 1 });
    this.canvas.setAttribute('aria-label', `${s.mode === 'transposed' ? 'Transposed convolution drawn as a direct convolution' : 'Convolution'}: input ${s.i} by ${s.i}, padding ${p}, kernel ${s.k}, stride ${s.s}, dilation ${s.d}, output ${o} by ${o}`);
  }

  // Left: the (padded, for transposed also zero-stretched) input with the footprint of the
  // selected output cell; right: the output. Blue cells carry input values, white ones are zeros.
  draw(p, o, kd) {
    const s = this.s;
    const tr = s.mode === 'transposed';
    const core = tr ? (s.i - 1) * s.s + 1 : s.i; // input extent, zeros inserted for transposed
    const pad = tr ? kd - 1 - p : p;
    const E = core + 2 * pad;
    const step = tr ? 1 : s.s;
    const isInput = (r, c) => {
      const a = r - pad; const b = c - pad;
      if (a < 0 || b < 0 || a >= core || b >= core) return false;
      return !tr || (a % s.s === 0 && b % s.s === 0);
    };
    const foot = new Set();
    for (let a = 0; a < s.k; a++) for (let b = 0; b < s.k; b++) foot.add((s.oi * step + a * s.d) * E + s.oj * step + b * s.d);
    const avail = Math.min(900, (this.canvas.parentElement?.clientWidth || 340) - 4);
    const cell = Math.max(8, Math.min(28, Math.floor((avail - 30) / (E + o))));
    const gap = 30;
    const W = (E + o) * cell + gap + 2; const Hh = Math.max(E, o) * cell + 22;
    const dpr = globalThis.devicePixelRatio || 1;
    this.canvas.width = W * dpr; this.canvas.height = Hh * dpr;
    this.canvas.style.width = `${W}px`; this.canvas.style.height = `${Hh}px`;
    const g = this.canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = '12px system-ui, sans-serif'; g.fillStyle = '#333';
    g.fillText(`input ${s.i}×${s.i} (drawn ${E}×${E})`, 0, 12);
    const ox = E * cell + gap;
    g.fillText(`output ${o}×${o}`, ox, 12);
    const box = (x, y, fill, stroke, dash) => {
      g.fillStyle = fill; g.fillRect(x + 1, y + 1, cell - 2, cell - 2);
      g.setLineDash(dash ? [3, 2] : []); g.strokeStyle = stroke; g.lineWidth = 1; g.strokeRect(x + 1.5, y + 1.5, cell - 3, cell - 3);
    };
    for (let r = 0; r < E; r++) {
      for (let c = 0; c < E; c++) {
        const input = isInput(r, c);
        const hit = foot.has(r * E + c);
        box(c * cell, 18 + r * cell, hit ? (input ? '#f08c00' : '#ffe8cc') : input ? '#74a9e8' : '#ffffff', hit ? '#d9480f' : '#b8c0cc', !input);
      }
    }
    for (let r = 0; r < o; r++) {
      for (let c = 0; c < o; c++) {
        const sel = r === s.oi && c === s.oj;
        box(ox + c * cell, 18 + r * cell, sel ? '#2b8a3e' : '#b2f2bb', sel ? '#1b5e20' : '#8ccf96', false);
      }
    }
    g.setLineDash([]);
  }

  // The recursion with jumps: j_0 = 1, r_0 = 1; j_l = j_(l-1) s_l, r_l = r_(l-1) + (k_l - 1) j_(l-1).
  drawStack() {
    const { kernels, strides } = this.s;
    const rows = [['layer l', 'k_l', 's_l', 'j_l (jump)', 'r_l (receptive field)']];
    let j = 1; let r = 1;
    rows.push(['0 (input)', '', '', '1', '1']);
    kernels.forEach((k, l) => {
      const rNext = r + (k - 1) * j;
      rows.push([String(l + 1), String(k), String(strides[l]), `${j}·${strides[l]} = ${j * strides[l]}`, `${r} + (${k} − 1)·${j} = ${rNext}`]);
      r = rNext; j *= strides[l];
    });
    this.table.replaceChildren(el('table', { class: 'arith-table' }, el('tbody', {}, rows.map((cells, i) => el('tr', {}, cells.map((c) => el(i === 0 ? 'th' : 'td', { text: c })))))));
    this.field.set(`${r} input pixels wide (jump ${j}); computed by the recursion, not by the core`, { r, j });
  }

  sync() {
    for (const key of ['i', 'k', 's', 'd', 'p']) this.ui[key].set(this.s[key]);
    this.ui.mode.set(this.s.mode); this.ui.pad.set(this.s.pad);
    this.stackUi.kernels.set(this.s.kernels); this.stackUi.strides.set(this.s.strides);
  }
}
