// convlab.js: the public JavaScript API of /work/shared/API.md (plus the agreed additions),
// the package entry point ("exports" in package.json). It loads the WebAssembly module built
// into build/wasm/, checks every argument in JavaScript where that is cheap (so most errors
// name the argument before any memory is touched), copies inputs into the wasm heap, calls
// the Embind layer (bindings.cpp), and copies results out into fresh Float32Arrays.
//
// Left out on purpose: views into wasm memory (nothing here returns one), threads, and any
// math: every number comes from the C++ core.
//
// Locating the .wasm file: load({ wasmBinary }) takes the bytes, load({ wasmUrl }) a URL or
// path; by default it is ../../build/wasm/convlab_wasm.wasm relative to this file (read with
// fs in Node, fetched elsewhere). A bundle that moves this file must pass wasmUrl.

// By path rather than package name, like the module below, so that this file also runs
// unbundled in a browser (no import map needed) as well as in Node and bundlers.
import { simd as hasWasmSimd } from '../../node_modules/wasm-feature-detect/dist/esm/index.js';
import createConvlabModule from '../../build/wasm/convlab_wasm.js';

const DEFAULT_WASM = '../../build/wasm/convlab_wasm.wasm';
const MODES = ['full', 'same', 'valid'];
const LOSSES = ['softmax-cross-entropy', 'mse'];
const OPTIMIZERS = ['sgd'];
const ACTIVATIONS = ['relu', 'sigmoid', 'tanh'];
const LAYER_TYPES = ['conv2d', 'relu', 'sigmoid', 'tanh', 'maxpool2d', 'avgpool2d', 'flatten', 'dense'];
const MAX_SIZE = 2 ** 30; // the core's bound on any one size

let loading = null;

/**
 * Loads the WebAssembly module once; later calls return the same instance (their options are
 * ignored). Options: { wasmUrl?: string | URL, wasmBinary?: ArrayBuffer | Uint8Array }.
 */
export function load(options = {}) {
  if (!loading) {
    loading = instantiate(options ?? {}).catch((error) => {
      loading = null; // a failed load (e.g. a wrong wasmUrl) may be retried
      throw error;
    });
  }
  return loading;
}

export default load;

// ---- loading ----------------------------------------------------------------------------

