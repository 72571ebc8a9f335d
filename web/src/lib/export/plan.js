// plan.js: turns a trained network as plain data ({ layers, inputShape, parameters, buffers },
// the specs as net.layers reports them, tensors as net.parameters() / net.buffers() return
// them) into an export plan that the PyTorch and ONNX writers walk: every layer with its fields
// resolved (defaults filled, pairs as [h, w], 'same' padding as explicit pads), its input and
// output shape, and its tensors, each matched by name and checked against the shape its layer
// implies. Pure JavaScript, no core: the export runs where the network's numbers are, the page
// or the worker. It does not compute any layer; the shape rules below are only the output-size
// formulas PyTorch documents, used to size tensors and refuse what the writers cannot express.
//
// Anything the writers cannot express exactly is refused with an Error naming the layer
// ("layers[3]: ... cannot be exported"), as is any field, parameter or buffer that would
// otherwise be left out of the file.

const REQUIRED = Symbol('required');

// Per kind: its fields and their defaults (the core's registry defaults; 'kernel' means "the
// kernel's value"), and its plan: the fields checked, the output shape, the tensors it needs.
// `method` picks how convlab computes a convolution, never what it computes, so it has no
// place in the file.
const KINDS = {
  conv2d: { fields: { out: REQUIRED, kernel: REQUIRED, stride: 1, padding: 0, bias: true, method: 'auto', dilation: 1, groups: 1 }, plan: conv2d },
  convtranspose2d: { fields: { out: REQUIRED, kernel: REQUIRED, stride: 1, padding: 0, outputPadding: 0, dilation: 1, groups: 1, bias: true, method: 'auto' }, plan: convTranspose2d },
  maxpool2d: { fields: { kernel: REQUIRED, stride: 'kernel', padding: 0, dilation: 1, ceilMode: false }, plan: pool2d },
  avgpool2d: { fields: { kernel: REQUIRED, stride: 'kernel', padding: 0, ceilMode: false, countIncludePad: true }, plan: pool2d },
  globalavgpool2d: { fields: {}, plan: (n) => ({ out: [chw(n)[0], 1, 1] }) },
  relu: { fields: {}, plan: same },
  sigmoid: { fields: {}, plan: same },
  tanh: { fields: {}, plan: same },
  leakyrelu: { fields: { negativeSlope: 0.01 }, plan: (n) => checked(n, 'negativeSlope', -Infinity, Infinity) },
  softmax: { fields: {}, plan: same },
  dropout: { fields: { p: 0.5 }, plan: (n) => checked(n, 'p', 0, 1) },
  flatten: { fields: {}, plan: (n) => ({ out: [size(n.in)] }) },
  dense: { fields: { out: REQUIRED, bias: true }, plan: dense },
  batchnorm2d: { fields: { eps: 1e-5, momentum: 0.1 }, plan: (n) => batchnorm(n, chw(n)[0]) },
  batchnorm1d: { fields: { eps: 1e-5, momentum: 0.1 }, plan: (n) => batchnorm(n, flat(n)) },
  residual: { fields: { layers: REQUIRED }, plan: residual },
};

// The layer kinds both writers cover and each one's fields (a test checks cl.registry against it).
export const EXPORTABLE = Object.freeze(Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [k, Object.freeze(Object.keys(v.fields))])));

// Keys net.layers reports beside a spec's fields: read (outputShape is cross-checked), not exported.
const REPORTED = new Set(['type', 'index', 'outputShape']);

function refuse(at, why) {
  throw new RangeError(`${at}: ${why}; cannot be exported`);
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);
const shapeText = (shape) => `[${shape.join(', ')}]`;

function shown(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
  } catch {
    return String(v);
  }
}

function chw(n) {
  if (n.in.length !== 3) refuse(n.at, `${n.type} needs a (C, H, W) input, but its input is ${shapeText(n.in)}`);
  return n.in;
}

function flat(n) {
  if (n.in.length !== 1) refuse(n.at, `${n.type} needs a flat input, but its input is ${shapeText(n.in)}`);
  return n.in[0];
}

function same(n) {
  return { out: n.in };
}

// A shape-keeping layer with one number field in [lo, hi].
function checked(n, field, lo, hi) {
  n[field] = real(n[field], `${n.at}.${field}`, lo, hi);
  return same(n);
}

// ---- field readers (each names the field it refuses) -----------------------------------------

