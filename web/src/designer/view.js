// view.js: the network designer: presets, a palette with a button per layer kind of the
// core's registry, the list of layers (each with move up / move down / remove buttons and an
// input per field the registry lists, typed by the field's registry type), and the table of
// shapes, parameters and multiply-adds (table.js). Every change rebuilds the design in the
// core (analyse.js, here or, through `analyser`, in a worker: a large design takes the core
// a while to build); a design the core refuses marks the layer it names with its message.
// The design itself is plain data (model.js); this file only draws it and reports edits.

import { el, nextId, result } from '../lib/dom.js';
import { formatCount } from '../lib/format.js';
import { analyse } from './analyse.js';
import { addLayer, editableFields, fieldText, isListField, moveLayer, parseFieldText, removeLayer, setField, defaultOf } from './model.js';
import { availablePresets, presetOf } from './presets.js';
import { shapeTable } from './table.js';

const pathKey = (path) => path.join('.');

export class Designer {
  // host: an empty element. cl: the loaded core. design: the starting list of layers.
  // onChange(design): after every edit by the student (not after setDesign).
  // onPreset(id): a preset button was pressed (the page maps LeNet-5 and the MLP to its
  // fixed architectures); without it a preset is loaded as a design like any other.
  // classes: the outputs the data needs (the training page's 10), or null to accept any.
  // analyser(design, inputShape): analyse()'s result or a promise of it (default: in `cl`
  // here). onAnalysed(): after each table drawn.
  constructor(host, { cl, design, inputShape = [1, 28, 28], classes = null, onChange = () => {}, onPreset = null, analyser = null, onAnalysed = () => {} }) {
    this.cl = cl;
    this.classes = classes;
    this.analyser = analyser ?? ((d, shape) => analyse(cl, d, shape));
    this.onAnalysed = onAnalysed;
    this.asked = 0; // the latest analysis asked for; older answers are dropped
    this.analysis = null;
    this.registry = cl.registry;
    this.inputShape = inputShape;
    this.onChange = onChange;
    this.onPreset = onPreset;
    this.kinds = this.registry.layers.map((l) => l.type);
    this.root = el('div', { class: 'designer' });
    this.presets = el('div', { class: 'controls d-presets' }, el('span', { class: 'muted small', text: 'Start from:' }),
      availablePresets(this.kinds).map((p) => el('button', { type: 'button', 'data-preset': p.id, text: p.label, onclick: () => this.pickPreset(p) })));
    this.palette = el('div', { class: 'controls d-palette' }, el('span', { class: 'muted small', text: 'Add a layer:' }),
      this.kinds.map((k) => el('button', { type: 'button', 'data-kind': k, 'aria-label': `Add a ${k} layer at the end`, text: `+ ${k}`, onclick: () => this.edit(addLayer(this.design, this.registry, k)) })));
    this.list = el('ol', { class: 'd-layers', start: 0, 'aria-label': 'Layers, input first' });
    this.tableHost = el('div', { class: 'd-table' });
    this.status = el('p', { class: 'd-status', role: 'status' });
    this.paramsOut = result('Parameters:');
    this.macsOut = result('Multiply-adds per example:');
    this.root.append(this.presets, this.palette,
      el('div', { class: 'd-grid' }, this.list, el('div', {}, this.tableHost, this.paramsOut.root, this.macsOut.root, this.status)));
    host.append(this.root);
    this.setDesign(design);
  }

  // Shows `design` (from a preset, a link or a loaded run); does not call onChange.
  setDesign(design) {
    this.design = JSON.parse(JSON.stringify(design));
    this.renderList();
    this.refresh();
  }

  pickPreset(p) {
    if (this.onPreset) this.onPreset(p.id, p.layers());
    else this.edit(p.layers());
  }

  // A student's edit: show it and report it. focus: [path, role] of the control to focus
  // after the list is drawn again (a moved layer's button follows it).
  edit(design, focus = null, redraw = true) {
    this.design = design;
    if (redraw) this.renderList(focus);
    this.refresh();
    this.onChange(this.design);
  }

  // Why this design cannot be trained (the core's refusal, or an output that does not
  // match the classes), or null.
  get problem() {
    const a = this.analysis;
    if (!a) return 'the design is being checked';
    if (!a.ok) return a.error.message;
    const n = a.outputShape.reduce((x, y) => x * y, 1);
    if (this.classes !== null && n !== this.classes) return `the network ends with ${n} outputs, the data has ${this.classes} classes (end with { type: 'dense', out: ${this.classes} })`;
    return null;
  }

  // ---- the table and the marks ----

  refresh() {
    const id = ++this.asked;
    const design = this.design;
    this.root.dataset.checking = 'true';
    Promise.resolve(this.analyser(design, this.inputShape)).then((a) => {
      if (id !== this.asked) return;
      this.analysis = a;
      this.analysedDesign = design;
      this.draw(a);
      this.root.dataset.checking = 'false';
      this.onAnalysed();
    }, (error) => {
      if (id === this.asked) this.status.textContent = `The design could not be checked: ${error.message}`;
    });
  }

  draw(a) {
    this.tableHost.replaceChildren(shapeTable(a, this.design, this.inputShape));
    if (a.ok) {
      this.paramsOut.set(formatCount(a.totals.params), a.totals.params);
      this.macsOut.set(formatCount(a.totals.macs), a.totals.macs);
      this.status.textContent = this.problem ? `The design builds, but ${this.problem}.` : `The design builds: output ${a.outputShape.join('x')}.`;
    } else {
      this.paramsOut.set('–', null);
      this.macsOut.set('–', null);
      this.status.textContent = `The design does not build: ${a.error.message}`;
    }
    this.root.dataset.valid = String(a.ok);
    this.root.dataset.trainable = String(!this.problem);
    this.root.dataset.preset = presetOf(this.design) ?? '';
    this.markLayers(a);
  }