async function instantiate(options) {
  if (typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describe(options)}`);
  // The module is built for WebAssembly SIMD128 only; say so before fetching it, rather than
  // failing with the engine's compile error.
  if (!(await hasWasmSimd())) {
    throw new Error('convlab: this JavaScript engine has no WebAssembly SIMD (needed since Chrome 91, Firefox 89, Safari 16.4, Node 16.4)');
  }
  const source = await wasmSource(options);
  let failLoad;
  const failed = new Promise((_, reject) => { failLoad = reject; });
  const modulePromise = createConvlabModule({
    // We hand the glue an instance ourselves, so it never fetches or reads files (Emscripten
    // 3.1.6's own loader fails on Node 20, and cannot know where a bundler put the file).
    instantiateWasm(imports, receive) {
      instantiateFrom(source, imports)
        .then(({ instance, module }) => receive(instance, module))
        .catch((error) => failLoad(new Error(`convlab: could not instantiate the WebAssembly module: ${error.message}`)));
      return {};
    },
    // Keeps the glue from computing its own URL from import.meta.url, which a classic
    // (non-module) worker bundle does not have.
    locateFile: (path) => path,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
  });
  const M = await Promise.race([modulePromise, failed]);
  return new Convlab(M);
}

async function wasmSource(options) {
  if (options.wasmBinary !== undefined) {
    const b = options.wasmBinary;
    if (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) return { bytes: b };
    throw new TypeError(`wasmBinary: expected an ArrayBuffer or Uint8Array, got ${describe(b)}`);
  }
  let url;
  try {
    if (options.wasmUrl !== undefined) {
      const base = globalThis.location?.href ?? (isNode() ? `file://${process.cwd()}/` : undefined);
      url = new URL(String(options.wasmUrl), base);
    } else {
      url = new URL(DEFAULT_WASM, import.meta.url);
    }
  } catch {
    throw new TypeError(
      `wasmUrl: cannot locate convlab_wasm.wasm (${options.wasmUrl === undefined ? 'import.meta.url is unavailable in this bundle' : `bad URL ${String(options.wasmUrl)}`}); pass load({ wasmUrl }) or load({ wasmBinary })`);
  }
  if (url.protocol === 'file:') {
    const fs = await nodeModule('node:fs/promises');
    try {
      return { bytes: await fs.readFile(url) };
    } catch (error) {
      throw new Error(`convlab: cannot read ${url.pathname} (run \`npm run build\` first?): ${error.message}`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`convlab: fetching ${url} failed with HTTP ${response.status}`);
  return { response };
}

async function instantiateFrom(source, imports) {
  if (source.response) {
    const fallback = source.response.clone();
    if (typeof WebAssembly.instantiateStreaming === 'function') {
      try {
        return await WebAssembly.instantiateStreaming(source.response, imports);
      } catch {
        // Served with the wrong MIME type: compile from the bytes instead.
      }
    }
    return WebAssembly.instantiate(await fallback.arrayBuffer(), imports);
  }
  return WebAssembly.instantiate(source.bytes, imports);
}

function isNode() {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

// Node's built-ins without a static import, so bundlers for the browser see none.
async function nodeModule(name) {
  if (typeof process === 'object' && typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(name);
  const specifier = name;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

// ---- argument checks ----------------------------------------------------------------------

function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'Array';
  if (ArrayBuffer.isView(v)) return v[Symbol.toStringTag] ?? v.constructor?.name ?? 'typed array';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

function show(list) {
  return list.map((s) => `'${s}'`).join(', ');
}

// Float32Array check by tag, so arrays from another realm (iframe, vm) pass too.
function isFloat32Array(v) {
  return ArrayBuffer.isView(v) && v[Symbol.toStringTag] === 'Float32Array';
}

function floatArray(v, name, { nonEmpty = true } = {}) {
  if (!isFloat32Array(v)) throw new TypeError(`${name}: expected a Float32Array, got ${describe(v)}`);
  if (nonEmpty && v.length === 0) throw new RangeError(`${name}: expected at least one element, got an empty Float32Array`);
  return v;
}

function positiveInt(v, name, min = 1) {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${name}: expected ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${describe(v)}`);
  }
  if (v < min) throw new RangeError(`${name}: expected ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${v}`);
  if (v > MAX_SIZE) throw new RangeError(`${name}: expected at most ${MAX_SIZE}, got ${v}`);
  return v;
}

function finiteNumber(v, name, { min = -Infinity } = {}) {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name}: expected a finite number, got ${describe(v)}`);
  if (v < min) throw new RangeError(`${name}: expected a number >= ${min}, got ${v}`);
  return v;
}

function shapeText(s) {
  return `[${Array.from(s, (d) => (typeof d === 'number' ? String(d) : describe(d))).join(', ')}]`;
}

// A shape: an array of `dims` positive integers (dims may be a list of allowed lengths).
function shape(v, name, dims) {
  const allowed = Array.isArray(dims) ? dims : [dims];
  const expected = `${allowed.join(' or ')} positive integers`;
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    throw new TypeError(`${name}: expected an array of ${expected}, got ${describe(v)}`);
  }
  if (!allowed.includes(v.length)) throw new RangeError(`${name}: expected ${expected}, got ${shapeText(v)}`);
  for (const d of v) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0 || d > MAX_SIZE) {
      throw new RangeError(`${name}: expected ${expected}, got ${shapeText(v)}`);
    }
  }
  return Array.from(v);
}

function product(s) {
  return s.reduce((a, b) => a * b, 1);
}

function lengthMatches(a, aName, s, sName) {
  const n = product(s);
  if (a.length !== n) {
    throw new RangeError(`${aName}: expected ${n} elements for ${sName} ${shapeText(s)}, got ${a.length}`);
  }
}

