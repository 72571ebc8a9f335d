// convlab.js: the public JavaScript API of /work/shared/API.md (plus the additions in
// docs/api.md), the package entry point ("exports" in package.json). It loads the
// WebAssembly module built into build/wasm/ and assembles the API from ops.js (one-off
// functions), network.js (cl.sequential's networks) and export.js (exportONNX /
// exportPyTorch); args.js holds the JavaScript-type checks and heap.js the one counted way
// into the WebAssembly heap.
//
// Every name the core accepts (layer kinds and their fields, losses, modes, methods, every
// function's options) comes from the core as cl.registry; nothing here restates one.
//
// Locating the .wasm file: load({ wasmBinary }) takes the bytes, load({ wasmUrl }) a URL or
// path; by default it is ../../build/wasm/convlab_wasm.wasm relative to this file (read with
// fs in Node, fetched elsewhere). A bundle that moves this file must pass wasmUrl.

// By path rather than package name, like the module below, so that this file also runs
// unbundled in a browser (no import map needed) as well as in Node and bundlers.
import { simd as hasWasmSimd } from '../../node_modules/wasm-feature-detect/dist/esm/index.js';
import createConvlabModule from '../../build/wasm/convlab_wasm.js';
import { describe, optionsObject, plainObject, refuseUnknownKeys } from './args.js';
import { Heap } from './heap.js';
import { exportApi, rememberLayers } from './export.js';
import { Network } from './network.js';
import { createOps } from './ops.js';

const DEFAULT_WASM = '../../build/wasm/convlab_wasm.wasm';
// load()'s options are read before the module (and its registry) exists.
const LOAD_OPTIONS = ['wasmUrl', 'wasmBinary'];

let loading = null;

/**
 * Loads the WebAssembly module once; later calls return the same instance (their options are
 * ignored, but still checked). Options: { wasmUrl?: string | URL, wasmBinary?: ArrayBuffer | Uint8Array }.
 */
export function load(options = {}) {
  let o;
  try {
    o = optionsObject(options);
    refuseUnknownKeys(o, LOAD_OPTIONS);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!loading) {
    loading = instantiate(o).catch((error) => {
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

// ---- the API ------------------------------------------------------------------------------

function deepFreeze(v) {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze(v[k]);
    Object.freeze(v);
  }
  return v;
}

class Convlab {
  #M;
  #heap;
  #finalizer;

  constructor(M) {
    this.#M = M;
    this.#heap = new Heap(M);
    this.version = M.version();
    this.simd = M.simd();
    this.registry = deepFreeze(M.registry());
    this.methods = this.registry.methods;
    // Networks that are dropped without dispose() are freed when collected.
    this.#finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((handle) => { try { handle.delete(); } catch { /* already gone */ } })
      : null;
    Object.assign(this, createOps(M, this.#heap), exportApi);
    // Methods work detached too (const { sequential } = cl).
    for (const name of Object.getOwnPropertyNames(Convlab.prototype)) {
      if (name !== 'constructor' && typeof this[name] === 'function') this[name] = this[name].bind(this);
    }
    Object.freeze(this);
  }

  // Heap figures for leak tests and curious lessons: the wasm memory's size, the bytes
  // malloc currently hands out, and how many blocks the wrapper has allocated so far.
  memoryStats() {
    return { heapBytes: this.#M.HEAP8.buffer.byteLength, mallocBytes: this.#M.heapUsed(), jsAllocations: this.#heap.allocations };
  }

  sequential(layers, options) {
    if (!Array.isArray(layers)) throw new TypeError(`layers: expected an array of layer objects, got ${describe(layers)}`);
    layers.forEach((l, i) => plainObject(l, `layers[${i}]`, "a layer object such as { type: 'relu' }"));
    const o = optionsObject(options);
    const M = this.#M;
    const handle = new M.Net();
    let error;
    try {
      error = handle.init(layers, o);
    } catch (e) {
      error = e;
    }
    if (error !== undefined) {
      handle.delete();
      throw error;
    }
    return rememberLayers(new Network(M, this.#heap, handle, this.#finalizer), layers);
  }
}
