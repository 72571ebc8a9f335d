// confusion.js: the confusion matrix of the last held-out evaluation (rows: true class,
// columns: predicted class). Clicking a cell filters the misclassified digits to that pair.
import { el } from '../../lib/dom.js';
import { whenOnScreen } from '../../lib/throttle.js';

// The table is built once per set of classes and its cells rewritten in place after that:
// it follows every evaluation while training runs.
export class Confusion {
  constructor(host, onPick) {
    this.host = host;
    this.onPick = onPick;
    this.key = '';
    this.cells = [];
    this.counts = null;
    this.screen = whenOnScreen(host);
  }

  // Drawn while on screen; otherwise once scrolled into view (lib/throttle.js).
  update(confusion, classes, classNames) {
    this.screen.show(() => this.draw(confusion, classes, classNames));
  }

  draw(confusion, classes, classNames) {
    const key = JSON.stringify(classNames.slice(0, classes));
    if (key !== this.key) this.build(classes, classNames, key);
    this.counts = confusion;
    let max = 1;
    for (let t = 0; t < classes; t++) for (let p = 0; p < classes; p++) if (t !== p) max = Math.max(max, confusion[t * classes + p]);
    for (let t = 0; t < classes; t++) {
      for (let p = 0; p < classes; p++) {
        const n = confusion[t * classes + p];
        const td = this.cells[t * classes + p];
        td.textContent = String(n);
        td.className = t === p ? 'diag' : n ? 'off' : 'zero';
        td.title = `true ${classNames[t]}, predicted ${classNames[p]}: ${n}`;
        const pickable = t !== p && n > 0;
        td.style.backgroundColor = pickable ? `rgba(179, 38, 30, ${(0.1 + 0.7 * (n / max)).toFixed(3)})` : '';
        if (pickable) td.tabIndex = 0;
        else td.removeAttribute('tabindex');
      }
    }
  }

  build(classes, classNames, key) {
    this.key = key;
    const pickable = (t, p) => t !== p && this.counts?.[t * classes + p] > 0;
    const head = el('tr', {}, el('th', { class: 'corner', text: 'true ↓ / predicted →' }), classNames.slice(0, classes).map((c) => el('th', { scope: 'col', text: c })));
    const rows = [];
    this.cells = [];
    for (let t = 0; t < classes; t++) {
      const cells = [];
      for (let p = 0; p < classes; p++) {
        const td = el('td');
        td.addEventListener('click', () => { if (pickable(t, p)) this.onPick(t, p); });
        td.addEventListener('keydown', (e) => { if (e.key === 'Enter' && pickable(t, p)) this.onPick(t, p); });
        cells.push(td);
        this.cells.push(td);
      }
      rows.push(el('tr', {}, el('th', { scope: 'row', text: classNames[t] }), cells));
    }
    this.host.replaceChildren(el('table', { class: 'confusion' }, el('thead', {}, head), el('tbody', {}, rows)));
  }
}