// A number or [h, w] of integers >= min, as [h, w].
function pair(v, name, min = 1) {
  const what = `${min === 0 ? 'a non-negative' : 'a positive'} integer or [h, w]`;
  const ok = (d) => typeof d === 'number' && Number.isInteger(d) && d >= min && d <= MAX_SIZE;
  if (typeof v === 'number') {
    if (!ok(v)) throw new RangeError(`${name}: expected ${what}, got ${describe(v)}`);
    return [v, v];
  }
  if (Array.isArray(v)) {
    if (v.length !== 2 || !v.every(ok)) throw new RangeError(`${name}: expected ${what}, got ${shapeText(v)}`);
    return [v[0], v[1]];
  }
  throw new TypeError(`${name}: expected ${what}, got ${describe(v)}`);
}

function oneOf(v, name, list) {
  if (typeof v !== 'string' || !list.includes(v)) {
    throw new RangeError(`${name}: expected one of ${show(list)}, got ${describe(v)}`);
  }
  return v;
}

function optionsObject(v, name = 'options') {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${name}: expected an object, got ${describe(v)}`);
  return v;
}

// padding: number | [h, w] | 'valid' | 'same' -> [top, left, bottom, right]. 'same' follows
// PyTorch: total kernel - 1, the odd one out going to the bottom / right; stride 1 only.
function paddingFor(v, stride, kernelH, kernelW, name = 'padding') {
  if (v === 'valid') return [0, 0, 0, 0];
  if (v === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new RangeError(`${name}: 'same' requires stride 1 (as in PyTorch), got stride ${shapeText(stride)}`);
    }
    const top = (kernelH - 1) >> 1;
    const left = (kernelW - 1) >> 1;
    return [top, left, kernelH - 1 - top, kernelW - 1 - left];
  }
  if (typeof v === 'string') throw new RangeError(`${name}: expected a non-negative integer, [h, w], 'valid' or 'same', got ${describe(v)}`);
  const [h, w] = pair(v, name, 0);
  return [h, w, h, w];
}

// Labels: an Int32Array, or any array-like of integers (copied into an Int32Array).
function labelArray(v, name, batch, classes) {
  let labels;
  if (ArrayBuffer.isView(v) && v[Symbol.toStringTag] === 'Int32Array') {
    labels = v;
  } else if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    labels = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (typeof c !== 'number' || !Number.isInteger(c)) throw new TypeError(`${name}[${i}]: expected an integer class index, got ${describe(c)}`);
      labels[i] = c;
    }
  } else {
    throw new TypeError(`${name}: expected an Int32Array of class indices, got ${describe(v)}`);
  }
  if (labels.length !== batch) throw new RangeError(`${name}: expected ${batch} labels (one per example), got ${labels.length}`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= classes || (labels !== v && labels[i] !== v[i])) {
      throw new RangeError(`${name}[${i}]: expected a class index in [0, ${classes}), got ${v[i]}`);
    }
  }
  return labels;
}

// ---- the wasm heap ------------------------------------------------------------------------

// Copies a Float32Array or Int32Array into a fresh heap block and returns its address.
function copyIn(M, a) {
  const p = M._malloc(Math.max(4, a.length * 4));
  if (!p) throw new RangeError(`out of memory: cannot allocate ${a.length * 4} bytes in the WebAssembly heap`);
  if (a[Symbol.toStringTag] === 'Int32Array') M.HEAP32.set(a, p >> 2); // any realm's
  else M.HEAPF32.set(a, p >> 2);
  return p;
}

// Copies the inputs in, runs fn(addresses...), frees them whatever happens, and throws the
// Error that bindings.cpp returns instead of throwing (see its file comment).
function withHeap(M, inputs, fn) {
  const addresses = [];
  try {
    for (const a of inputs) addresses.push(a ? copyIn(M, a) : 0);
    return check(fn(...addresses));
  } finally {
    for (const p of addresses) if (p) M._free(p);
  }
}

function check(result) {
  if (result instanceof Error) throw result;
  return result;
}

// ---- the API ------------------------------------------------------------------------------

class Convlab {
  #M;
  #methods1d;
  #methods2d;
  #finalizer;

  constructor(M) {
    this.#M = M;
    this.version = M.version();
    this.simd = M.simd();
    this.#methods1d = Object.freeze(M.methods1d());
    this.#methods2d = Object.freeze(M.methods2d());
    this.methods = Object.freeze({ conv1d: this.#methods1d, conv2d: this.#methods2d });
    // Networks that are dropped without dispose() are freed when collected.
    this.#finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((handle) => { try { handle.delete(); } catch { /* already gone */ } })
      : null;
    // Methods work detached too (const { convolve } = cl).
    for (const name of Object.getOwnPropertyNames(Convlab.prototype)) {
      if (name !== 'constructor' && typeof this[name] === 'function') this[name] = this[name].bind(this);
    }
    Object.freeze(this);
  }

  // Heap figures for leak tests and curious lessons: the wasm memory's size and the bytes
  // malloc currently hands out.
  memoryStats() {
    return { heapBytes: this.#M.HEAP8.buffer.byteLength, mallocBytes: this.#M.heapUsed() };
  }

  // ---- 1-D ----

  #conv1d(which, f, h, options) {
    floatArray(f, 'f');
    floatArray(h, 'h');
    const o = optionsObject(options);
    const mode = oneOf(o.mode ?? 'full', 'mode', MODES);
    const method = oneOf(o.method ?? 'auto', 'method', [...this.#methods1d, 'auto']);
    positiveInt(f.length, 'f');
    positiveInt(h.length, 'h');
    const M = this.#M;
    return withHeap(M, [f, h], (pf, ph) => M.conv1d(which, pf, f.length, ph, h.length, mode, method));
  }

  convolve(f, h, options) {
    return this.#conv1d(0, f, h, options);
  }

  correlate(f, h, options) {
    return this.#conv1d(1, f, h, options);
  }

  toeplitz(h, n) {
    floatArray(h, 'h');
    positiveInt(n, 'n');
    const m = h.length;
    if ((n + m - 1) * n > MAX_SIZE) throw new RangeError(`n: the ${n + m - 1} x ${n} matrix is too large`);
    const M = this.#M;
    const data = withHeap(M, [h], (ph) => M.toeplitz(ph, m, n));
    return { rows: n + m - 1, cols: n, data };
  }

  #fft(re, im, inverse) {
    floatArray(re, 're');
    if (im === undefined || im === null) im = new Float32Array(re.length);
    floatArray(im, 'im');
    if (im.length !== re.length) throw new RangeError(`im: expected ${re.length} elements (as re), got ${im.length}`);
    positiveInt(re.length, 're');
    const M = this.#M;
    const n = re.length;
    return withHeap(M, [re, im], (pr, pi) => {
      check(M.fft(pr, pi, n, inverse));
      return { re: M.HEAPF32.slice(pr >> 2, (pr >> 2) + n), im: M.HEAPF32.slice(pi >> 2, (pi >> 2) + n) };
    });
  }

  fft(re, im) {
    return this.#fft(re, im, false);
  }

  ifft(re, im) {
    return this.#fft(re, im, true);
  }

  autoMethod1d(n, m) {
    positiveInt(n, 'n');
    positiveInt(m, 'm');
    return check(this.#M.autoMethod1d(n, m));
  }

  // ---- 2-D ----

  // The checked geometry array bindings.cpp expects, from shapes and options.
  #geometry(xShape, wShape, options) {
    const xs = shape(xShape, 'xShape', 4);
    const ws = shape(wShape, 'wShape', 4);
    const o = optionsObject(options);
    const stride = pair(o.stride ?? 1, 'stride');
    const pads = paddingFor(o.padding ?? 0, stride, ws[2], ws[3]);
    if (ws[1] !== xs[1]) {
      throw new RangeError(`wShape: expected ${xs[1]} input channels (xShape[1]), got wShape ${shapeText(ws)}`);
    }
    return { xs, ws, o, g: [...xs, ...ws, ...stride, ...pads] };
  }

  conv2d(x, xShape, w, wShape, options) {
    floatArray(x, 'x');
    floatArray(w, 'w');
    const { xs, ws, o, g } = this.#geometry(xShape, wShape, options);
    lengthMatches(x, 'x', xs, 'xShape');
    lengthMatches(w, 'w', ws, 'wShape');
    let bias = null;
    if (o.bias !== undefined && o.bias !== null) {
      bias = floatArray(o.bias, 'bias');
      if (bias.length !== ws[0]) throw new RangeError(`bias: expected ${ws[0]} elements (wShape[0]), got ${bias.length}`);
    }
    const method = oneOf(o.method ?? 'auto', 'method', [...this.#methods2d, 'auto']);
    const M = this.#M;
    return withHeap(M, [x, w, bias], (px, pw, pb) => M.conv2d(px, pw, pb, g, method));
  }

  conv2dBackward(x, xShape, w, wShape, gradOut, options) {
    floatArray(x, 'x');
    floatArray(w, 'w');
    floatArray(gradOut, 'gradOut');
    const { xs, ws, o, g } = this.#geometry(xShape, wShape, options);
    lengthMatches(x, 'x', xs, 'xShape');
    lengthMatches(w, 'w', ws, 'wShape');
    const method = oneOf(o.method ?? 'auto', 'method', [...this.#methods2d, 'auto']);
    const M = this.#M;
    const outShape = check(M.conv2dOutputShape(g));
    lengthMatches(gradOut, 'gradOut', outShape, 'output shape');
    return withHeap(M, [x, w, gradOut], (px, pw, pd) => M.conv2dBackward(px, pw, pd, gradOut.length, g, method));
  }

  autoMethod2d(xShape, wShape, options) {
    const { g } = this.#geometry(xShape, wShape, options);
    return check(this.#M.autoMethod2d(g));
  }

  #poolGeometry(xShape, options) {
    const xs = shape(xShape, 'xShape', 4);
    const o = optionsObject(options);
    if (o.kernel === undefined) throw new TypeError('kernel: expected a positive integer or [h, w], got undefined');
    const kernel = pair(o.kernel, 'kernel');
    const stride = o.stride === undefined ? kernel : pair(o.stride, 'stride');
    return { xs, p: [...xs, ...kernel, ...stride] };
  }

  #pool(kind, x, xShape, options) {
    floatArray(x, 'x');
    const { xs, p } = this.#poolGeometry(xShape, options);
    lengthMatches(x, 'x', xs, 'xShape');
    const M = this.#M;
    return withHeap(M, [x], (px) => M.pool2d(kind, px, p));
  }

  #poolBackward(kind, x, xShape, gradOut, options) {
    floatArray(x, 'x');
    floatArray(gradOut, 'gradOut');
    const { xs, p } = this.#poolGeometry(xShape, options);
    lengthMatches(x, 'x', xs, 'xShape');
    const M = this.#M;
    // The gradient length is checked in C++ against the geometry it computes.
    return withHeap(M, [kind === 0 ? x : null, gradOut], (px, pd) => M.pool2dBackward(kind, px, pd, gradOut.length, p));
  }

  maxPool2d(x, xShape, options) {
    return this.#pool(0, x, xShape, options);
  }

  maxPool2dBackward(x, xShape, gradOut, options) {
    return this.#poolBackward(0, x, xShape, gradOut, options);
  }

  avgPool2d(x, xShape, options) {
    return this.#pool(1, x, xShape, options);
  }

  avgPool2dBackward(x, xShape, gradOut, options) {
    return this.#poolBackward(1, x, xShape, gradOut, options);
  }

  activation(name, x) {
    oneOf(name, 'name', ACTIVATIONS);
    floatArray(x, 'x', { nonEmpty: false });
    const M = this.#M;
    return withHeap(M, [x], (px) => M.activation(name, px, x.length));
  }

  // ---- networks ----

  sequential(layers, options) {
    if (!Array.isArray(layers)) throw new TypeError(`layers: expected an array of layer objects, got ${describe(layers)}`);
    if (layers.length === 0) throw new RangeError('layers: expected at least one layer, got an empty array');
    const o = optionsObject(options);
    if (o.inputShape === undefined) throw new TypeError('inputShape: expected [C, H, W] or [features], got undefined');
    const inputShape = shape(o.inputShape, 'inputShape', [1, 3]);
    const seed = o.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed: expected a non-negative integer, got ${describe(seed)}`);
    }
    const specs = layers.map((l, i) => normaliseLayer(l, i, this.#methods2d));
    const M = this.#M;
    const handle = new M.Net();
    let error;
    try {
      error = handle.init(specs, inputShape, seed);
    } catch (e) {
      error = e;
    }
    if (error !== undefined) {
      handle.delete();
      throw error;
    }
    return new Network(M, handle, specs.map((s) => s.type), inputShape, this.#finalizer);
  }
}

// A layer as the user wrote it -> the plain record bindings.cpp reads. Fields a type does not
// use stay at their defaults; the core rejects ones that are set but meaningless there.
function normaliseLayer(spec, i, methods2d) {
  const name = `layers[${i}]`;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new TypeError(`${name}: expected a layer object such as { type: 'relu' }, got ${describe(spec)}`);
  }
  const l = {
    type: oneOf(spec.type, `${name}.type`, LAYER_TYPES),
    out: 0, kernelH: 0, kernelW: 0, strideH: 0, strideW: 0,
    padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, padSame: false, bias: true, method: 'auto',
  };
  if (spec.out !== undefined) l.out = positiveInt(spec.out, `${name}.out`);
  if (spec.kernel !== undefined) [l.kernelH, l.kernelW] = pair(spec.kernel, `${name}.kernel`);
  if (spec.stride !== undefined) [l.strideH, l.strideW] = pair(spec.stride, `${name}.stride`);
  if (spec.padding !== undefined) {
    if (spec.padding === 'same') {
      if (spec.stride !== undefined && (l.strideH !== 1 || l.strideW !== 1)) {
        throw new RangeError(`${name}.padding: 'same' requires stride 1 (as in PyTorch), got stride ${shapeText([l.strideH, l.strideW])}`);
      }
      l.padSame = true;
    } else {
      [l.padTop, l.padLeft, l.padBottom, l.padRight] = paddingFor(spec.padding, [1, 1], 1, 1, `${name}.padding`);
    }
  }
  if (spec.bias !== undefined) {
    if (typeof spec.bias !== 'boolean') throw new TypeError(`${name}.bias: expected true or false, got ${describe(spec.bias)}`);
    l.bias = spec.bias;
  }
  if (spec.method !== undefined) l.method = oneOf(spec.method, `${name}.method`, [...methods2d, 'auto']);
  return l;
}

