// bench/peer-tfjs-threaded.mjs: TensorFlow.js's WASM backend with its threaded SIMD build,
// in Node. tfjs-backend-wasm 4.22 turns threads off in Node (its WASM_HAS_MULTITHREAD_SUPPORT
// flag is false there, tensorflow/tfjs#3830): its pthread workers are started from a Blob
// URL, which Node's Worker refuses, and each worker then loads the glue from the bundle's
// path, where it is not a global. So before the backend starts, the worker script the bundle
// carries is written to a file, set to load the threaded glue (cut from the same bundle) from
// a file of its own, and URL.createObjectURL hands the backend that file's path. Meant for a
// realm of its own (a worker thread of the benchmark), since it changes a global.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

function writeWorkerFiles() {
  const bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js');
  const bundle = readFileSync(bundlePath, 'utf8');
  const start = bundle.indexOf('var WasmBackendModuleThreadedSimd = (function () {');
  const end = bundle.indexOf('module.exports = WasmBackendModuleThreadedSimd;', start);
  const literal = bundle.match(/^var wasmWorkerContents = ("(?:[^"\\]|\\.)*");$/m);
  if (start < 0 || end < 0 || !literal) throw new Error(`${bundlePath}: threaded glue or worker script not found (a different tfjs-backend-wasm version?)`);
  const dir = `${root}build/bench-wasm`;
  mkdirSync(dir, { recursive: true });
  // Inside the bundle, the glue sees the bundle's file name; as a file of its own it must
  // still find the .wasm next to the bundle.
  const gluePath = `${dir}/tfjs-wasm-threaded-glue.cjs`;
  // The bundle's own module-level names the glue uses (its renamed requires, its global).
  const prelude = [...bundle.matchAll(/^var require\$\$\d+ = require\('[\w_]+'\);$/gm)].map((m) => m[0]);
  prelude.push("var commonjsGlobal = globalThis;");
  const glue = prelude.join('\n') + '\n' + bundle.slice(start, end).replace("_scriptDir = _scriptDir || __filename;", `_scriptDir = _scriptDir || ${JSON.stringify(bundlePath)};`);
  writeFileSync(gluePath, glue);
  // The main thread sends the glue as a Blob (or a path); either way, load the file instead.
  const load = `importScripts(${JSON.stringify(gluePath)})`;
  const contents = JSON.parse(literal[1]).replace(/\n/g, '\\n')   // as the bundle does before making its Blob
    .replace('importScripts(e.data.urlOrBlob)', load).replace('importScripts(objectUrl)', load);
  if (contents.split(load).length !== 3) throw new Error('tfjs worker script: the two importScripts calls to redirect not found');
  const workerPath = `${dir}/tfjs-wasm-threaded.worker.cjs`;
  writeFileSync(workerPath, contents);
  return workerPath;
}

/** tf with the WASM backend running on `threads` threads; rejects if it cannot. */
export async function loadThreadedTfjs(threads) {
  const workerPath = writeWorkerFiles();
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  // Its C++ caps the pool at half of emscripten_num_logical_cores() (taking every core for
  // two hyperthreads), which in Node is os.cpus().length: on a machine that reports n
  // logical cores it would use n / 2. It is told 2 * threads while it starts, so that
  // setThreadsCount(threads) holds.
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = () => workerPath;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  let ok;
  try {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  if (!ok || tf.getBackend() !== 'wasm') throw new Error('tfjs-backend-wasm did not start threaded in Node');
  return { tf, threads: wasm.getThreadsCount() };
}
