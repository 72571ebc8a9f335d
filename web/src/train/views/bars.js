// bars.js: horizontal bars for the ten class scores (the largest highlighted): softmax
// probabilities for the cross-entropy model, the outputs themselves (clipped to [0, 1]) for
// the squared-loss model, whose outputs estimate the one-hot code of the class.
import { el } from '../../lib/dom.js';

export function scoreCaption(loss) {
  return loss === 'mse' ? 'outputs (estimates of the one-hot code, clipped to [0, 1])' : 'class probabilities (softmax)';
}

// asPercent: softmax probabilities as percentages; otherwise raw outputs with two decimals.
export function probabilityBars(probabilities, classNames, asPercent = true) {
  let best = 0;
  probabilities.forEach((p, i) => { if (p > probabilities[best]) best = i; });
  return el('div', { class: 'prob-bars', role: 'list' }, probabilities.map((p, i) => {
    const bar = el('span', { class: 'prob-bar' });
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    return el('div', { class: `prob-row${i === best ? ' best' : ''}`, role: 'listitem' },
      el('span', { class: 'prob-label', text: classNames[i] }),
      el('span', { class: 'prob-track' }, bar),
      el('span', { class: 'prob-value', text: asPercent ? `${(100 * p).toFixed(1)}%` : p.toFixed(2) }));
  }));
}