function int(v, name, min) {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name}: expected an integer >= ${min}, got ${shown(v)}`);
  return v;
}

function pair(v, name, min) {
  if (Array.isArray(v) && v.length === 2) return [int(v[0], `${name}[0]`, min), int(v[1], `${name}[1]`, min)];
  if (typeof v === 'number') return [int(v, name, min), int(v, name, min)];
  throw new RangeError(`${name}: expected an integer or [h, w], got ${shown(v)}`);
}

function bool(v, name) {
  if (typeof v !== 'boolean') throw new RangeError(`${name}: expected true or false, got ${shown(v)}`);
  return v;
}

function real(v, name, lo, hi) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${name}: expected a number in [${lo}, ${hi}], got ${shown(v)}`);
  return v;
}

// The spec with every field present: unknown keys refused, missing optional ones defaulted.
function filled(spec, at) {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new TypeError(`${at}: expected a layer object, got ${shown(spec)}`);
  const kind = KINDS[spec.type];
  if (!Object.hasOwn(KINDS, spec.type)) refuse(at, `layer type ${shown(spec.type)} has no PyTorch / ONNX mapping`);
  const out = { type: spec.type };
  for (const key of Object.keys(spec)) {
    if (!REPORTED.has(key) && !Object.hasOwn(kind.fields, key)) refuse(`${at}.${key}`, `unknown field of ${spec.type}`);
  }
  for (const [key, def] of Object.entries(kind.fields)) {
    const v = spec[key] ?? (def === 'kernel' ? spec.kernel : def);
    if (v === REQUIRED) throw new RangeError(`${at}.${key}: required for ${spec.type}`);
    out[key] = v;
  }
  return out;
}

// ---- shape rules --------------------------------------------------------------------------

// Convolution padding as [top, left, bottom, right]; 'same' is PyTorch's split (stride 1, the
// extra pad of an even kernel after), the split convlab's core makes too.
function convPads(n, kernel, dilation) {
  const p = n.padding;
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    if (n.stride[0] !== 1 || n.stride[1] !== 1) throw new RangeError(`${n.at}.padding: 'same' needs stride 1`);
    const total = [0, 1].map((a) => dilation[a] * (kernel[a] - 1));
    return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
  }
  const [h, w] = pair(p, `${n.at}.padding`, 0);
  return [h, w, h, w];
}

function positive(n, shape) {
  if (shape.some((d) => d < 1)) refuse(n.at, `its output would be ${shapeText(shape)}`);
  return shape;
}

// The fields convolution and transposed convolution share; returns the input's [C, H, W].
function convFields(n) {
  const [C, H, W] = chw(n);
  n.out = int(n.out, `${n.at}.out`, 1);
  n.kernel = pair(n.kernel, `${n.at}.kernel`, 1);
  n.stride = pair(n.stride, `${n.at}.stride`, 1);
  n.dilation = pair(n.dilation, `${n.at}.dilation`, 1);
  n.bias = bool(n.bias, `${n.at}.bias`);
  n.groups = int(n.groups, `${n.at}.groups`, 1);
  if (C % n.groups || n.out % n.groups) throw new RangeError(`${n.at}.groups: ${n.groups} must divide the input channels (${C}) and out (${n.out})`);
  return [C, H, W];
}

function conv2d(n) {
  const [C, H, W] = convFields(n);
  n.same = n.padding === 'same';
  n.pads = convPads(n, n.kernel, n.dilation);
  const o = [0, 1].map((a) => Math.floor(([H, W][a] + n.pads[a] + n.pads[a + 2] - n.dilation[a] * (n.kernel[a] - 1) - 1) / n.stride[a]) + 1);
  n.params = { weight: [n.out, C / n.groups, ...n.kernel], ...(n.bias ? { bias: [n.out] } : {}) };
  return { out: positive(n, [n.out, ...o]) };
}

// Weight (C_in, out / groups, R, S), as nn.ConvTranspose2d.
function convTranspose2d(n) {
  const [C, H, W] = convFields(n);
  n.padding = pair(n.padding, `${n.at}.padding`, 0);
  n.outputPadding = pair(n.outputPadding, `${n.at}.outputPadding`, 0);
  for (const a of [0, 1]) {
    if (n.outputPadding[a] >= Math.max(n.stride[a], n.dilation[a])) throw new RangeError(`${n.at}.outputPadding: must be smaller than stride or dilation`);
  }
  const o = [0, 1].map((a) => ([H, W][a] - 1) * n.stride[a] - 2 * n.padding[a] + n.dilation[a] * (n.kernel[a] - 1) + n.outputPadding[a] + 1);
  n.params = { weight: [C, n.out / n.groups, ...n.kernel], ...(n.bias ? { bias: [n.out] } : {}) };
  return { out: positive(n, [n.out, ...o]) };
}

