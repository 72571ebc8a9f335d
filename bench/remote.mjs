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

  constructor(worker) { this.#worker = worker; }

  // One request at a time, each answered by exactly one message.
  call(msg) {
    const reply = this.#queue.then(() => new Promise((resolve, reject) => {
      const onMessage = (m) => { cleanup(); if (m.ok) resolve(m); else reject(new Error(m.error)); };
      const onError = (e) => { cleanup(); reject(e); };
      const cleanup = () => { this.#worker.off('message', onMessage); this.#worker.off('error', onError); };
      this.#worker.on('message', onMessage);
      this.#worker.on('error', onError);
      this.#worker.postMessage(msg);
    }));
    this.#queue = reply.catch(() => {});
    return reply;
  }

  async impl(spec) {
    const id = nextId++;
    await this.call({ op: 'setup', id, spec });
    return {
      timed: async (inner, result) => {
        const r = await this.call({ op: 'run', id, inner, result });
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
