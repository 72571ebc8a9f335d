// network.js: the Network class that cl.sequential returns. Layer specs and options go to
// the core as the caller's objects (it checks fields, names and ranges); arrays are copied
// into the heap through their true views, except the network's own staging views, which
// are already there and are passed by address: a training step on them copies and
// allocates nothing.
import { check, describe, floatArray, isFloat32Array, labelArray, optionsObject, show, trueView } from './args.js';

function shapeText(s) {
  return `[${Array.from(s, (d) => (typeof d === 'number' ? String(d) : describe(d))).join(', ')}]`;
}

// Checks a list of { name, shape, data } against a network's parameter (or buffer) views:
// every one exactly once, matched by name, with the same shape; data a Float32Array (read
// through its true view) or an array of numbers (copied first). Returns [{ v: view, d: data }]
// in list order; throws naming `list`, `list[i]` or `list[i].<field>` before anything is written.
function matchParameters(list, views, noun = 'parameter') {
  if (!Array.isArray(list)) throw new TypeError(`list: expected an array of { name, shape, data }, got ${describe(list)}`);
  const byName = new Map(views.map((v) => [v.name, v]));
  const seen = new Map();
  list.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw new TypeError(`list[${i}]: expected { name, shape, data }, got ${describe(p)}`);
    const v = byName.get(p.name);
    if (!v) throw new RangeError(`list[${i}].name: expected one of ${show(views.map((q) => q.name))}, got ${describe(p.name)}`);
    if (seen.has(p.name)) throw new RangeError(`list[${i}].name: '${p.name}' appears twice`);
    const s = p.shape;
    if (!Array.isArray(s) || s.length !== v.shape.length || s.some((d, k) => d !== v.shape[k])) {
      throw new RangeError(`list[${i}].shape: expected ${shapeText(v.shape)} for '${p.name}', got ${Array.isArray(s) ? shapeText(s) : describe(s)}`);
    }
    let d = p.data;
    if (isFloat32Array(d)) d = trueView(d);
    else if (Array.isArray(d)) {
      d = d.slice();
      if (!d.every((e) => typeof e === 'number')) throw new TypeError(`list[${i}].data: expected numbers only`);
      d = Float32Array.from(d);
    } else throw new TypeError(`list[${i}].data: expected a Float32Array, got ${describe(d)}`);
    if (d.length !== v.size) throw new RangeError(`list[${i}].data: expected ${v.size} elements for shape ${shapeText(v.shape)}, got ${d.length}`);
    seen.set(p.name, { v, d });
  });
  for (const v of views) {
    if (!seen.has(v.name)) throw new RangeError(`list: missing ${noun} '${v.name}'`);
  }
  return [...seen.values()];
}

// The save form of Adam's, AdamW's and RMSprop's state: "<optimizer>.step" and
// "<parameter>.<slot>" tensors (docs/api.md). SGD's buffers are named as their parameters.
const isSlotState = (list) => Array.isArray(list) && list.some((e) => typeof e?.name === 'string' && e.name.endsWith('.step'));

// Reads [{ name, shape, data }] whose names and shapes the core checks against its state's
// form; here only the types, and data through its true view or copied from numbers.
function stateTensors(list) {
  return list.map((p, i) => {
    if (p === null || typeof p !== 'object') throw new TypeError(`list[${i}]: expected { name, shape, data }, got ${describe(p)}`);
    if (typeof p.name !== 'string') throw new TypeError(`list[${i}].name: expected a string, got ${describe(p.name)}`);
    const s = p.shape;
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31)) {
      throw new TypeError(`list[${i}].shape: expected an array of integers, got ${Array.isArray(s) ? shapeText(s) : describe(s)}`);
    }
    let d = p.data;
    if (isFloat32Array(d)) d = trueView(d);
    else if (Array.isArray(d) && d.every((e) => typeof e === 'number')) d = Float32Array.from(d);
    else throw new TypeError(`list[${i}].data: expected a Float32Array or numbers, got ${describe(d)}`);
    return { name: p.name, shape: [...s], d };
  });
}