// PyTorch's pooling output size, ceil mode's last window starting inside the input or the
// left padding.
function pool2d(n) {
  const [C, H, W] = chw(n);
  n.kernel = pair(n.kernel, `${n.at}.kernel`, 1);
  n.stride = pair(n.stride, `${n.at}.stride`, 1);
  n.padding = pair(n.padding, `${n.at}.padding`, 0);
  n.dilation = n.type === 'maxpool2d' ? pair(n.dilation, `${n.at}.dilation`, 1) : [1, 1];
  n.ceilMode = bool(n.ceilMode, `${n.at}.ceilMode`);
  if (n.type === 'avgpool2d') n.countIncludePad = bool(n.countIncludePad, `${n.at}.countIncludePad`);
  if (n.padding.some((p, a) => 2 * p > n.kernel[a])) throw new RangeError(`${n.at}.padding: at most half the kernel, as PyTorch's pooling`);
  // dropsLast[a]: ceil mode's extra window on axis a starts in the right padding, and PyTorch
  // drops it (ONNX keeps it).
  n.dropsLast = [false, false];
  const o = [0, 1].map((a) => {
    const span = [H, W][a] + 2 * n.padding[a] - n.dilation[a] * (n.kernel[a] - 1) - 1;
    const r = (n.ceilMode ? Math.ceil(span / n.stride[a]) : Math.floor(span / n.stride[a])) + 1;
    n.dropsLast[a] = n.ceilMode && (r - 1) * n.stride[a] >= [H, W][a] + n.padding[a];
    return n.dropsLast[a] ? r - 1 : r;
  });
  return { out: positive(n, [C, ...o]) };
}

function dense(n) {
  const features = flat(n);
  n.out = int(n.out, `${n.at}.out`, 1);
  n.bias = bool(n.bias, `${n.at}.bias`);
  n.params = { weight: [n.out, features], ...(n.bias ? { bias: [n.out] } : {}) };
  return { out: [n.out] };
}

function batchnorm(n, channels) {
  n.eps = real(n.eps, `${n.at}.eps`, 0, Infinity);
  n.momentum = real(n.momentum, `${n.at}.momentum`, 0, 1);
  n.params = { weight: [channels], bias: [channels] };
  n.buffers = { running_mean: [channels], running_var: [channels], num_batches_tracked: null };
  return { out: n.in };
}

// The block's tensors are named "<i>.layers.<j>.weight" (a module holding an nn.Sequential
// `layers`), or "<i>.<j>.weight" (the block an nn.Sequential itself) when the tensors given
// are named so; n.flat says which, for the PyTorch writer.
function residual(n, names) {
  if (!Array.isArray(n.layers) || n.layers.length === 0) throw new RangeError(`${n.at}.layers: expected a non-empty array of layer objects`);
  const named = (start) => names !== null && [...names].some((s) => s.startsWith(start));
  n.flat = !named(`${n.prefix}.layers.`) && named(`${n.prefix}.`);
  n.body = planLayers(n.layers, n.in, `${n.at}.layers`, n.flat ? `${n.prefix}.` : `${n.prefix}.layers.`, names);
  const last = n.body[n.body.length - 1].outShape;
  if (shapeText(last) !== shapeText(n.in)) refuse(n.at, `its layers turn ${shapeText(n.in)} into ${shapeText(last)}, which cannot be added to the input`);
  delete n.layers;
  return { out: n.in };
}

// ---- tensors --------------------------------------------------------------------------------

// { name -> { shape, data, used } } from a [{ name, shape, data }] list.
function tensorMap(list, what) {
  if (!Array.isArray(list)) throw new TypeError(`${what}: expected an array of { name, shape, data }, got ${shown(list)}`);
  const map = new Map();
  list.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || typeof t.name !== 'string') throw new TypeError(`${what}[${i}]: expected { name, shape, data }`);
    if (map.has(t.name)) throw new RangeError(`${what}[${i}].name: '${t.name}' appears twice`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError(`${what}[${i}].shape: expected an array of sizes`);
    const data = t.data instanceof Float32Array ? t.data
      : Array.isArray(t.data) && t.data.every((e) => typeof e === 'number') ? Float32Array.from(t.data) : null;
    if (!data) throw new TypeError(`${what}[${i}].data: expected a Float32Array`);
    if (data.length !== size(t.shape)) throw new RangeError(`${what}[${i}].data: expected ${size(t.shape)} elements for shape ${shapeText(t.shape)}, got ${data.length}`);
    map.set(t.name, { shape: t.shape, data, used: false });
  });
  return map;
}

