// bench/cases-conv2d.mjs: the 2-D cases of the benchmark (conv2d forward A-D, conv2d
// backward A and C, max-pool forward and backward), each with a convlab implementation
// per method from cl.methods plus 'auto', and the peers that can run it. Every
// implementation returns its result in convlab's layout so the harness can check it against
// convlab's before timing.
import { tf } from './peer-tfjs.mjs';
import { convnetjs, toVol, fromVol, setConvWeights, convWeightGrad } from './peer-convnetjs.mjs';
import { nchwToNhwc, nhwcToNchw, kcrsToRsck, rsckToKcrs, randomArray } from './layouts.mjs';
import { remoteImpls, TRAINING_REMOTES } from './remote.mjs';

export const CONV_SHAPES = {
  A: { x: [64, 1, 28, 28], w: [6, 1, 5, 5], padding: 'valid' },
  B: { x: [64, 6, 14, 14], w: [16, 6, 5, 5], padding: 'valid' },
  C: { x: [8, 64, 32, 32], w: [64, 64, 3, 3], padding: 'same' },
  D: { x: [8, 256, 14, 14], w: [64, 256, 1, 1], padding: 'valid' },
};

const prod = (s) => s.reduce((a, b) => a * b, 1);

function convOut({ x, w, padding }) {
  const [N, , H, W] = x;
  const [K, , R, S] = w;
  return padding === 'same' ? [N, K, H, W] : [N, K, H - R + 1, W - S + 1];
}

function convFlops(shape) {
  const [N, K, Ho, Wo] = convOut(shape);
  const [, C, R, S] = shape.w;
  return 2 * N * K * Ho * Wo * C * R * S;
}

// Also run by the threaded tfjs-wasm in a worker (bench/peer-worker.mjs).
export function tfjsConvForward(shape, x, w) {
  const out = convOut(shape);
  const tx = tf.tensor4d(nchwToNhwc(x, shape.x), [shape.x[0], shape.x[2], shape.x[3], shape.x[1]]);
  const tw = tf.tensor4d(kcrsToRsck(w, shape.w), [shape.w[2], shape.w[3], shape.w[1], shape.w[0]]);
  return {
    run: () => {
      const y = tf.conv2d(tx, tw, 1, shape.padding);
      const data = y.dataSync();
      y.dispose();
      return data;
    },
    result: (raw) => nhwcToNchw(raw, out),
    dispose: () => { tx.dispose(); tw.dispose(); },
  };
}

function convnetjsConv(shape, x, w, withBackward, dy) {
  const [N, C, H, W] = shape.x;
  const [K, , R] = shape.w;
  const out = convOut(shape);
  const pad = shape.padding === 'same' ? (R - 1) / 2 : 0;
  const layer = new convnetjs.ConvLayer({ filters: K, sx: R, in_sx: W, in_sy: H, in_depth: C, pad });
  setConvWeights(layer, w, shape.w, null);
  const vols = Array.from({ length: N }, (_, n) => toVol(x, shape.x, n));
  const dyVols = withBackward ? Array.from({ length: N }, (_, n) => toVol(dy, out, n)) : null;
  return {
    run: () => {
      const ys = [];
      for (let n = 0; n < N; n++) {
        const y = layer.forward(vols[n], true);
        if (withBackward) {
          y.dw = dyVols[n].w;
          layer.backward();
        }
        ys.push(y);
      }
      return withBackward ? vols : ys;
    },
    result: (raw) => {
      const r = new Float32Array(prod(withBackward ? shape.x : out));
      raw.forEach((v, n) => fromVol(v, r, withBackward ? shape.x : out, n, withBackward ? 'dw' : 'w'));
      return r;
    },
    weightGrad: () => convWeightGrad(layer, shape.w),
    dispose: () => {},
  };
}

