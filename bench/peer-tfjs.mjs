// bench/peer-tfjs.mjs: TensorFlow.js 4.22 as a benchmark peer, with its WASM backend
// (XNNPACK, SIMD, one thread) and its plain-JS CPU backend.
//
// tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter kernel, so out of the box it
// cannot train a convolution. For the backward and training benchmarks we register one that
// runs the WASM backend's own Conv3DBackpropFilterV2 on a depth-1 view of the tensors; the
// table says so wherever it is used.
// The union package: tfjs-core's Node bundle alone registers no gradient functions, which
// the training step needs; @tensorflow/tfjs registers them (and the CPU backend).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// One thread in this realm; the threaded build runs in a worker thread of its own
// (bench/peer-tfjs-threaded.mjs), which sets the flag the other way before the backend starts.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

tf.registerKernel({
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs;
    const { strides, pad, filterShape, dataFormat, dimRoundingMode } = attrs;
    if (dataFormat && dataFormat !== 'NHWC') throw new Error('bench shim: NHWC only');
    if (dimRoundingMode) throw new Error('bench shim: no dimRoundingMode');
    // The backend's own kernels on TensorInfos, as backends compose kernels internally.
    const k = (name, inputs, a) => tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs: a });
    const [N, H, W, C] = x.shape;
    const [, Ho, Wo, K] = dy.shape;
    const [R, S] = filterShape;
    const s = Array.isArray(strides) ? strides : [strides, strides];
    const x5 = k('Reshape', { x }, { shape: [N, 1, H, W, C] });
    const dy5 = k('Reshape', { x: dy }, { shape: [N, 1, Ho, Wo, K] });
    const dw5 = k('Conv3DBackpropFilterV2', { x: x5, dy: dy5 },
      { strides: [1, s[0], s[1]], pad, filterShape: [1, R, S, C, K] });
    const dw = k('Reshape', { x: dw5 }, { shape: filterShape });
    for (const t of [x5, dy5, dw5]) backend.disposeData(t.dataId);
    return dw;
  },
});

export { tf };

export const TFJS_BACKENDS = ['wasm', 'cpu'];

let active = null;
// Switches the global backend; returns true when it changed (tensors then move on first use,
// so the caller runs once untimed).
export async function useBackend(name) {
  if (active === name) return false;
  await tf.setBackend(name);
  await tf.ready();
  active = name;
  return true;
}
