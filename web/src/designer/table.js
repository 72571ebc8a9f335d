// table.js: the designer's table of layers (analyse.js's figures, all from the core's
// network): output shape, parameters and multiply-adds per example of each layer, a
// residual block's own layers indented under it, and the totals. A refused design shows
// the layers before the one the core names, that layer's row with the core's message, and
// the rest as not reached. Raw figures sit in data-* attributes for the tests.

import { el } from '../lib/dom.js';
import { formatCount } from '../lib/format.js';

const shapeText = (shape) => (shape ? `(${shape.join(', ')})` : '–');

function rowsOf(analysis, design, prefix = '', depth = 0) {
  const out = [];
  analysis.rows.forEach((r, i) => {
    const label = `${prefix}${i}`;
    const tr = el('tr', { 'data-path': label, style: depth ? 'color:var(--muted)' : undefined },
      el('td', { text: label }),
      el('td', { text: `${'· '.repeat(depth)}${r.type}` }),
      el('td', { class: 'num', text: shapeText(r.outputShape) }),
      el('td', { class: 'num', text: formatCount(r.params) }),
      el('td', { class: 'num', text: formatCount(r.macs) }));
    Object.assign(tr.dataset, { shape: JSON.stringify(r.outputShape), params: String(r.params), macs: String(r.macs) });
    out.push(tr);
    if (r.sub) out.push(...rowsOf(r.sub, design[i].layers ?? [], `${label}.`, depth + 1));
  });
  return out;
}

// analysis: analyse()'s result for `design` (the top-level list).
export function shapeTable(analysis, design, inputShape) {
  const body = [el('tr', { class: 'd-input' }, el('td', { text: '' }), el('td', { text: 'input' }), el('td', { class: 'num', text: shapeText(inputShape) }), el('td'), el('td'))];
  body.push(...rowsOf(analysis, design));
  if (!analysis.ok) {
    const at = analysis.error.path[0] ?? analysis.rows.length;
    const bad = el('tr', { class: 'd-bad', 'data-path': String(at) },
      el('td', { text: String(at) }),
      el('td', { text: design[at]?.type ?? '' }),
      el('td', { colspan: 3, class: 'd-msg', text: analysis.error.message }));
    body.push(bad);
    for (let i = at + 1; i < design.length; i++) {
      body.push(el('tr', { class: 'd-unreached', 'data-path': String(i) }, el('td', { text: String(i) }), el('td', { text: design[i].type }), el('td', { colspan: 3, class: 'muted', text: 'not reached' })));
    }
  }
  const totals = analysis.ok
    ? el('tr', {}, el('th', { colspan: 2, text: 'total' }), el('td', { class: 'num', text: shapeText(analysis.outputShape) }), el('td', { class: 'num', text: formatCount(analysis.totals.params) }), el('td', { class: 'num', text: formatCount(analysis.totals.macs) }))
    : el('tr', {}, el('th', { colspan: 5, text: 'total: – (the design does not build)' }));
  const table = el('table', { class: 'd-shapes' },
    el('thead', {}, el('tr', {}, ...['#', 'layer', 'output shape', 'parameters', 'multiply-adds'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, body),
    el('tfoot', {}, totals));
  table.dataset.valid = String(analysis.ok);
  if (analysis.ok) Object.assign(table.dataset, { params: String(analysis.totals.params), macs: String(analysis.totals.macs) });
  return table;
}
