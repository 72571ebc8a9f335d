// misclassified.js: the held-out digits the network gets wrong, as small images captioned
// "true → predicted"; optionally only one (true, predicted) pair. Clicking one shows it in
// the feature-map view.
import { canvasFor, drawDigit } from './images.js';
import { el } from '../../widgets/_lib/dom.js';

const LIMIT = 120;

export class Misclassified {
  constructor(host, onPick) {
    this.host = host;
    this.onPick = onPick;
    this.filter = null;
  }

  update(test, predictions, side, classNames, filter = this.filter) {
    this.filter = filter;
    const wrong = [];
    for (let i = 0; i < test.n; i++) {
      if (predictions[i] === test.labels[i]) continue;
      if (filter && (test.labels[i] !== filter[0] || predictions[i] !== filter[1])) continue;
      wrong.push(i);
    }
    const items = wrong.slice(0, LIMIT).map((i) => {
      const cv = canvasFor(side, side, 42);
      drawDigit(cv, test.pixels, i * side * side);
      const b = el('button', { type: 'button', class: 'mis-item', title: `held-out #${i}: true ${classNames[test.labels[i]]}, predicted ${classNames[predictions[i]]}` },
        cv, el('span', { text: `${classNames[test.labels[i]]}→${classNames[predictions[i]]}` }));
      b.addEventListener('click', () => this.onPick(i));
      return b;
    });
    const what = filter ? `true ${classNames[filter[0]]} predicted ${classNames[filter[1]]}` : 'all classes';
    const clear = filter ? el('button', { type: 'button', class: 'linkish', text: 'show all', onclick: () => this.update(test, predictions, side, classNames, null) }) : null;
    const summary = el('p', { class: 'muted' }, `${wrong.length} misclassified (${what})${wrong.length > LIMIT ? `, first ${LIMIT} shown` : ''}. `, clear);
    this.host.replaceChildren(summary, el('div', { class: 'mis-grid' }, items));
  }
}
