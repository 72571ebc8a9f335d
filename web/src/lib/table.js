// table.js: matrices and vectors as small HTML tables (numbers the widget got from the core),
// with a caption naming what they are. Display only.

import { el, fmt } from './dom.js';

// data is (rows, cols) row-major; opts: { caption, digits, highlight: Set of flat indices }.
export function matrixTable(data, rows, cols, opts = {}) {
  const body = [];
  for (let i = 0; i < rows; i++) {
    const cells = [];
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const style = opts.highlight?.has(k) ? 'background:#fff3bf;font-weight:600' : undefined;
      cells.push(el('td', { text: fmt(data[k], opts.digits ?? 4), style }));
    }
    body.push(el('tr', {}, cells));
  }
  const t = el('table', { class: 'matrix-table', style: 'font-variant-numeric:tabular-nums;font-size:.85rem;text-align:right;margin:.2rem 0' },
    opts.caption ? el('caption', { text: opts.caption, style: 'caption-side:top;text-align:left;font-size:.85rem;color:#555' }) : null,
    el('tbody', {}, body));
  t.dataset.result = JSON.stringify(Array.from(data, Number));
  return t;
}

// A row of figures/tables that wraps on narrow screens.
export function row(...children) {
  return el('div', { style: 'display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:flex-start;overflow-x:auto' }, ...children);
}
