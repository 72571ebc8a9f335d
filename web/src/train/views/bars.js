// bars.js: horizontal bars for the ten class probabilities (the largest highlighted).
import { el } from '../../widgets/_lib/dom.js';

export function probabilityBars(probabilities, classNames) {
  let best = 0;
  probabilities.forEach((p, i) => { if (p > probabilities[best]) best = i; });
  return el('div', { class: 'prob-bars', role: 'list' }, probabilities.map((p, i) => {
    const bar = el('span', { class: 'prob-bar' });
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    return el('div', { class: `prob-row${i === best ? ' best' : ''}`, role: 'listitem' },
      el('span', { class: 'prob-label', text: classNames[i] }),
      el('span', { class: 'prob-track' }, bar),
      el('span', { class: 'prob-value', text: `${(100 * p).toFixed(1)}%` }));
  }));
}