// The tensors a layer needs, by name, each of the shape its spec implies (null: any shape
// holding one number, for num_batches_tracked, whose rank convlab may report either way).
function take(map, what, n, expected) {
  const out = {};
  for (const [field, shape] of Object.entries(expected)) {
    const name = `${n.prefix}.${field}`;
    const t = map.get(name);
    if (!t) refuse(n.at, `${what} has no '${name}'`);
    if (shape ? shapeText(t.shape) !== shapeText(shape) : t.data.length !== 1) {
      refuse(n.at, `${what} '${name}' has shape ${shapeText(t.shape)}, but the layer needs ${shape ? shapeText(shape) : 'one number'}`);
    }
    t.used = true;
    out[field] = { name, shape: shape ?? [], data: t.data };
  }
  return out;
}

// Each layer with its fields resolved, its shapes, and the tensors it needs by field
// ({ params, buffers }: field -> shape); tensors are bound by bind().
// `names`: the tensor names given (a Set), or null when only shapes are asked for.
function planLayers(layers, inShape, at, prefix, names) {
  let shape = inShape;
  return layers.map((spec, i) => {
    const n = { ...filled(spec, `${at}[${i}]`), at: `${at}[${i}]`, prefix: `${prefix}${i}`, in: shape, params: {}, buffers: {} };
    const { out } = KINDS[n.type].plan(n, names);
    if (spec.outputShape !== undefined && shapeText(spec.outputShape) !== shapeText(out)) {
      refuse(n.at, `its output shape is ${shapeText(spec.outputShape)} in convlab but ${shapeText(out)} by PyTorch's rule`);
    }
    n.outShape = out;
    shape = out;
    return n;
  });
}

function* walk(nodes) {
  for (const n of nodes) {
    yield n;
    if (n.body) yield* walk(n.body);
  }
}

function modelObject(model) {
  if (model === null || typeof model !== 'object') throw new TypeError(`model: expected { layers, inputShape, parameters, buffers }, got ${shown(model)}`);
  return model;
}

function checkedModel(model, names = null) {
  const { layers, inputShape } = modelObject(model);
  if (!Array.isArray(layers) || layers.length === 0) throw new TypeError(`layers: expected a non-empty array of layer specs, got ${shown(layers)}`);
  if (!Array.isArray(inputShape) || ![1, 3].includes(inputShape.length) || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`inputShape: expected [C, H, W] or [features], got ${shown(inputShape)}`);
  }
  return planLayers(layers, [...inputShape], 'layers', '', names);
}

/**
 * The parameters and buffers { layers, inputShape } needs, [{ name, shape }] each in layer
 * order (num_batches_tracked with shape []), as the exporters will look them up.
 */
export function tensorShapes(model) {
  const list = (field) => [...walk(checkedModel(model))].flatMap((n) => Object.entries(n[field]).map(([f, shape]) => ({ name: `${n.prefix}.${f}`, shape: shape ?? [] })));
  return { parameters: list('params'), buffers: list('buffers') };
}

/**
 * The export plan of { layers, inputShape, parameters, buffers = [] }:
 * { inputShape, outputShape, nodes: [{ type, at, prefix, in, outShape, weights, state, body?, ...fields }] }.
 */
export function planNetwork(model) {
  const tensors = { parameters: tensorMap(modelObject(model).parameters, 'parameters'), buffers: tensorMap(model.buffers ?? [], 'buffers') };
  const nodes = checkedModel(model, new Set([...tensors.parameters.keys(), ...tensors.buffers.keys()]));
  for (const n of walk(nodes)) {
    n.weights = take(tensors.parameters, 'parameters', n, n.params);
    n.state = take(tensors.buffers, 'buffers', n, n.buffers);
    delete n.params;
    delete n.buffers;
  }
  for (const [what, map] of Object.entries(tensors)) {
    for (const [name, t] of map) if (!t.used) throw new RangeError(`${what}: '${name}' belongs to no layer; cannot be exported`);
  }
  return { inputShape: [...model.inputShape], outputShape: nodes[nodes.length - 1].outShape, nodes };
}