// Checks a list of { name, shape, data } against a network's parameter views: every
// parameter exactly once, matched by name, with the same shape; data a Float32Array or an
// array of numbers of the right length. Returns [{ v: view, d: data }] in list order; throws
// naming `list`, `list[i]` or `list[i].<field>` before anything is written.
function matchParameters(list, views) {
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
    const d = p.data;
    if (!isFloat32Array(d) && !Array.isArray(d)) throw new TypeError(`list[${i}].data: expected a Float32Array, got ${describe(d)}`);
    if (d.length !== v.size) throw new RangeError(`list[${i}].data: expected ${v.size} elements for shape ${shapeText(v.shape)}, got ${d.length}`);
    if (Array.isArray(d) && !d.every((e) => typeof e === 'number')) throw new TypeError(`list[${i}].data: expected numbers only`);
    seen.set(p.name, { v, d });
  });
  for (const v of views) {
    if (!seen.has(v.name)) throw new RangeError(`list: missing parameter '${v.name}'`);
  }
  return [...seen.values()];
}

class Network {
  #M;
  #handle;
  #types;
  #inputShape;
  #outputShape;
  #inputSize;
  #outputSize;
  #finalizer;
  #hasGradients = false;

  constructor(M, handle, types, inputShape, finalizer) {
    this.#M = M;
    this.#handle = handle;
    this.#types = types;
    this.#inputShape = inputShape;
    this.#outputShape = handle.outputShape();
    this.#inputSize = handle.inputSize();
    this.#outputSize = handle.outputSize();
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
    return this.#types.map((type, index) => ({ index, type, outputShape: h.layerOutputShape(index) }));
  }

