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
// fs in Node, fetched elsewhere). A bundle that moves this file must pass wasmUrl. The
// threaded module (load({ threads }), threads.js) is the convlab_wasm_mt.{js,wasm,worker.js}
// beside that file.

// By path rather than package name, like the module below, so that this file also runs
// unbundled in a browser (no import map needed) as well as in Node and bundlers.
import { simd as hasWasmSimd } from '../../node_modules/wasm-feature-detect/dist/esm/index.js';
import createConvlabModule from '../../build/wasm/convlab_wasm.js';
import { describe, optionsObject, plainObject, refuseUnknownKeys } from './args.js';
import { Heap } from './heap.js';
import { exportApi, rememberLayers } from './export.js';
import { Network } from './network.js';
import { createOps } from './ops.js';
import { installNodeWorker, isNode, refreshingViews, releaseNodeWorkers, threadsOption } from './threads.js';

const DEFAULT_WASM = '../../build/wasm/convlab_wasm.wasm';
// load()'s options are read before the module (and its registry) exists.
const LOAD_OPTIONS = ['wasmUrl', 'wasmBinary', 'threads'];

let loading = null;

/**
 * Loads the WebAssembly module once; later calls return the same instance (their options are
 * ignored, but still checked). Options: { wasmUrl?: string | URL, wasmBinary?: ArrayBuffer | Uint8Array,
 * threads?: number } (threads.js says which module and how many threads by default).
 */
export function load(options = {}) {
  let o;
  try {
    o = optionsObject(options);
    refuseUnknownKeys(o, LOAD_OPTIONS);
    threadsOption(o.threads, o);
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
  const threads = threadsOption(options.threads, options);
  if (threads > 1) return instantiateThreaded(options, threads);
  const M = await createModule(createConvlabModule, await wasmSource(options), {});
  return new Convlab(M);
}

// The threaded module: its glue is imported at run time (bundles carry only the
// single-threaded one), its workers find the glue again through mainScriptUrlOrBlob, and the
// pool gets threads - 1 workers (the calling thread is the last).
async function instantiateThreaded(options, threads) {
  const base = wasmUrlOf(options);
  const glue = new URL('convlab_wasm_mt.js', base);
  if (isNode()) await installNodeWorker(nodeModule);
  let create;
  try {
    ({ default: create } = await import(/* webpackIgnore: true */ /* @vite-ignore */ glue.href));
  } catch (error) {
    throw new Error(`convlab: cannot load the threaded module from ${glue.href} (run \`npm run build\` first?): ${error.message}`);
  }
  let M;
  try {
    M = await createModule(create, await wasmSource({ wasmUrl: new URL('convlab_wasm_mt.wasm', base).href }), {
      locateFile: (path) => new URL(path, base).href,
      mainScriptUrlOrBlob: glue.href,
      convlabWorkers: threads - 1,
      // The glue warns once when the main thread waits for a worker. Ours waits only for the
      // pool's chunks, never for anything a worker needs from it (the workers exist before the
      // first call), so the wait is the computation's own length.
      printErr: (text) => { if (!/^Blocking on the main thread/.test(text)) console.warn(text); },
    });
  } finally {
    releaseNodeWorkers();
  }
  refreshingViews(M);
  const error = M.setThreads(threads);
  if (error !== undefined) throw error;
  return new Convlab(M, threads);
}

async function createModule(create, source, extra) {
  let failLoad;
  const failed = new Promise((_, reject) => { failLoad = reject; });
  const modulePromise = create({
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
    ...extra,
  });
  return Promise.race([modulePromise, failed]);
}

function wasmUrlOf(options) {
  try {
    if (options.wasmUrl !== undefined) {
      const base = globalThis.location?.href ?? (isNode() ? `file://${process.cwd()}/` : undefined);
      return new URL(String(options.wasmUrl), base);
    }
    return new URL(DEFAULT_WASM, import.meta.url);
  } catch {
    throw new TypeError(
      `wasmUrl: cannot locate convlab_wasm.wasm (${options.wasmUrl === undefined ? 'import.meta.url is unavailable in this bundle' : `bad URL ${String(options.wasmUrl)}`}); pass load({ wasmUrl }) or load({ wasmBinary })`);
  }
}

async function wasmSource(options) {
  if (options.wasmBinary !== undefined) {
    const b = options.wasmBinary;
    if (b instanceof ArrayBuffer || ArrayBuffer.isView(b)) return { bytes: b };
    throw new TypeError(`wasmBinary: expected an ArrayBuffer or Uint8Array, got ${describe(b)}`);
  }
  const url = wasmUrlOf(options);
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

  // maxThreads: the threads the module has workers for (1 for the single-threaded module).
  constructor(M, maxThreads = 1) {
    this.#M = M;
    this.maxThreads = maxThreads;
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

  // The threads the core's kernels use now (1 with the single-threaded module).
  get threads() {
    return this.#M.threads();
  }

  // Changes the thread count at run time, within the module loaded (the single-threaded one
  // accepts only 1; the threaded one 1 to maxThreads, as many as load() started workers for).
  // Results do not depend on it.
  setThreads(n) {
    if (!Number.isInteger(n)) throw new TypeError(`threads: expected an integer from 1 to ${this.maxThreads}, got ${describe(n)}`);
    if (n < 1 || n > this.maxThreads) throw new RangeError(`threads: expected an integer from 1 to ${this.maxThreads}, got ${n}`);
    const error = this.#M.setThreads(n);
    if (error !== undefined) throw error;
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