export class Network {
  #M;
  #heap;
  #handle;
  #inputShape;
  #outputShape;
  #inputSize;
  #finalizer;
  #staged = null; // { x, labels, batch } heap addresses of the last staging() call
  #hasGradients = false;

  constructor(M, heap, handle, finalizer) {
    this.#M = M;
    this.#heap = heap;
    this.#handle = handle;
    this.#inputShape = handle.inputShape();
    this.#outputShape = handle.outputShape();
    this.#inputSize = handle.inputSize();
    this.#finalizer = finalizer;
    finalizer?.register(this, handle, this);
  }

  #live(what) {
    if (!this.#handle) throw new Error(`${what}: this network was disposed`);
    return this.#handle;
  }

  get inputShape() {
    return [...this.#inputShape];
  }

  get outputShape() {
    return [...this.#outputShape];
  }

  get layers() {
    const h = this.#live('layers');
    return Array.from({ length: h.layerCount() }, (_, index) => ({
      index, type: h.layerType(index), outputShape: h.layerOutputShape(index),
    }));
  }

  // x as the bindings take it: the staged address when x is the staging view (no copy),
  // else its true view (copied by Heap.with).
  #input(x, name) {
    const v = floatArray(x, name);
    const s = this.#staged;
    if (s && v.buffer === this.#M.HEAPF32.buffer && v.byteOffset === s.x && v.length <= s.batch * this.#inputSize) {
      return { data: s.x, length: v.length };
    }
    return { data: v, length: v.length };
  }

  #labels(labels) {
    const v = labelArray(labels, 'labels');
    const s = this.#staged;
    if (s && v.buffer === this.#M.HEAP32.buffer && v.byteOffset === s.labels && v.length <= s.batch) {
      return { data: s.labels, length: v.length };
    }
    return { data: v, length: v.length };
  }

