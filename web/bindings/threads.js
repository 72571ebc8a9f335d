// threads.js: which module load() uses and with how many threads. The threaded module
// (build/wasm/convlab_wasm_mt.*) keeps its memory in a SharedArrayBuffer, which a browser
// grants only to a cross-origin isolated page (COOP same-origin + COEP require-corp, see
// README "Threads"); elsewhere, and by default in Node, the single-threaded module runs.
// Results are the same bit for bit with any thread count (the core cuts work into fixed
// chunks and sums them in a fixed order), so the choice changes only the time.
import { describe } from './args.js';

// The most threads load() starts: the core's limit for the WebAssembly pool, which is also
// where more cores stop paying on the sizes convlab trains.
export const MAX_THREADS = 8;

// True where a SharedArrayBuffer may back WebAssembly memory: isolated pages and Node.
export function sharedMemoryUsable() {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (isNode()) return true;
  return globalThis.crossOriginIsolated === true;
}

// load()'s default: the cores the browser reports (at most MAX_THREADS) on an isolated page,
// else 1. Node defaults to 1 as well: a script asks for threads explicitly.
export function defaultThreads() {
  if (isNode() || !sharedMemoryUsable()) return 1;
  const cores = Number(globalThis.navigator?.hardwareConcurrency) || 1;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores)));
}

// The checked `threads` option (undefined: the default).
export function threadsOption(value, { wasmBinary }) {
  if (value === undefined) return wasmBinary === undefined ? defaultThreads() : 1;
  if (!Number.isInteger(value)) throw new TypeError(`threads: expected an integer from 1 to ${MAX_THREADS}, got ${describe(value)}`);
  if (value < 1 || value > MAX_THREADS) throw new RangeError(`threads: expected an integer from 1 to ${MAX_THREADS}, got ${value}`);
  if (value > 1 && wasmBinary !== undefined) {
    throw new RangeError('threads: wasmBinary holds the single-threaded module; for more than 1 thread pass wasmUrl (the threaded module sits beside it) or nothing');
  }
  if (value > 1 && !sharedMemoryUsable()) {
    throw new RangeError(`threads: ${value} threads need a cross-origin isolated page (SharedArrayBuffer), and this one is not; serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, or load with threads: 1`);
  }
  return value;
}

export function isNode() {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

// The glue's pthreads start Web Workers (new Worker(url), a classic script that then imports
// the glue). Node has worker_threads instead: this gives them the little of the Web Worker
// interface the glue uses. Installed on globalThis only when it has no Worker.
const nodeWorkers = new Set();

// Once the module has loaded: the pool's workers must not keep a finished script's process
// alive. (While loading they must: the glue waits for their 'loaded' messages. And unref
// goes after the listeners, since adding a 'message' listener refs a worker's port again.)
export function releaseNodeWorkers() {
  for (const w of nodeWorkers) w.unref();
  nodeWorkers.clear();
}

// nodeModule: convlab.js's way to Node's built-ins that no bundler tries to resolve.
export async function installNodeWorker(nodeModule) {
  if (typeof globalThis.Worker === 'function') return;
  const { Worker: NodeWorker } = await nodeModule('node:worker_threads');
  const { fileURLToPath, pathToFileURL } = await nodeModule('node:url');
  // Runs in the worker: a web-worker-like global (self, postMessage, onmessage, location,
  // importScripts), then the glue's worker.js read and evaluated as the classic script it is.
  const boot = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
globalThis.self = globalThis;
globalThis.location = { href: workerData.url };
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
globalThis.importScripts = (file) => (0, eval)(fs.readFileSync(file, 'utf8'));
parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
(0, eval)(fs.readFileSync(workerData.file, 'utf8'));
`;
  class WebLikeWorker {
    #worker;
    #listeners = { message: [], error: [] };
    onmessage = null;
    onerror = null;
    constructor(url) {
      const href = String(url instanceof URL ? url.href : url);
      const fileUrl = href.startsWith('file:') ? href : pathToFileURL(href).href;
      this.#worker = new NodeWorker(boot, { eval: true, workerData: { file: fileURLToPath(fileUrl), url: fileUrl } });
      this.#worker.on('message', (data) => this.#emit('message', { data }));
      this.#worker.on('error', (error) => this.#emit('error', error));
      nodeWorkers.add(this.#worker);
    }
    #emit(type, event) {
      const handler = type === 'message' ? this.onmessage : this.onerror;
      if (handler) handler.call(this, event);
      for (const f of this.#listeners[type]) f.call(this, event);
    }
    addEventListener(type, f) { this.#listeners[type]?.push(f); }
    removeEventListener(type, f) {
      const list = this.#listeners[type];
      if (list && list.includes(f)) list.splice(list.indexOf(f), 1);
    }
    postMessage(message, transfer) { this.#worker.postMessage(message, transfer); }
    terminate() { this.#worker.terminate(); }
  }
  globalThis.Worker = WebLikeWorker;
}

// With pthreads the heap may grow from any thread; the glue then refreshes its own views, but
// the HEAP* views the wrapper reads could still be the old, shorter ones. These getters
// recreate them whenever the memory's buffer has changed.
export function refreshingViews(M) {
  const memory = M.wasmMemory;
  if (!memory) return;
  const types = {
    HEAP8: Int8Array, HEAPU8: Uint8Array, HEAP16: Int16Array, HEAPU16: Uint16Array,
    HEAP32: Int32Array, HEAPU32: Uint32Array, HEAPF32: Float32Array, HEAPF64: Float64Array,
  };
  let buffer = null;
  const views = {};
  for (const name of Object.keys(types)) {
    Object.defineProperty(M, name, {
      configurable: true,
      get() {
        if (memory.buffer !== buffer) {
          buffer = memory.buffer;
          for (const [n, T] of Object.entries(types)) views[n] = new T(buffer);
        }
        return views[name];
      },
      set() { /* the glue's own refresh: the getter already follows memory.buffer */ },
    });
  }
}
