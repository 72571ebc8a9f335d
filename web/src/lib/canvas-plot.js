// canvas-plot.js: canvas drawing for the lesson widgets that uPlot (lib/plot.js, the site's
// plot stack for curves and signals) cannot do: heat maps of matrices with highlighted and
// hit-tested cells (cellAt), and the small annotated line plots drawn into the same canvases
// as those maps. Drawing only: every number drawn is handed in by the widget (from the
// convlab core). Canvases size themselves to their container's width (down to a 375px phone).

import { el, fmt } from './dom.js';

export const COLORS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285'];

// A canvas with an accessible name; `ratio` is height / width.
export function canvas(label, ratio = 0.55) {
  const c = el('canvas', { class: 'plot', role: 'img', 'aria-label': label });
  c.dataset.ratio = String(ratio);
  c.style.width = '100%';
  c.style.display = 'block';
  return c;
}

// Prepares the canvas for drawing at its displayed width; returns { g, w, h } in CSS pixels.
function context(c, maxWidth = 640) {
  const w = Math.max(200, Math.min(maxWidth, c.clientWidth || c.parentElement?.clientWidth || 340));
  const h = Math.round(w * Number(c.dataset.ratio || 0.55));
  const dpr = globalThis.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.style.maxWidth = `${maxWidth}px`;
  const g = c.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  return { g, w, h };
}

function range(values, pad = 0.05) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

