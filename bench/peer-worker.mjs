// bench/peer-worker.mjs: one engine at one thread count, in a worker thread of the benchmark's
// process. An engine's thread count is fixed when its module starts (ONNX Runtime Web reads
// env.wasm.numThreads once per module instance, convlab's load() returns one instance per
// realm), so each (engine, thread count) gets a realm of its own; the main thread drives them
// one call at a time, interleaved with everything else, and each timing is taken in here,
// around the calls alone.
//
// Messages in: { op: 'init', engine, threads }, { op: 'setup', id, spec }, { op: 'run', id,
// inner, result, warmMs }, { op: 'dispose', id }. Each gets one reply: { ok: true, ... } or
// { ok: false, error }. Specs (plain data, built by the cases): conv2d, conv2d-backward,
// maxpool2d (backward when it has dy), net (forward pass of a list of layer specs with given
// parameters), net-vjp (its input gradient), net-step (one SGD step).
// Engines: 'ort', 'convlab' (threads > 1 only), 'tfjs-wasm' (its threaded build).
import { parentPort } from 'node:worker_threads';
import { modelFromLayers } from './onnx-model.mjs';

let engine = null;
const impls = new Map();

// The single layer of a conv2d or maxpool2d spec, as a layer list for the network paths.
function layersOf(spec) {
  if (spec.kind === 'conv2d') {
    const [K, , R, S] = spec.wShape;
    return { layers: [{ type: 'conv2d', out: K, kernel: [R, S], padding: spec.padding, bias: false }], params: [{ name: '0.weight', shape: spec.wShape, data: spec.w }] };
  }
  if (spec.kind === 'maxpool2d') return { layers: [{ type: 'maxpool2d', kernel: spec.kernel }], params: [] };
  return spec;
}

const ENGINES = {
  async ort(threads) {
    // The Node entry of onnxruntime-web: its WebAssembly backend (MLAS kernels, SIMD), with
    // the .wasm and its glue taken from the installed package, never fetched.
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.wasmPaths = new URL('../node_modules/onnxruntime-web/dist/', import.meta.url).href;
    // The first session initialises the module; numThreads is then fixed for this realm.
    return {
      info: { version: ort.env.versions?.web ?? '?', threads },
      async make(spec) {
        if (spec.dy || spec.kind !== 'conv2d' && spec.kind !== 'maxpool2d' && spec.kind !== 'net') throw new Error('ONNX Runtime Web runs forward passes only');
        const { layers, params } = layersOf(spec);
        const inputShape = spec.kind === 'net' ? spec.inputShape : spec.xShape.slice(1);
        const batch = spec.kind === 'net' ? spec.batch : spec.xShape[0];
        const model = modelFromLayers(layers, inputShape, batch, params);
        const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        const dims = [batch, ...inputShape];
        return {
          async: true,
          run: async () => (await session.run({ x: new ort.Tensor('float32', spec.x, dims) })).y.data,
          dispose: () => session.release(),
        };
      },
    };
  },

  async convlab(threads) {
    const { load } = await import('convlab');
    // load() refuses an option it does not know, so a module without threads says so here;
    // a count above the module's limit is a RangeError, and then the most it takes is used.
    let cl;
    for (let n = threads; !cl; n--) {
      cl = await load({ threads: n }).catch((e) => {
        if (e instanceof RangeError && n > 2) return null;
        throw new Error(`load({ threads: ${n} }) refused: ${e.message}`);
      });
    }
    if (!(cl.threads > 1)) throw new Error(`load({ threads }) gave cl.threads = ${cl.threads}`);
    return {
      info: { version: cl.version, threads: cl.threads },
      make(spec) {
        const { x, xShape, w, wShape, dy, padding } = spec;
        switch (spec.kind) {
          case 'conv2d': return { run: () => cl.conv2d(x, xShape, w, wShape, { padding, method: 'auto' }).data };
          case 'conv2d-backward': return {
            run: () => cl.conv2dBackward(x, xShape, w, wShape, dy, { padding, method: 'auto' }),
            result: (r) => r.gradInput,
            weightResult: (r) => r.gradWeight,
          };
          case 'maxpool2d': return {
            run: () => (dy ? cl.maxPool2dBackward(x, xShape, dy, { kernel: spec.kernel }) : cl.maxPool2d(x, xShape, { kernel: spec.kernel }).data),
          };
          default: break;
        }
        const net = cl.sequential(spec.layers, { inputShape: spec.inputShape, seed: 1 });
        net.setParameters(spec.params);
        const runs = {
          net: () => net.forward(x, spec.batch),
          'net-vjp': () => net.vjp(x, spec.batch, dy).gradInput,
          'net-step': () => lossOf(net.trainStep(x, spec.labels, spec.batch, { lr: spec.lr })),
        };
        if (!runs[spec.kind]) throw new Error(`no convlab implementation of a ${spec.kind}`);
        return { run: runs[spec.kind], dispose: () => net.dispose() };
      },
    };
  },
  // TensorFlow.js's WASM backend, threaded build (bench/peer-tfjs-threaded.mjs), with the
  // same tfjs code as the one-thread peer in the main thread.
  async 'tfjs-wasm'(threads) {
    await import('./peer-tfjs.mjs');   // the filter-gradient shim the training step needs
    const { loadThreadedTfjs } = await import('./peer-tfjs-threaded.mjs');
    const { tf, threads: used } = await loadThreadedTfjs(threads);
    // Its pool takes at most 8 threads; fewer than 2 would be the one-thread peer again.
    if (used < Math.min(threads, 2)) throw new Error(`tfjs-backend-wasm runs ${used} threads, asked for ${threads}`);
    const { tfjsConvForward, tfjsConvBackward, tfjsMaxPool } = await import('./cases-conv2d.mjs');
    const { tfjsDense, tfjsLenetForward, tfjsLenetStep, LENET } = await import('./cases-nn.mjs');
    const isLenet = (layers) => JSON.stringify(layers) === JSON.stringify(LENET);
    return {
      info: { version: tf.version_core, threads: used },
      make(spec) {
        const shape = { x: spec.xShape, w: spec.wShape, padding: spec.padding };
        const isDense = (layers) => layers.length === 1 && layers[0].type === 'dense';
        if (spec.kind === 'conv2d') return tfjsConvForward(shape, spec.x, spec.w);
        if (spec.kind === 'conv2d-backward') return tfjsConvBackward(shape, spec.x, spec.w, spec.dy);
        if (spec.kind === 'maxpool2d' && spec.kernel === 2) return tfjsMaxPool(spec.x, spec.xShape, spec.dy);
        if (spec.kind === 'net' && isDense(spec.layers)) return tfjsDense(spec.x, spec.params, null);
        if (spec.kind === 'net-vjp' && isDense(spec.layers)) return tfjsDense(spec.x, spec.params, spec.dy);
        if (spec.kind === 'net' && isLenet(spec.layers)) return tfjsLenetForward(spec.params, spec.x, spec.batch);
        if (spec.kind === 'net-step' && isLenet(spec.layers)) return tfjsLenetStep(spec.params, spec.x, spec.labels, spec.lr);
        throw new Error(`no tfjs implementation of a ${spec.kind}`);
      },
    };
  },
};

