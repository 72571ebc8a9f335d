// controls.js: the training page's controls: Start / Pause / Reset, and the settings form
// (native labelled inputs, read into a plain settings object, checked by settings.js's
// checkSettings, and written back from one).
import { el, nextId } from '../lib/dom.js';
import { CHOICES } from './settings.js';

// Friendlier names for some of the core's losses and activations; any other shows as its name.
const LOSS_LABELS = { mse: "squared error (LeNet's)", 'softmax-cross-entropy': 'softmax cross-entropy' };
const ACTIVATION_LABELS = { relu: 'ReLU' };

const BATCHES = ['1', '8', '16', '32', '64', '128', '256', '1000', 'all'];

function field(label, input) {
  const id = nextId('t');
  input.id = id;
  return el('div', { class: 'ctl' }, el('label', { for: id, text: label }), input);
}

function selectInput(name, options) {
  return el('select', { name }, options.map(([v, text]) => el('option', { value: v, text })));
}

function numberInput(name, { min, max, step }) {
  return el('input', { name, type: 'number', min, max, step, inputmode: 'decimal' });
}

export class SettingsForm {
  // datasets: the catalogue's entries; onChange(name): called when field `name` changes.
  constructor(host, datasets, onChange) {
    this.inputs = {
      dataset: selectInput('dataset', datasets.map((d) => [d.id, d.id === 'mnist' ? 'MNIST digits' : d.id === 'fashion' ? 'Fashion-MNIST' : d.id])),
      arch: selectInput('arch', [['lenet5', 'LeNet-5'], ['mlp', 'MLP 784-128-64-10']]),
      activation: selectInput('activation', CHOICES.activation.map((a) => [a, ACTIVATION_LABELS[a] ?? a])),
      pool: selectInput('pool', [['max', 'max'], ['avg', 'average']]),
      loss: selectInput('loss', CHOICES.loss.map((l) => [l, LOSS_LABELS[l] ?? l])),
      lr: numberInput('lr', { min: 0.000001, max: 10, step: 'any' }),
      momentum: numberInput('momentum', { min: 0, max: 0.999, step: 0.05 }),
      batch: selectInput('batch', BATCHES.map((b) => [b, b === 'all' ? 'all (steepest descent)' : b === '1' ? '1 (pure SGD)' : b])),
      epochs: numberInput('epochs', { min: 1, max: 200, step: 1 }),
      schedule: selectInput('schedule', [['cosine', 'cosine decay'], ['constant', 'constant']]),
      shift: selectInput('shift', [['0', 'none'], ['1', '±1 px'], ['2', '±2 px'], ['3', '±3 px']]),
      seed: numberInput('seed', { min: 0, max: 2147483647, step: 1 }),
    };
    const labels = {
      dataset: 'Data', arch: 'Network', activation: 'Activation', pool: 'Pooling', loss: 'Loss',
      lr: 'Learning rate', momentum: 'Momentum', batch: 'Batch size', epochs: 'Epochs',
      schedule: 'Schedule', shift: 'Random shifts', seed: 'Seed',
    };
    for (const [k, input] of Object.entries(this.inputs)) input.addEventListener('change', () => onChange(k));
    host.replaceChildren(...Object.entries(this.inputs).map(([k, input]) => field(labels[k], input)));
  }

  read() {
    const v = Object.fromEntries(Object.entries(this.inputs).map(([k, input]) => [k, input.value]));
    return {
      ...v,
      lr: Number(v.lr),
      momentum: Number(v.momentum),
      batch: v.batch === 'all' ? 'all' : Number(v.batch),
      epochs: Number(v.epochs),
      shift: Number(v.shift),
      seed: Number(v.seed),
    };
  }

  write(settings) {
    for (const [k, input] of Object.entries(this.inputs)) {
      const value = String(settings[k]);
      if (input.tagName === 'SELECT' && ![...input.options].some((o) => o.value === value)) {
        input.append(el('option', { value, text: value }));
      }
      input.value = value;
    }
  }

  setDisabled(disabled) {
    for (const input of Object.values(this.inputs)) input.disabled = disabled;
  }
}

// The run's buttons; handlers: { onStart, onPause, onReset }. Returns { start, pause, reset }.
export function buildButtons(host, { onStart, onPause, onReset }) {
  const start = el('button', { type: 'button', id: 't-start', class: 'primary', text: 'Start' });
  const pause = el('button', { type: 'button', id: 't-pause', text: 'Pause', hidden: true });
  const reset = el('button', { type: 'button', id: 't-reset', text: 'Reset' });
  start.addEventListener('click', onStart);
  pause.addEventListener('click', onPause);
  reset.addEventListener('click', onReset);
  host.replaceChildren(start, pause, reset);
  return { start, pause, reset };
}