// About five round tick values in [lo, hi] (exponents of 10 on a log axis).
function ticks(lo, hi, log) {
  if (log) {
    const out = [];
    for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) out.push(e);
    return out.length >= 2 ? out : [lo, hi];
  }
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((v) => v >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// series: [{ x, y, label, color, stem, dots, dash, width }]; opts: { xlabel, ylabel, logx,
// logy, xrange, yrange, marks: [{ x, label }] }. Log axes drop non-positive values.
export function linePlot(c, series, opts = {}) {
  const { g, w, h } = context(c);
  const L = 44; const R = 8; const T = 8 + 14 * Math.ceil(series.filter((s) => s.label).length / 2); const B = 30;
  const tx = opts.logx ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const ty = opts.logy ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const xs = series.flatMap((s) => Array.from(s.x, tx));
  const ys = series.flatMap((s) => Array.from(s.y, ty));
  const [x0, x1] = opts.xrange ? opts.xrange.map(tx) : range(xs, 0.02);
  const [y0, y1] = opts.yrange ? opts.yrange.map(ty) : range(opts.zero ? [...ys, 0] : ys);
  const px = (v) => L + ((v - x0) / (x1 - x0)) * (w - L - R);
  const py = (v) => h - B - ((v - y0) / (y1 - y0)) * (h - T - B);
  g.strokeStyle = '#bbb'; g.fillStyle = '#555'; g.lineWidth = 1;
  g.strokeRect(L, T, w - L - R, h - T - B);
  for (const vy of ticks(y0, y1, opts.logy)) { g.textAlign = 'right'; g.fillText(fmt(opts.logy ? 10 ** vy : vy, 3), L - 3, py(vy) + 4); }
  for (const vx of ticks(x0, x1, opts.logx)) {
    const X = px(vx);
    g.textAlign = X - L < 12 ? 'left' : w - R - X < 12 ? 'right' : 'center';
    g.fillText(fmt(opts.logx ? 10 ** vx : vx, 3), X, h - B + 13);
  }
  if (opts.xlabel) { g.textAlign = 'center'; g.fillText(opts.xlabel, (L + w - R) / 2, h - 3); }
  if (opts.ylabel) { g.save(); g.translate(10, (T + h - B) / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center'; g.fillText(opts.ylabel, 0, 0); g.restore(); }
  if (y0 < 0 && y1 > 0 && !opts.logy) { g.strokeStyle = '#ddd'; g.beginPath(); g.moveTo(L, py(0)); g.lineTo(w - R, py(0)); g.stroke(); }
  g.save(); g.beginPath(); g.rect(L, T, w - L - R, h - T - B); g.clip();
  series.forEach((s, k) => {
    const color = s.color || COLORS[k % COLORS.length];
    g.strokeStyle = color; g.fillStyle = color; g.lineWidth = s.width || 1.6;
    g.setLineDash(s.dash ? [5, 4] : []);
    const n = Math.min(s.x.length, s.y.length);
    if (s.stem) {
      for (let i = 0; i < n; i++) {
        const X = px(tx(s.x[i])); const Y = py(ty(s.y[i]));
        g.beginPath(); g.moveTo(X, py(Math.max(y0, Math.min(y1, 0)))); g.lineTo(X, Y); g.stroke();
        g.beginPath(); g.arc(X, Y, 3, 0, 2 * Math.PI); g.fill();
      }
    } else {
      g.beginPath(); let up = false;
      for (let i = 0; i < n; i++) {
        const X = px(tx(s.x[i])); const Y = py(ty(s.y[i]));
        if (!Number.isFinite(X) || !Number.isFinite(Y)) { up = false; continue; }
        if (up) g.lineTo(X, Y); else g.moveTo(X, Y);
        up = true;
      }
      g.stroke();
      if (s.dots) for (let i = 0; i < n; i++) { g.beginPath(); g.arc(px(tx(s.x[i])), py(ty(s.y[i])), 2.5, 0, 2 * Math.PI); g.fill(); }
    }
  });
  g.setLineDash([]);
  for (const m of opts.marks || []) {
    const X = px(tx(m.x)); g.strokeStyle = '#c92a2a'; g.fillStyle = '#c92a2a';
    g.beginPath(); g.moveTo(X, T); g.lineTo(X, h - B); g.stroke();
    const right = X + g.measureText(m.label).width + 6 > w - R;
    g.textAlign = right ? 'right' : 'left'; g.fillText(m.label, right ? X - 3 : X + 3, T + 11);
  }
  g.restore();
  let lx = L; let ly = 11;
  series.filter((s) => s.label).forEach((s) => {
    const color = s.color || COLORS[series.indexOf(s) % COLORS.length];
    const tw = g.measureText(s.label).width + 22;
    if (lx + tw > w) { lx = L; ly += 14; }
    g.fillStyle = color; g.fillRect(lx, ly - 6, 12, 3); g.fillStyle = '#333'; g.textAlign = 'left'; g.fillText(s.label, lx + 15, ly);
    lx += tw + 8;
  });
}

// Diverging blue-white-red for signed data, white-black for `gray` (0..max).
function colorOf(v, scale, gray) {
  const t = Math.max(-1, Math.min(1, v / scale));
  if (gray) { const c = Math.round(255 * (1 - Math.max(0, t))); return `rgb(${c},${c},${c})`; }
  if (t >= 0) { const c = Math.round(255 * (1 - t)); return `rgb(255,${c},${c})`; }
  const c = Math.round(255 * (1 + t)); return `rgb(${c},${c},255)`;
}

// Draws `data` (rows x cols, row-major) as cells. opts: { gray, scale, values (print numbers),
// marks: Set of flat indices to outline, mark2: second set (dashed), maxWidth }. Returns
// { cell, ox, oy } so a click can be mapped back to (row, col).
export function heatmap(c, data, rows, cols, opts = {}) {
  const { g, w } = context(c, opts.maxWidth || 640);
  const cell = Math.max(2, Math.floor(Math.min(w / cols, (opts.maxCell || 40))));
  const H = cell * rows;
  if (!opts.again && Math.abs(Number(c.dataset.ratio) * w - H) > 0.5) {
    c.dataset.ratio = String(H / w);
    return heatmap(c, data, rows, cols, { ...opts, again: true });
  }
  let scale = opts.scale;
  if (!scale) { scale = 0; for (const v of data) scale = Math.max(scale, Math.abs(v)); scale = scale || 1; }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      g.fillStyle = colorOf(v, scale, opts.gray);
      g.fillRect(j * cell, i * cell, cell, cell);
      if (opts.values && cell >= 22) {
        g.fillStyle = Math.abs(v / scale) > 0.6 ? '#fff' : '#222'; g.textAlign = 'center';
        g.fillText(fmt(v, 2), j * cell + cell / 2, i * cell + cell / 2 + 4);
      }
    }
  }
  if (opts.grid !== false && cell >= 8) {
    g.strokeStyle = 'rgba(0,0,0,0.12)'; g.lineWidth = 1;
    for (let i = 0; i <= rows; i++) { g.beginPath(); g.moveTo(0, i * cell + 0.5); g.lineTo(cols * cell, i * cell + 0.5); g.stroke(); }
    for (let j = 0; j <= cols; j++) { g.beginPath(); g.moveTo(j * cell + 0.5, 0); g.lineTo(j * cell + 0.5, H); g.stroke(); }
  }
  const outline = (set, color, dash) => {
    if (!set) return;
    g.strokeStyle = color; g.lineWidth = 2; g.setLineDash(dash ? [3, 2] : []);
    for (const k of set) g.strokeRect((k % cols) * cell + 1, Math.floor(k / cols) * cell + 1, cell - 2, cell - 2);
    g.setLineDash([]);
  };
  g.strokeStyle = '#999'; g.lineWidth = 1; g.strokeRect(0.5, 0.5, cols * cell - 1, H - 1);
  outline(opts.marks, opts.markColor || '#e67700', false);
  outline(opts.mark2, '#2b8a3e', true);
  return { cell };
}

// Maps a pointer event on a heat map drawn with `cell` size to { row, col } or null.
export function cellAt(c, event, cell, rows, cols) {
  const r = c.getBoundingClientRect();
  const col = Math.floor((event.clientX - r.left) / cell);
  const row = Math.floor((event.clientY - r.top) / cell);
  return row >= 0 && row < rows && col >= 0 && col < cols ? { row, col } : null;
}

// Redraws when the element's width changes (rotation, window resize).
export function onResize(node, draw) {
  if (typeof ResizeObserver !== 'function') return;
  let last = 0;
  new ResizeObserver(() => {
    const w = node.clientWidth;
    if (w && Math.abs(w - last) > 4) { last = w; draw(); }
  }).observe(node);
}

// A caption line under a figure.
export function caption(text) {
  return el('p', { class: 'note', text, style: 'font-size:.85rem;color:#555;margin:.2rem 0' });
}
