// bench/remote.mjs: the main thread's side of bench/peer-worker.mjs. start() runs an engine
// at a thread count in a worker thread; its impl(spec) is an implementation for the harness
// whose timed(inner) runs `inner` calls in the worker and returns the time per call measured
// there (and, when asked, the result and any weight gradient, for the check against
// convlab's).
import { Worker } from 'node:worker_threads';

let nextId = 0;

class RemoteEngine {
  #worker;
  #queue = Promise.resolve();
  #gone = null;   // why the worker stopped, once it has: later calls fail at once

  constructor(worker) {
    this.#worker = worker;
    worker.on('error', (e) => { this.#gone ??= e; });
    worker.on('exit', (code) => { this.#gone ??= new Error(`worker exited (code ${code})`); });
  }

  // One request at a time, each answered by exactly one message, or by the worker's end.
  call(msg) {
    const reply = this.#queue.then(() => new Promise((resolve, reject) => {
      if (this.#gone) { reject(this.#gone); return; }
      const onMessage = (m) => { cleanup(); if (m.ok) resolve(m); else reject(new Error(m.error)); };
      const onEnd = () => { cleanup(); reject(this.#gone); };
      const cleanup = () => {
        this.#worker.off('message', onMessage);
        this.#worker.off('error', onEnd);
        this.#worker.off('exit', onEnd);
      };
      this.#worker.on('message', onMessage);
      this.#worker.on('error', onEnd);
      this.#worker.on('exit', onEnd);
      this.#worker.postMessage(msg);
    }));
    this.#queue = reply.catch(() => {});
    return reply;
  }

  async impl(spec) {
    const id = nextId++;
    await this.call({ op: 'setup', id, spec });
    return {
      timed: async (inner, result, warmMs = 0) => {
        const r = await this.call({ op: 'run', id, inner, result, warmMs });
        return { ms: r.ms, raw: r };
      },
      result: (r) => r.result,
      weightResult: (r) => r.weightResult,
      dispose: () => this.call({ op: 'dispose', id }),
    };
  }

  terminate() { return this.#worker.terminate(); }
}

/** An engine ('ort' | 'convlab') with `threads` threads in a worker; rejects if it cannot start. */
export async function start(engine, threads) {
  const worker = new Worker(new URL('./peer-worker.mjs', import.meta.url));
  const remote = new RemoteEngine(worker);
  try {
    const { info } = await remote.call({ op: 'init', engine, threads });
    remote.info = info;
    return remote;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
}

// The remote engines that compute gradients (ONNX Runtime Web only runs forward passes).
export const TRAINING_REMOTES = ['convlab-all', 'tfjs-wasm-all'];

/**
 * The harness's implementation factories for a spec on each of the named remote engines
 * (`remotes`: name -> RemoteEngine, or the Error it failed to start with, which then becomes
 * the row's 'unsupported' status).
 */
export function remoteImpls(remotes, spec, names = Object.keys(remotes)) {
  const impls = {};
  for (const name of names) {
    const r = remotes[name];
    if (!r) continue;
    impls[name] = () => {
      if (r instanceof Error) throw r;
      return r.impl(spec);
    };
  }
  return impls;
}