  #batch(x, batch, name = 'x') {
    floatArray(x, name);
    const size = this.#inputSize;
    if (batch === undefined) {
      if (x.length % size !== 0) throw new RangeError(`${name}: expected a multiple of ${size} elements (inputShape ${shapeText(this.#inputShape)}), got ${x.length}`);
      batch = x.length / size;
    }
    positiveInt(batch, 'batch');
    if (x.length !== batch * size) {
      throw new RangeError(`${name}: expected ${batch * size} elements (batch ${batch} x inputShape ${shapeText(this.#inputShape)}), got ${x.length}`);
    }
    return batch;
  }

  #views(what) {
    return this.#live(what).parameters();
  }

  // Fresh copies of the (shape...) floats at each view's `field` address.
  #copies(views, field) {
    const heap = this.#M.HEAPF32; // read after the call: the heap may have grown
    return views.map((p) => ({
      name: p.name, shape: p.shape, data: heap.slice(p[field] >> 2, (p[field] >> 2) + p.size),
    }));
  }

  parameters() {
    return this.#copies(this.#views('parameters'), 'data');
  }

  gradients() {
    const views = this.#views('gradients');
    if (!this.#hasGradients) throw new Error('gradients: none yet; call backward, trainStep or vjp first');
    return this.#copies(views, 'grad');
  }

  // Every parameter exactly once, matched by name, with the same shape; Float32Array or an
  // array of numbers. Checked completely before anything is written.
  setParameters(list) {
    const entries = matchParameters(list, this.#views('setParameters'));
    const heap = this.#M.HEAPF32;
    for (const { v, d } of entries) heap.set(d, v.data >> 2);
  }

  // SGD's momentum buffers (torch.optim.SGD's momentum_buffer), in parameters() form and
  // order; [] before any step with momentum and after resetOptimizer. Saved together with
  // parameters(), they let a run resume exactly.
  optimizerState() {
    return this.#copies(this.#live('optimizerState').optimizerState(), 'data');
  }

  // Same form and checks as setParameters; [] forgets the buffers (resetOptimizer). The next
  // step with momentum continues from them (v = momentum v + g). Copied in by the core, which
  // checks the list again.
  setOptimizerState(list) {
    const h = this.#live('setOptimizerState');
    const entries = Array.isArray(list) && list.length === 0 ? [] : matchParameters(list, h.parameters());
    withHeap(this.#M, entries.map((e) => e.d), (...addresses) => h.setOptimizerState(entries.map(({ v }, k) => ({
      name: v.name, shape: v.shape, data: addresses[k], size: v.size,
    }))));
  }

  forward(x, batch) {
    const h = this.#live('forward');
    batch = this.#batch(x, batch);
    return withHeap(this.#M, [x], (px) => h.forward(px, batch));
  }

  layerOutput(index) {
    const h = this.#live('layerOutput');
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.#types.length) {
      throw new RangeError(`index: expected an integer in [0, ${this.#types.length}), got ${describe(index)}`);
    }
    return check(h.layerOutput(index));
  }

  #lossOptions(options) {
    const o = optionsObject(options);
    return { o, loss: oneOf(o.loss ?? 'softmax-cross-entropy', 'loss', LOSSES) };
  }

  backward(x, labels, batch, options) {
    const h = this.#live('backward');
    batch = this.#batch(x, batch);
    const { loss } = this.#lossOptions(options);
    const l = labelArray(labels, 'labels', batch, this.#outputSize);
    const r = withHeap(this.#M, [x, l], (px, pl) => h.backward(px, pl, batch, loss));
    this.#hasGradients = true;
    return r;
  }

  trainStep(x, labels, batch, options) {
    const h = this.#live('trainStep');
    batch = this.#batch(x, batch);
    const { o, loss } = this.#lossOptions(options);
    oneOf(o.optimizer ?? 'sgd', 'optimizer', OPTIMIZERS);
    const lr = finiteNumber(o.lr ?? 0.01, 'lr', { min: 0 });
    const momentum = finiteNumber(o.momentum ?? 0, 'momentum', { min: 0 });
    const l = labelArray(labels, 'labels', batch, this.#outputSize);
    const r = withHeap(this.#M, [x, l], (px, pl) => h.trainStep(px, pl, batch, loss, lr, momentum));
    this.#hasGradients = true;
    return r;
  }

  vjp(x, batch, gradOutput) {
    const h = this.#live('vjp');
    batch = this.#batch(x, batch);
    floatArray(gradOutput, 'gradOutput');
    if (gradOutput.length !== batch * this.#outputSize) {
      throw new RangeError(`gradOutput: expected ${batch * this.#outputSize} elements (batch ${batch} x outputShape ${shapeText(this.#outputShape)}), got ${gradOutput.length}`);
    }
    const gradInput = withHeap(this.#M, [x, gradOutput], (px, pd) => h.vjp(px, batch, pd));
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
  }
}
