// designer: the network designer alone (web/src/designer/), for lessons and embeds: presets,
// a palette of every layer kind of the core's registry, the list of layers with their
// fields, and the table of output shapes, parameters and multiply-adds per example, all
// from the core's network. A link opens the design on the training page to train it.
// Settings: { layers: a list of layer specs (cl.sequential's; default LeNet-5),
//   inputShape: [C, H, W] or [features] (default [1, 28, 28], an MNIST digit) }.

import { el } from '../../lib/dom.js';
import { int, numArray, validateWith } from '../../lib/validate.js';
import { checkDesignData } from '../../designer/model.js';
import { PRESETS } from '../../designer/presets.js';
import { hashWithDesign } from '../../designer/url.js';
import { Designer } from '../../designer/view.js';

const lenet = () => PRESETS.find((p) => p.id === 'lenet5').layers();

export default class DesignerWidget {
  static defaults = { layers: lenet(), inputShape: [1, 28, 28] };

  static validate(s) {
    return validateWith(s, DesignerWidget.defaults, {
      layers: (v, name) => checkDesignData(v, name),
      inputShape: (v, name) => numArray(v, name, { minLength: 1, maxLength: 3, min: 1, max: 4096 }).map((x, i) => int(x, `${name}[${i}]`, { min: 1, max: 4096 })),
    });
  }

  constructor(container, settings, ctx) {
    this.ctx = ctx;
    this.s = settings;
    this.link = el('a', { class: 'd-train-link', target: '_blank', rel: 'noopener', text: 'Train this design on the training page' });
    this.note = el('span', { class: 'muted small' });
    this.designer = new Designer(container, {
      cl: ctx.cl,
      design: settings.layers,
      inputShape: settings.inputShape,
      onChange: (layers) => {
        this.s = { ...this.s, layers };
        ctx.onChange(this.getState());
      },
      onAnalysed: () => this.updateLink(),
    });
    container.append(el('p', {}, this.link, ' ', this.note));
    this.updateLink();
  }

  // The training page takes 1x28x28 digits and 10 classes: the link is offered for designs
  // that fit them, and says why not otherwise.
  updateLink() {
    const a = this.designer.analysis;
    if (!a) return;
    const fits = this.s.inputShape.join() === '1,28,28';
    const problem = !fits ? 'the training page takes 1x28x28 digits' : a.ok && a.outputShape.reduce((x, y) => x * y, 1) !== 10 ? 'the training page needs 10 outputs' : null;
    this.link.href = new URL(`train.html${hashWithDesign('', this.s.layers)}`, location.href).href;
    this.link.hidden = Boolean(problem) || !a.ok;
    this.note.textContent = problem ? `(To train it, ${problem}.)` : '';
  }

  getState() {
    return JSON.parse(JSON.stringify(this.s));
  }

  setState(s) {
    this.s = DesignerWidget.validate(s);
    this.designer.inputShape = this.s.inputShape;
    this.designer.setDesign(this.s.layers);
    this.updateLink();
  }
}
