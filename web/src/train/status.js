// status.js: the page's text of what is going on: the core's status in the header, the
// message box (with optional action buttons), and the progress line of the run.

import { el, fmt } from '../lib/dom.js';
import { formatCount } from '../lib/format.js';

const $ = (id) => document.getElementById(id);

export function setStatus(text, ready = false) {
  const s = $('core-status');
  if (!s) return;
  s.textContent = text;
  s.classList.toggle('ready', ready);
}

export function message(text, actions = []) {
  const box = $('t-message');
  box.hidden = !text;
  box.replaceChildren(...(text ? [el('span', { text }), ...actions] : []));
}

// lastEval: the latest evaluation, or null.
export function showProgress(p, lastEval) {
  const epochIndex = Math.min(p.epoch + 1, p.totalEpochs);
  const within = p.epoch >= p.totalEpochs ? 1 : p.position / p.n;
  $('t-epoch-progress').value = within;
  const bits = [`Epoch ${epochIndex} of ${p.totalEpochs}`, `${Math.round(within * p.n)} / ${p.n} examples`];
  if (p.examplesPerSecond) bits.push(`${formatCount(Math.round(p.examplesPerSecond))} examples/s`);
  if (p.lr !== null && p.lr !== undefined) bits.push(`learning rate ${fmt(p.lr, 3)}`);
  if (lastEval) bits.push(`held-out accuracy ${(100 * lastEval.acc).toFixed(2)}%`);
  $('t-epoch-text').textContent = bits.join(' · ');
  const t = $('train').dataset;
  t.epochs = String(p.epochs);
  t.steps = String(p.steps);
  t.examplesPerSecond = String(Math.round(p.examplesPerSecond || 0));
}

// The loss stopped being finite: say so and offer a reset with learning rate `lr`.
export function divergedMessage(msg, lr, onReset) {
  const button = el('button', { type: 'button', text: `Reset with learning rate ${fmt(lr, 3)}` });
  button.addEventListener('click', onReset);
  message(`The loss became ${msg.loss} at epoch ${fmt(msg.epochs, 3)}${msg.lr !== null ? ` (learning rate ${fmt(msg.lr, 3)})` : ''}: the weights have blown up, so training stopped. A smaller learning rate usually fixes this. `, [button]);
}