// A training step's loss as an array, so the harness can check it against the one-thread run's.
export function lossOf(r) {
  return Float32Array.of(typeof r === 'number' ? r : r.loss);
}

async function handle(msg) {
  switch (msg.op) {
    case 'init': {
      if (!ENGINES[msg.engine]) throw new Error(`no engine ${msg.engine}`);
      engine = await ENGINES[msg.engine](msg.threads);
      return { info: engine.info };
    }
    case 'setup': {
      impls.set(msg.id, await engine.make(msg.spec));
      return {};
    }
    case 'run': {
      const impl = impls.get(msg.id);
      let raw;
      // untimed calls first (warmMs: for that long, at least two), right before the timed ones
      if (msg.warmMs > 0) {
        const w0 = performance.now();
        for (let calls = 0; calls < 2 || performance.now() - w0 < msg.warmMs; calls++) {
          if (impl.async) await impl.run(); else impl.run();
        }
      }
      const t0 = performance.now();
      if (impl.async) for (let i = 0; i < msg.inner; i++) raw = await impl.run();
      else for (let i = 0; i < msg.inner; i++) raw = impl.run();
      const ms = (performance.now() - t0) / msg.inner;
      if (!msg.result) return { ms };
      const array = (a) => (ArrayBuffer.isView(a) ? Float32Array.from(a) : null);
      // In convlab's layout.
      return { ms, result: array(impl.result ? impl.result(raw) : raw), weightResult: array(impl.weightResult?.(raw)) };
    }
    case 'dispose': {
      await impls.get(msg.id)?.dispose?.();
      impls.delete(msg.id);
      return {};
    }
    default: throw new Error(`unknown op ${msg.op}`);
  }
}

if (parentPort) {
  parentPort.on('message', async (msg) => {
    try {
      parentPort.postMessage({ ok: true, ...(await handle(msg)) });
    } catch (e) {
      parentPort.postMessage({ ok: false, error: e?.message ?? String(e) });
    }
  });
}
