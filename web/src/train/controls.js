// controls.js: the training page's controls: Start / Pause / Reset, and the settings form
// (native labelled inputs, read into a plain settings object, checked by settings.js's
// checkSettings, and written back from one). The network itself is drawn by the designer
// (designer/train-panel.js); the form's "Network" names it: a fixed one or 'custom'. Inputs
// that do not apply (momentum for Adam, betas for SGD, activation for a design) are hidden.
import { el, nextId } from '../lib/dom.js';
import { CHOICES, CUSTOM } from './settings.js';

// Friendlier names for some of the core's losses and activations; any other shows as its name.
const LOSS_LABELS = { mse: "squared error (LeNet's)", 'softmax-cross-entropy': 'softmax cross-entropy' };
const ACTIVATION_LABELS = { relu: 'ReLU' };

const OPTIMIZER_LABELS = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop' };
// The inputs each optimiser uses (settings.js refuses the others away from their defaults).
const OPTIMIZER_INPUTS = { sgd: ['momentum', 'nesterov'], adam: ['beta1', 'beta2'], adamw: ['beta1', 'beta2'], rmsprop: ['momentum'] };

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
      arch: selectInput('arch', [['lenet5', 'LeNet-5'], ['mlp', 'MLP 784-128-64-10'], [CUSTOM, 'your design (below)']]),
      activation: selectInput('activation', CHOICES.activation.map((a) => [a, ACTIVATION_LABELS[a] ?? a])),
      pool: selectInput('pool', [['max', 'max'], ['avg', 'average']]),
      loss: selectInput('loss', CHOICES.loss.map((l) => [l, LOSS_LABELS[l] ?? l])),
      lr: numberInput('lr', { min: 0.000001, max: 10, step: 'any' }),
      optimizer: selectInput('optimizer', CHOICES.optimizer.map((o) => [o, OPTIMIZER_LABELS[o] ?? o])),
      momentum: numberInput('momentum', { min: 0, max: 0.999, step: 0.05 }),
      nesterov: el('input', { name: 'nesterov', type: 'checkbox' }),
      beta1: numberInput('beta1', { min: 0, max: 0.999, step: 0.01 }),
      beta2: numberInput('beta2', { min: 0, max: 0.9999, step: 0.001 }),
      weightDecay: numberInput('weightDecay', { min: 0, max: 1, step: 'any' }),
      batch: selectInput('batch', BATCHES.map((b) => [b, b === 'all' ? 'all (steepest descent)' : b === '1' ? '1 (pure SGD)' : b])),
      epochs: numberInput('epochs', { min: 1, max: 200, step: 1 }),
      schedule: selectInput('schedule', [['cosine', 'cosine decay'], ['constant', 'constant']]),
      shift: selectInput('shift', [['0', 'none'], ['1', '±1 px'], ['2', '±2 px'], ['3', '±3 px']]),
      seed: numberInput('seed', { min: 0, max: 2147483647, step: 1 }),
    };
    const labels = {
      dataset: 'Data', arch: 'Network', activation: 'Activation', pool: 'Pooling', loss: 'Loss',
      lr: 'Learning rate', optimizer: 'Optimiser', momentum: 'Momentum', nesterov: 'Nesterov',
      beta1: 'β1', beta2: 'β2', weightDecay: 'Weight decay', batch: 'Batch size', epochs: 'Epochs',
      schedule: 'Schedule', shift: 'Random shifts', seed: 'Seed',
    };
    for (const [k, input] of Object.entries(this.inputs)) input.addEventListener('change', () => onChange(k));
    this.fields = Object.fromEntries(Object.entries(this.inputs).map(([k, input]) => [k, field(labels[k], input)]));
    host.replaceChildren(...Object.values(this.fields));
  }

  read() {
    const { beta1, beta2, nesterov, ...v } = Object.fromEntries(Object.entries(this.inputs).map(([k, input]) => [k, input.value]));
    return {
      ...v,
      nesterov: this.inputs.nesterov.checked,
      betas: [Number(beta1), Number(beta2)],
      weightDecay: Number(v.weightDecay),
      lr: Number(v.lr),
      momentum: Number(v.momentum),
      batch: v.batch === 'all' ? 'all' : Number(v.batch),
      epochs: Number(v.epochs),
      shift: Number(v.shift),
      seed: Number(v.seed),
    };
  }

  write(settings) {
    const flat = { ...settings, beta1: settings.betas?.[0], beta2: settings.betas?.[1] };
    this.inputs.nesterov.checked = Boolean(settings.nesterov);
    for (const [k, input] of Object.entries(this.inputs)) {
      if (k === 'nesterov' || flat[k] === undefined) continue;
      const value = String(flat[k]);
      if (input.tagName === 'SELECT' && ![...input.options].some((o) => o.value === value)) {
        input.append(el('option', { value, text: value }));
      }
      input.value = value;
    }
    this.showOptimizerInputs();
  }

  // One field, as the student would set it (no change event).
  setValue(name, value) {
    this.write({ ...this.read(), [name]: value });
  }

  // Shows only the inputs the chosen optimiser uses.
  showOptimizerInputs() {
    const own = OPTIMIZER_INPUTS[this.inputs.optimizer.value] ?? [];
    for (const k of ['momentum', 'nesterov', 'beta1', 'beta2']) this.fields[k].hidden = !own.includes(k);
  }

  // applicable: { name: boolean }; an input that does not apply to the run is hidden.
  setApplicable(applicable) {
    for (const [k, on] of Object.entries(applicable)) this.fields[k].hidden = !on;
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
