// train-panel.js: the designer on the training page. It keeps the designer, the settings
// form's "Network" choice and the page's link (#design=...) in step: LeNet-5 and the MLP are
// the page's fixed architectures (their activation and pooling come from the form), any
// other design or any edit is arch 'custom'. It holds the "Train this design" button,
// disabled with the reason while the design cannot be trained, and the export buttons.
// The page (main.js) owns the run; this panel only reports what the student asked for.

import { el } from '../lib/dom.js';
import { layersFor } from '../train/architectures.js';
import { toWorker } from '../train/protocol.js';
import { analyse } from './analyse.js';
import { CUSTOM } from '../train/settings.js';
import { Designer } from './view.js';
import { decodeDesign, designTextOfHash, writeDesignToLocation } from './url.js';

const FIXED = ['lenet5', 'mlp'];

export class TrainPanel {
  // host: the panel's element. form: the SettingsForm. onEdit(changed): the network changed
  // (true: the page says "press Reset") or its check came back (false: Reset follows it). onTrain(): the student asked to train the design now.
  // onExport(format): 'onnx' | 'pytorch'. analyser: the designer's (see view.js).
  constructor(host, { cl, form, classes = 10, onEdit, onTrain, onExport, analyser }) {
    this.form = form;
    this.onEdit = onEdit;
    this.train = el('button', { type: 'button', id: 'd-train', class: 'primary', text: 'Train this design', onclick: onTrain });
    this.reason = el('span', { id: 'd-train-reason', class: 'small', role: 'status' });
    this.exports = ['onnx', 'pytorch'].map((f) => el('button', { type: 'button', id: `d-export-${f}`, disabled: true, text: f === 'onnx' ? 'Export ONNX' : 'Export PyTorch', onclick: () => onExport(f) }));
    const designerHost = el('div');
    host.replaceChildren(designerHost,
      el('div', { class: 'controls' }, this.train, this.reason),
      el('div', { class: 'controls small' }, el('span', { class: 'muted', text: 'The trained network:' }), ...this.exports));
    this.designer = new Designer(designerHost, {
      cl,
      classes,
      design: layersFor(form.read()),
      onChange: () => this.edited(),
      onPreset: (id, layers) => this.preset(id, layers),
      analyser,
      onAnalysed: () => { this.update(); this.onEdit(false); },
    });
    this.busy = false;
    this.update();
  }

  // {arch, design} for the settings: the form's fixed architecture, or the design.
  read() {
    const arch = this.form.read().arch;
    return { arch, design: arch === CUSTOM ? this.designer.design : null };
  }

  // Shows the settings' network (a run that became ready, a loaded file).
  show(settings) {
    this.designer.setDesign(layersFor(settings));
    this.update();
  }

  // The form's architecture, activation or pooling changed.
  formChanged() {
    const s = this.form.read();
    if (FIXED.includes(s.arch)) this.designer.setDesign(layersFor(s));
    this.update();
  }

  edited() {
    if (this.form.read().arch !== CUSTOM) this.form.setValue('arch', CUSTOM);
    this.update();
    this.onEdit(true);
  }

  preset(id, layers) {
    this.form.setValue('arch', FIXED.includes(id) ? id : CUSTOM);
    this.designer.setDesign(FIXED.includes(id) ? layersFor(this.form.read()) : layers);
    this.update();
    this.onEdit(true);
  }

  // Why the design cannot be trained now, or null.
  get problem() {
    return this.designer.problem;
  }

  // busy: the page is loading or running (training a new design waits).
  setBusy(busy) {
    this.busy = busy;
    this.update();
  }

  setExportable(on) {
    for (const b of this.exports) b.disabled = !on;
  }

  update() {
    const custom = this.form.read().arch === CUSTOM;
    this.form.setApplicable({ activation: !custom, pool: !custom });
    const problem = this.problem;
    this.train.disabled = Boolean(problem) || this.busy;
    this.reason.textContent = problem ? `Cannot train this design: ${problem}` : '';
    this.reason.classList.toggle('d-reason-bad', Boolean(problem));
    writeDesignToLocation(custom ? this.designer.design : null);
  }
}

// The design of the page's link, or null; a link that does not decode gives { error }.
export function designFromLink(hash) {
  const text = designTextOfHash(hash);
  if (!text) return null;
  try {
    return { design: decodeDesign(text) };
  } catch (error) {
    return { error: error.message };
  }
}

// The designer's analyser on the training page: a large design takes the core longer than a
// frame to build, so it is built in the training worker (between two slices of training);
// while there is no worker to ask (start-up, a reset), in the page's core. post(msg) sends
// to the worker and returns false when there is none. answer(msg): the worker's reply.
export function workerAnalyser(core, post) {
  let ids = 0;
  const waiting = new Map();
  return {
    analyse: (design, inputShape) => {
      const id = ++ids;
      const asked = new Promise((resolve) => waiting.set(id, resolve));
      if (post(toWorker.analyse(id, design, inputShape)) === false) {
        waiting.delete(id);
        return analyse(core(), design, inputShape);
      }
      return asked;
    },
    answer: (msg) => {
      waiting.get(msg.id)?.(msg.analysis);
      waiting.delete(msg.id);
    },
  };
}