  // Fresh copies of the (shape...) floats at each view's `field` address.
  #copies(views, field) {
    const heap = this.#M.HEAPF32; // read after the call: the heap may have grown
    return views.map((p) => ({
      name: p.name, shape: p.shape, data: heap.slice(p[field] >> 2, (p[field] >> 2) + p.size),
    }));
  }

  parameters() {
    return this.#copies(this.#live('parameters').parameters(), 'data');
  }

  // One parameter by name, copied; the others are not touched.
  parameter(name) {
    const views = this.#live('parameter').parameters();
    const v = views.find((p) => p.name === name);
    if (!v) throw new RangeError(`name: expected one of ${show(views.map((p) => p.name))}, got ${describe(name)}`);
    return this.#copies([v], 'data')[0];
  }

  gradients() {
    const views = this.#live('gradients').parameters();
    if (!this.#hasGradients) throw new Error('gradients: none yet; call backward, trainStep or vjp first');
    return this.#copies(views, 'grad');
  }

  setParameters(list) {
    const entries = matchParameters(list, this.#live('setParameters').parameters());
    const heap = this.#M.HEAPF32;
    for (const { v, d } of entries) heap.set(d, v.data >> 2);
  }

  optimizerState() {
    return this.#copies(this.#live('optimizerState').optimizerState(), 'data');
  }

  // SGD's buffers are checked here as setParameters' list; the other optimisers' tensors by
  // the core, which knows their form. Nothing is written unless all of it is valid.
  setOptimizerState(list) {
    const h = this.#live('setOptimizerState');
    let entries;
    if (Array.isArray(list) && list.length === 0) entries = [];
    else if (isSlotState(list)) entries = stateTensors(list);
    else entries = matchParameters(list, h.parameters()).map(({ v, d }) => ({ name: v.name, shape: v.shape, d }));
    this.#heap.with(entries.map((e) => e.d), (...addresses) => h.setOptimizerState(entries.map((e, k) => ({
      name: e.name, shape: e.shape, data: addresses[k], size: e.d.length,
    }))));
  }

  // torch's module.train() / eval(): batch norm uses the batch's statistics (and updates its
  // running ones) in training mode, the running ones in eval mode; dropout is on only in
  // training mode. A network starts in training mode.
  train() {
    this.#live('train').setTraining(true);
    return this;
  }

  eval() {
    this.#live('eval').setTraining(false);
    return this;
  }

  get training() {
    return this.#live('training').training();
  }

  // Non-trainable state (batch norm's running_mean, running_var, num_batches_tracked), copied.
  buffers() {
    return this.#copies(this.#live('buffers').buffers(), 'data');
  }

  // Copies buffers in, matched by name like setParameters: every buffer exactly once.
  setBuffers(list) {
    const h = this.#live('setBuffers');
    const entries = matchParameters(list, h.buffers(), 'buffer');
    this.#heap.with(entries.map((e) => e.d), (...addresses) => h.setBuffers(entries.map(({ v }, k) => ({
      name: v.name, shape: v.shape, data: addresses[k], size: v.size,
    }))));
  }

  // Views of the network's own input and label buffers for `batch` examples, in WebAssembly
  // memory. Write a batch into them and pass them to trainStep / forward / backward /
  // evaluate: nothing is copied or allocated. Valid until the next call that may grow the
  // memory (any call with a larger batch, a new network, a one-off function); call staging
  // again then.
  staging(batch) {
    const s = check(this.#live('staging').staging(batch));
    this.#staged = s;
    const M = this.#M;
    return {
      x: new Float32Array(M.HEAPF32.buffer, s.x, s.batch * this.#inputSize),
      labels: new Int32Array(M.HEAP32.buffer, s.labels, s.batch),
    };
  }

  forward(x, batch) {
    const h = this.#live('forward');
    const a = this.#input(x, 'x');
    return this.#heap.with([a.data], (px) => h.forward(px, a.length, batch));
  }

  layerOutput(index) {
    return check(this.#live('layerOutput').layerOutput(index));
  }

  #withBatch(what, x, labels, fn) {
    const h = this.#live(what);
    const a = this.#input(x, 'x');
    const l = this.#labels(labels);
    return this.#heap.with([a.data, l.data], (px, pl) => fn(h, px, a.length, pl, l.length));
  }

  backward(x, labels, batch, options) {
    const o = optionsObject(options);
    const r = this.#withBatch('backward', x, labels, (h, px, nx, pl, nl) => h.backward(px, nx, pl, nl, batch, o));
    this.#hasGradients = true;
    return r;
  }

  trainStep(x, labels, batch, options) {
    const o = optionsObject(options);
    const r = this.#withBatch('trainStep', x, labels, (h, px, nx, pl, nl) => h.trainStep(px, nx, pl, nl, batch, o));
    this.#hasGradients = true;
    return r;
  }

  // { loss, accuracy, predictions: Int32Array } from the core, without gradients.
  evaluate(x, labels, batch, options) {
    const o = optionsObject(options);
    return this.#withBatch('evaluate', x, labels, (h, px, nx, pl, nl) => h.evaluate(px, nx, pl, nl, batch, o));
  }

  vjp(x, batch, gradOutput) {
    const h = this.#live('vjp');
    const a = this.#input(x, 'x');
    const d = floatArray(gradOutput, 'gradOutput');
    const gradInput = this.#heap.with([a.data, d], (px, pd) => h.vjp(px, a.length, batch, pd, d.length));
    this.#hasGradients = true;
    return { gradInput };
  }

  resetOptimizer() {
    this.#live('resetOptimizer').resetOptimizer();
  }

  get disposed() {
    return this.#handle === null;
  }

  // Frees the network's WebAssembly memory. Calling it again does nothing.
  dispose() {
    if (!this.#handle) return;
    this.#finalizer?.unregister(this);
    this.#handle.delete();
    this.#handle = null;
    this.#staged = null;
  }
}