  // The deepest drawn layer on the path the core names carries the message. Called after
  // every drawing of the list too, so that a redraw never drops the mark of the design shown.
  markLayers(a) {
    let bad = null;
    for (let k = a.ok ? 0 : a.error.path.length; k > 0 && !bad; k--) {
      bad = this.list.querySelector(`li.d-layer[data-path="${pathKey(a.error.path.slice(0, k))}"]`);
    }
    for (const li of this.list.querySelectorAll('li.d-layer')) {
      const msg = li.querySelector(':scope > .d-error');
      li.classList.toggle('d-bad', li === bad);
      msg.hidden = li !== bad;
      msg.textContent = li === bad ? a.error.message : '';
    }
  }

  // ---- the list of layers ----

  renderList(focus = null) {
    this.list.replaceChildren(...this.design.map((spec, i) => this.layerItem(spec, [i], this.design.length)));
    if (this.analysis && this.analysedDesign === this.design) this.markLayers(this.analysis);
    if (focus) {
      const [path, role] = focus;
      // The same button of the moved layer; at an end of the list, where that button is
      // disabled, its other move button or its remove button.
      const key = pathKey([path].flat());
      const target = [role, role === 'up' ? 'down' : 'up', 'remove'].map((r) => this.list.querySelector(`[data-focus="${key}:${r}"]`)).find((b) => b && !b.disabled)
        ?? this.list.querySelector('[data-focus$=":remove"]');
      target?.focus();
    }
  }

  layerItem(spec, path, siblings) {
    const key = pathKey(path);
    const i = path[path.length - 1];
    const name = `layer ${key} (${spec.type})`;
    const tool = (role, text, label, onclick, disabled = false) => el('button', { type: 'button', class: 'd-tool', 'data-focus': `${key}:${role}`, 'aria-label': label, title: label, text, onclick, disabled });
    const head = el('div', { class: 'd-head' },
      el('span', { class: 'd-index', text: key }), el('strong', { text: spec.type }),
      tool('up', '↑', `Move ${name} up`, () => this.edit(moveLayer(this.design, path, -1), [[...path.slice(0, -1), i - 1], 'up']), i === 0),
      tool('down', '↓', `Move ${name} down`, () => this.edit(moveLayer(this.design, path, 1), [[...path.slice(0, -1), i + 1], 'down']), i === siblings - 1),
      tool('remove', '✕', `Remove ${name}`, () => this.edit(removeLayer(this.design, path), [[...path.slice(0, -1), Math.max(0, i - 1)], 'remove'])));
    const fields = editableFields(this.registry, spec.type).map((f) => this.fieldControl(spec, path, f));
    return el('li', { class: 'd-layer', 'data-path': key, 'data-type': spec.type }, head,
      el('div', { class: 'd-fields' }, fields), el('p', { class: 'd-error', role: 'alert', hidden: true }));
  }

  fieldControl(spec, path, f) {
    const id = nextId('d');
    const label = el('label', { for: id, text: f.name });
    const set = (value) => {
      const d = defaultOf(f, spec);
      const same = d !== undefined && JSON.stringify(value) === JSON.stringify(d);
      this.edit(setField(this.design, path, f.name, same ? undefined : value), null, false);
    };
    if (isListField(f)) return this.subList(spec, path, f);
    let input;
    const value = f.name in spec ? spec[f.name] : undefined;
    if (f.type === 'boolean') {
      input = el('input', { id, type: 'checkbox', name: f.name });
      input.checked = value ?? defaultOf(f, spec) ?? false;
      input.addEventListener('change', () => set(input.checked));
      return el('div', { class: 'ctl ctl-check' }, input, label);
    }
    const choices = f.type === 'name' && f.name === 'method' ? ['auto', ...(this.registry.methods.conv2d ?? [])] : null;
    if (choices) {
      input = el('select', { id, name: f.name }, choices.map((c) => el('option', { value: c, text: c })));
      input.value = value ?? defaultOf(f, spec) ?? choices[0];
      input.addEventListener('change', () => set(input.value));
    } else {
      const numeric = f.type === 'positive-int' || f.type === 'number';
      const d = defaultOf(f, spec);
      input = el('input', { id, name: f.name, type: numeric ? 'number' : 'text', step: f.type === 'positive-int' ? 1 : numeric ? 'any' : undefined, min: f.type === 'positive-int' ? 1 : undefined, size: 6, placeholder: d === undefined ? (f.default === 'required' ? 'required' : f.default) : fieldText(d), autocomplete: 'off' });
      input.value = fieldText(value);
      input.addEventListener('input', () => set(parseFieldText(input.value, f)));
    }
    return el('div', { class: 'ctl' }, label, input);
  }

  // A residual block's layers: the same items, nested, with their own "add" control.
  subList(spec, path, f) {
    const list = spec[f.name] ?? [];
    const id = nextId('d');
    const kind = el('select', { id }, this.kinds.map((k) => el('option', { value: k, text: k })));
    const add = el('button', { type: 'button', 'data-focus': `${pathKey(path)}:add`, text: 'Add to block', onclick: () => this.edit(addLayer(this.design, this.registry, kind.value, path), [path, 'add']) });
    return el('div', { class: 'd-sub' },
      el('ol', { class: 'd-layers', start: 0 }, list.map((s, j) => this.layerItem(s, [...path, j], list.length))),
      el('div', { class: 'controls' }, el('label', { for: id, text: `${f.name}:` }), kind, add));
  }
}
