// analyse.js: what the core says about a design. The network is built by the core
// (cl.sequential), so every output shape, every parameter count and every refusal is the
// core's; the only arithmetic here is the multiply-add count per example, from the notes'
// formulas applied to the core's shapes:
//   conv2d           output elements x C_in/groups x R x S
//   convtranspose2d  input elements x out/groups x R x S (each input value meets R x S
//                    weights of every output channel of its group)
//   dense            in x out
//   residual         the sum over its layers
//   others           0 (pooling, activations, normalisation and dropout multiply by no
//                    weight; their few operations per element are not counted)
// DOM-free: the worker, the schema (through architectures.js) and Node tests use it.

import { editableFields, valueOf } from './model.js';

let registered = null;

// The page and the worker register their loaded core once, so that code without a handle on
// it (settings checks, parameter shapes for the run-file schema) can build a design.
export function useCore(cl) {
  registered = cl;
}

export function registeredCore() {
  return registered;
}

const prod = (shape) => shape.reduce((a, b) => a * b, 1);
const pair = (v) => (Array.isArray(v) ? v : [v, v]);

// Index path of the layer an error of the core names: "layers[3].layers[1].kernel: ..." ->
// [3, 1]; [] when it names none.
export function errorPath(message) {
  const m = /^((?:(?:layers)?\[\d+\]\.?)+)/.exec(String(message).replace(/^layers/, ''));
  if (!m) return [];
  return [...m[1].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
}

// Builds `design` in core `cl` for one example of `inputShape`. Throws the core's Error.
export function buildDesign(cl, design, inputShape, seed = 0) {
  return cl.sequential(design, { inputShape, seed });
}

// The { name, shape } of a design's parameters (or, with `which` 'buffers', of its buffers:
// batch norm's running statistics), in the core's order and naming; throws the core's Error
// for a design it refuses. Needs a registered core.
export function designTensorShapes(design, inputShape, which = 'parameters') {
  if (!registered) throw new Error('design: the WebAssembly core is not loaded, so a custom design cannot be checked');
  const net = buildDesign(registered, design, inputShape);
  try {
    return net[which]().map((p) => ({ name: p.name, shape: p.shape }));
  } finally {
    net.dispose();
  }
}

export const designParameterShapes = (design, inputShape) => designTensorShapes(design, inputShape);

function macsOf(registry, spec, inShape, outShape, sub) {
  const field = (name) => {
    const f = editableFields(registry, spec.type).find((x) => x.name === name);
    return f ? valueOf(spec, f) : undefined;
  };
  if (spec.type === 'conv2d' || spec.type === 'convtranspose2d') {
    const [r, s] = pair(field('kernel'));
    const groups = field('groups') ?? 1;
    if (spec.type === 'conv2d') return prod(outShape) * (inShape[0] / groups) * r * s;
    return prod(inShape) * (outShape[0] / groups) * r * s;
  }
  if (spec.type === 'dense') return prod(inShape) * outShape[0];
  if (sub) return sub.totals.macs;
  return 0;
}

// { ok, rows: [{ path, type, outputShape, params, macs, sub }], totals: { params, macs },
//   outputShape, error: null | { message, path } }. A refused design has ok false and no
// rows beyond those of the layers before the one the core names (built again up to it, so
// the table still shows where the shapes went).
export function analyse(cl, design, inputShape) {
  let net;
  try {
    net = buildDesign(cl, design, inputShape);
  } catch (error) {
    const message = error?.message ?? String(error);
    const path = errorPath(message);
    const head = path.length ? design.slice(0, path[0]) : [];
    let rows = [];
    if (head.length) {
      try {
        rows = analyse(cl, head, inputShape).rows;
      } catch { /* the part before the named layer fails on its own: show no rows */ }
    }
    return { ok: false, rows, totals: null, outputShape: null, error: { message, path } };
  }
  try {
    const params = new Map();
    for (const p of net.parameters()) {
      const i = Number(p.name.split('.')[0]);
      params.set(i, (params.get(i) ?? 0) + prod(p.shape));
    }
    const rows = [];
    let inShape = inputShape;
    net.layers.forEach((l, i) => {
      const spec = design[i];
      const nested = Object.entries(spec).find(([, v]) => Array.isArray(v) && v.some((x) => typeof x === 'object'));
      const sub = nested ? analyse(cl, nested[1], inShape) : null;
      rows.push({
        path: [i],
        type: l.type,
        outputShape: [...l.outputShape],
        params: params.get(i) ?? 0,
        macs: macsOf(cl.registry, spec, inShape, l.outputShape, sub),
        sub,
      });
      inShape = l.outputShape;
    });
    const totals = { params: rows.reduce((a, r) => a + r.params, 0), macs: rows.reduce((a, r) => a + r.macs, 0) };
    return { ok: true, rows, totals, outputShape: [...net.outputShape], error: null };
  } finally {
    net.dispose();
  }
}