// `remotes` (bench/remote.mjs): the engines in worker threads (ONNX Runtime Web at one
// thread and all cores, convlab at all cores), which run the forward cases.
export function conv2dForwardCases(cl, remotes = {}) {
  return Object.entries(CONV_SHAPES).map(([id, shape]) => {
    const x = randomArray(prod(shape.x), 11);
    const w = randomArray(prod(shape.w), 12);
    const impls = {};
    for (const method of [...cl.methods.conv2d, 'auto']) {
      impls[`convlab ${method}`] = () => ({
        run: () => cl.conv2d(x, shape.x, w, shape.w, { padding: shape.padding, method }).data,
      });
    }
    impls['tfjs-wasm'] = () => tfjsConvForward(shape, x, w);
    impls['tfjs-cpu'] = () => tfjsConvForward(shape, x, w);
    impls.convnetjs = () => convnetjsConv(shape, x, w, false);
    Object.assign(impls, remoteImpls(remotes, { kind: 'conv2d', x, xShape: shape.x, w, wShape: shape.w, padding: shape.padding }));
    return {
      group: 'conv2d forward',
      name: `${id} ${shape.x.join('x')} -> ${shape.w[0]}, ${shape.w[2]}x${shape.w[3]} ${shape.padding}`,
      flops: convFlops(shape),
      autoChoice: cl.autoMethod2d(shape.x, shape.w, { padding: shape.padding }),
      reference: 'convlab auto',
      impls,
    };
  });
}

export function tfjsConvBackward(shape, x, w, dy) {
  const [N, C, H, W] = shape.x;
  const [K, , R, S] = shape.w;
  const out = convOut(shape);
  const tx = tf.tensor4d(nchwToNhwc(x, shape.x), [N, H, W, C]);
  const tw = tf.tensor4d(kcrsToRsck(w, shape.w), [R, S, C, K]);
  const tdy = tf.tensor4d(nchwToNhwc(dy, out), [N, out[2], out[3], K]);
  const attrs = { strides: [1, 1], pad: shape.padding, dataFormat: 'NHWC' };
  return {
    run: () => {
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: tx, dy: tdy },
        { ...attrs, filterShape: [R, S, C, K] });
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: tdy, filter: tw },
        { ...attrs, inputShape: [N, H, W, C] });
      const r = { dx: dx.dataSync(), dw: dw.dataSync() };
      dx.dispose();
      dw.dispose();
      return r;
    },
    result: (raw) => nhwcToNchw(raw.dx, shape.x),
    weightResult: (raw) => rsckToKcrs(raw.dw, shape.w),
    dispose: () => { tx.dispose(); tw.dispose(); tdy.dispose(); },
  };
}

export function conv2dBackwardCases(cl, remotes = {}) {
  return ['A', 'C'].map((id) => {
    const shape = CONV_SHAPES[id];
    const x = randomArray(prod(shape.x), 21);
    const w = randomArray(prod(shape.w), 22);
    const dy = randomArray(prod(convOut(shape)), 23);
    const impls = {};
    for (const method of [...cl.methods.conv2d, 'auto']) {
      impls[`convlab ${method}`] = () => ({
        run: () => cl.conv2dBackward(x, shape.x, w, shape.w, dy, { padding: shape.padding, method }),
        result: (r) => r.gradInput,
        weightResult: (r) => r.gradWeight,
      });
    }
    impls['tfjs-wasm'] = () => tfjsConvBackward(shape, x, w, dy);
    impls['tfjs-cpu'] = () => tfjsConvBackward(shape, x, w, dy);
    impls.convnetjs = () => {
      const c = convnetjsConv(shape, x, w, true, dy);
      return { ...c, weightResult: () => c.weightGrad() };
    };
    const spec = { kind: 'conv2d-backward', x, xShape: shape.x, w, wShape: shape.w, dy, padding: shape.padding };
    Object.assign(impls, remoteImpls(remotes, spec, TRAINING_REMOTES));
    return {
      group: 'conv2d backward (input + weight)',
      name: `${id} ${shape.x.join('x')} -> ${shape.w[0]}, ${shape.w[2]}x${shape.w[3]} ${shape.padding}`,
      flops: 2 * convFlops(shape),
      reference: 'convlab auto',
      note: 'tfjs-wasm: filter gradient through its Conv3DBackpropFilterV2 on a depth-1 view (it registers no Conv2DBackpropFilter)',
      impls,
    };
  });
}

