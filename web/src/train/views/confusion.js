// confusion.js: the confusion matrix of the last held-out evaluation (rows: true class,
// columns: predicted class). Clicking a cell filters the misclassified digits to that pair.
import { el } from '../../lib/dom.js';

export class Confusion {
  constructor(host, onPick) {
    this.host = host;
    this.onPick = onPick;
  }

  update(confusion, classes, classNames) {
    let max = 1;
    for (let t = 0; t < classes; t++) for (let p = 0; p < classes; p++) if (t !== p) max = Math.max(max, confusion[t * classes + p]);
    const head = el('tr', {}, el('th', { class: 'corner', text: 'true ↓ / predicted →' }), classNames.map((c) => el('th', { scope: 'col', text: c })));
    const rows = [];
    for (let t = 0; t < classes; t++) {
      const cells = [];
      for (let p = 0; p < classes; p++) {
        const n = confusion[t * classes + p];
        const td = el('td', { text: String(n), class: t === p ? 'diag' : n ? 'off' : 'zero', title: `true ${classNames[t]}, predicted ${classNames[p]}: ${n}` });
        if (t !== p && n) {
          td.style.backgroundColor = `rgba(179, 38, 30, ${(0.1 + 0.7 * (n / max)).toFixed(3)})`;
          td.tabIndex = 0;
          td.addEventListener('click', () => this.onPick(t, p));
          td.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.onPick(t, p); });
        }
        cells.push(td);
      }
      rows.push(el('tr', {}, el('th', { scope: 'row', text: classNames[t] }), cells));
    }
    this.host.replaceChildren(el('table', { class: 'confusion' }, el('thead', {}, head), el('tbody', {}, rows)));
  }
}