// 2x2/2 max pooling in tfjs on x (N, C, H, W): forward, or with dy the input gradient.
export function tfjsMaxPool(x, xShape, dy) {
  const [N, C, H, W] = xShape;
  const yShape = [N, C, H >> 1, W >> 1];
  const tx = tf.tensor4d(nchwToNhwc(x, xShape), [N, H, W, C]);
  const tdy = dy && tf.tensor4d(nchwToNhwc(dy, yShape), [N, H >> 1, W >> 1, C]);
  const ty = tf.maxPool(tx, 2, 2, 'valid');
  return {
    run: () => {
      const r = dy
        ? tf.engine().runKernel('MaxPoolGrad', { dy: tdy, input: tx, output: ty },
          { filterSize: [2, 2], strides: [2, 2], pad: 'valid' })
        : tf.maxPool(tx, 2, 2, 'valid');
      const data = r.dataSync();
      r.dispose();
      return data;
    },
    result: (raw) => nhwcToNchw(raw, dy ? xShape : yShape),
    dispose: () => { tx.dispose(); tdy?.dispose(); ty.dispose(); },
  };
}

export function maxPoolCases(cl, remotes = {}) {
  const xShape = [64, 6, 24, 24];
  const yShape = [64, 6, 12, 12];
  // Non-negative input, as after a ReLU: tfjs-wasm 4.22's MaxPoolGrad sends the gradient to
  // the wrong element of a window whose values are all negative (it disagrees with its own
  // CPU backend and with PyTorch there), and the check below would rightly refuse it.
  const x = randomArray(prod(xShape), 31).map(Math.abs);
  const dy = randomArray(prod(yShape), 32);
  const [N, C, H, W] = xShape;
  const tfjs = (backward) => () => tfjsMaxPool(x, xShape, backward ? dy : null);
  const cnj = (backward) => () => {
    const layer = new convnetjs.PoolLayer({ sx: 2, stride: 2, in_sx: W, in_sy: H, in_depth: C });
    const vols = Array.from({ length: N }, (_, n) => toVol(x, xShape, n));
    const dyVols = Array.from({ length: N }, (_, n) => toVol(dy, yShape, n));
    return {
      run: () => vols.map((v, n) => {
        const y = layer.forward(v, true);
        if (!backward) return y;
        y.dw = dyVols[n].w;
        layer.backward();
        return v;
      }),
      result: (raw) => {
        const r = new Float32Array(prod(backward ? xShape : yShape));
        raw.forEach((v, n) => fromVol(v, r, backward ? xShape : yShape, n, backward ? 'dw' : 'w'));
        return r;
      },
    };
  };
  return [false, true].map((backward) => ({
    group: 'max-pool 2x2/2',
    note: 'input >= 0 (after a ReLU); tfjs-wasm\'s MaxPoolGrad is wrong on all-negative windows',
    name: `${backward ? 'backward' : 'forward'} 64x6x24x24`,
    flops: 0,
    reference: 'convlab',
    impls: {
      convlab: () => ({
        run: () => (backward
          ? cl.maxPool2dBackward(x, xShape, dy, { kernel: 2 })
          : cl.maxPool2d(x, xShape, { kernel: 2 }).data),
      }),
      'tfjs-wasm': tfjs(backward),
      'tfjs-cpu': tfjs(backward),
      convnetjs: cnj(backward),
      ...(backward
        ? remoteImpls(remotes, { kind: 'maxpool2d', x, xShape, kernel: 2, dy }, TRAINING_REMOTES)
        : remoteImpls(remotes, { kind: 'maxpool2d', x, xShape, kernel: 2 })),
    },
  }));
}
