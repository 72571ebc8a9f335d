// bench/cases-nn.mjs: dense 784 -> 100 on a batch of 64 (forward, and forward + backward),
// LeNet-5's forward pass and one LeNet-5 SGD step on a batch of 64, for convlab and the peers
// (`remotes`: the engines in worker threads, see bench/remote.mjs).
import { tf } from './peer-tfjs.mjs';
import { convnetjs } from './peer-convnetjs.mjs';
import { randomArray, nchwToNhwc, kcrsToRsck } from './layouts.mjs';
import { remoteImpls, TRAINING_REMOTES } from './remote.mjs';
import { lossOf } from './peer-worker.mjs';

const B = 64, I = 784, O = 100;

// A network's layers and its seeded initial parameters, as every engine gets them.
function seededParameters(cl, layers, inputShape) {
  const net = cl.sequential(layers, { inputShape, seed: 1 });
  const params = net.parameters();
  net.dispose();
  return params;
}

// Dense forward in tfjs with convlab's parameters ([weight (out, in), bias]) on x (B, in);
// with dy, also the input and weight gradients (the input gradient is the result).
export function tfjsDense(x, [w, b], dy) {
  const [O, I] = w.shape;
  const B = x.length / I;
  const tx = tf.tensor2d(x, [B, I]);
  const tw = tf.tensor2d(w.data, [O, I]);
  const twT = tf.transpose(tw);   // (I, O), once: a plain product is XNNPACK's fast path
  const tb = tf.tensor1d(b.data);
  const tdy = dy && tf.tensor2d(dy, [B, O]);
  return {
    run: () => {
      const y = tf.add(tf.matMul(tx, twT), tb);
      let r = y.dataSync();
      y.dispose();
      if (dy) {
        const dx = tf.matMul(tdy, tw);
        const dw = tf.matMul(tdy, tx, true, false);
        const db = tf.sum(tdy, 0);
        r = dx.dataSync();
        dw.dataSync();
        db.dataSync();
        for (const t of [dx, dw, db]) t.dispose();
      }
      return r;
    },
    dispose: () => { for (const t of [tx, tw, twT, tb, tdy]) t?.dispose(); },
  };
}

export function denseCases(cl, remotes = {}) {
  const x = randomArray(B * I, 41);
  const dy = randomArray(B * O, 42);
  const layers = [{ type: 'dense', out: O }];
  const forwardSpec = { kind: 'net', layers, inputShape: [I], batch: B, params: seededParameters(cl, layers, [I]), x };
  const make = (backward) => {
    const convlab = () => {
      const net = cl.sequential([{ type: 'dense', out: O }], { inputShape: [I], seed: 1 });
      const params = net.parameters();
      return {
        run: () => (backward ? net.vjp(x, B, dy) : net.forward(x, B)),
        result: (r) => (backward ? r.gradInput : r),
        params,
        dispose: () => net.dispose(),
      };
    };
    const tfjs = () => tfjsDense(x, forwardSpec.params, backward ? dy : null);
    const cnj = () => {
      const net = cl.sequential([{ type: 'dense', out: O }], { inputShape: [I], seed: 1 });
      const [w, b] = net.parameters();
      net.dispose();
      const layer = new convnetjs.FullyConnLayer({ num_neurons: O, in_sx: 1, in_sy: 1, in_depth: I });
      for (let o = 0; o < O; o++) {
        for (let i = 0; i < I; i++) layer.filters[o].w[i] = w.data[o * I + i];
        layer.biases.w[o] = b.data[o];
      }
      const vols = Array.from({ length: B }, (_, n) => {
        const v = new convnetjs.Vol(1, 1, I, 0);
        for (let i = 0; i < I; i++) v.w[i] = x[n * I + i];
        return v;
      });
      return {
        run: () => {
          const out = new Float32Array(backward ? B * I : B * O);
          vols.forEach((v, n) => {
            const y = layer.forward(v, true);
            if (backward) {
              y.dw = dy.subarray(n * O, (n + 1) * O);
              layer.backward();
              out.set(v.dw, n * I);
            } else out.set(y.w, n * O);
          });
          return out;
        },
      };
    };
    return {
      group: 'dense 784 -> 100, batch 64',
      name: backward ? 'forward + backward' : 'forward',
      flops: (backward ? 6 : 2) * B * I * O,
      reference: 'convlab',
      impls: {
        convlab, 'tfjs-wasm': tfjs, 'tfjs-cpu': tfjs, convnetjs: cnj,
        ...(backward ? remoteImpls(remotes, { ...forwardSpec, kind: 'net-vjp', dy }, TRAINING_REMOTES) : remoteImpls(remotes, forwardSpec)),
      },
    };
  };
  return [make(false), make(true)];
}

export const LENET = [
  { type: 'conv2d', out: 6, kernel: 5, padding: 2 }, { type: 'relu' },
  { type: 'maxpool2d', kernel: 2 },
  { type: 'conv2d', out: 16, kernel: 5 }, { type: 'relu' },
  { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' },
  { type: 'dense', out: 120 }, { type: 'relu' },
  { type: 'dense', out: 84 }, { type: 'relu' },
  { type: 'dense', out: 10 },
];

// FLOPs of one forward pass of LeNet-5 on one example (multiply-adds count two).
const LENET_FORWARD_FLOPS = 2 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10);

// LeNet-5 in TensorFlow.js with convlab's parameters (weights moved to tfjs's layouts).
// logits(tx) on an NHWC batch flattens in convlab's (C, H, W) order so that the dense
// weights mean the same thing.
export function tfjsLenet(params, batch) {
  const p = Object.fromEntries(params.map((q) => [q.name, q]));
  const conv = (q) => tf.variable(tf.tensor4d(kcrsToRsck(q.data, q.shape),
    [q.shape[2], q.shape[3], q.shape[1], q.shape[0]]));
  const dense = (q) => tf.variable(tf.transpose(tf.tensor2d(q.data, q.shape)));
  const v = {
    c1: conv(p['0.weight']), b1: tf.variable(tf.tensor1d(p['0.bias'].data)),
    c3: conv(p['3.weight']), b3: tf.variable(tf.tensor1d(p['3.bias'].data)),
    f1: dense(p['7.weight']), g1: tf.variable(tf.tensor1d(p['7.bias'].data)),
    f2: dense(p['9.weight']), g2: tf.variable(tf.tensor1d(p['9.bias'].data)),
    f3: dense(p['11.weight']), g3: tf.variable(tf.tensor1d(p['11.bias'].data)),
  };
  const logits = (tx) => {
    let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(tx, v.c1, 1, 'same'), v.b1)), 2, 2, 'valid');
    h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, v.c3, 1, 'valid'), v.b3)), 2, 2, 'valid');
    h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, 400]);
    h = tf.relu(tf.add(tf.matMul(h, v.f1), v.g1));
    h = tf.relu(tf.add(tf.matMul(h, v.f2), v.g2));
    return tf.add(tf.matMul(h, v.f3), v.g3);
  };
  return { logits, dispose: () => Object.values(v).forEach((t) => t.dispose()) };
}

// tfjsLenet's logits on x (B, 1, 28, 28).
export function tfjsLenetForward(params, x, batch) {
  const net = tfjsLenet(params, batch);
  const tx = tf.tensor4d(nchwToNhwc(x, [batch, 1, 28, 28]), [batch, 28, 28, 1]);
  return {
    run: () => {
      const y = tf.tidy(() => net.logits(tx));
      const data = y.dataSync();
      y.dispose();
      return data;
    },
    dispose: () => { net.dispose(); tx.dispose(); },
  };
}

// One SGD step of tfjsLenet on x (B, 1, 28, 28) with softmax cross-entropy; returns the loss
// (before the step) as an array, for the check against convlab's.
export function tfjsLenetStep(params, x, labels, lr) {
  const batch = labels.length;
  const net = tfjsLenet(params, batch);
  const tx = tf.tensor4d(nchwToNhwc(x, [batch, 1, 28, 28]), [batch, 28, 28, 1]);
  const ty = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const opt = tf.train.sgd(lr);
  const loss = () => tf.losses.softmaxCrossEntropy(ty, net.logits(tx));
  return {
    run: () => {
      const l = opt.minimize(loss, true);
      const value = l.dataSync()[0];
      l.dispose();
      return Float32Array.of(value);
    },
    dispose: () => { net.dispose(); tx.dispose(); ty.dispose(); opt.dispose(); },
  };
}

const lenetInput = () => randomArray(B * 784, 51).map((v) => (v + 1) / 2);

export function lenetForwardCase(cl, remotes = {}) {
  const x = lenetInput();
  const params = seededParameters(cl, LENET, [1, 28, 28]);
  const convlab = () => {
    const net = cl.sequential(LENET, { inputShape: [1, 28, 28], seed: 1 });
    net.setParameters(params);
    return { run: () => net.forward(x, B), dispose: () => net.dispose() };
  };
  const tfjs = () => tfjsLenetForward(params, x, B);
  return {
    group: 'LeNet-5 forward',
    name: 'batch 64, logits',
    flops: B * LENET_FORWARD_FLOPS,
    reference: 'convlab',
    impls: {
      convlab, 'tfjs-wasm': tfjs, 'tfjs-cpu': tfjs,
      ...remoteImpls(remotes, { kind: 'net', layers: LENET, inputShape: [1, 28, 28], batch: B, params, x }),
    },
  };
}

export function lenetCase(cl, remotes = {}) {
  const x = lenetInput();
  const labels = Int32Array.from({ length: B }, (_, i) => (i * 7) % 10);
  const lr = 0.01;
  const convlab = () => {
    const net = cl.sequential(LENET, { inputShape: [1, 28, 28], seed: 1 });
    return { run: () => lossOf(net.trainStep(x, labels, B, { lr })), dispose: () => net.dispose() };
  };
  const tfjs = () => tfjsLenetStep(seededParameters(cl, LENET, [1, 28, 28]), x, labels, lr);
  const cnj = () => {
    const net = new convnetjs.Net();
    net.makeLayers([
      { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
      { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 2, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'fc', num_neurons: 120, activation: 'relu' },
      { type: 'fc', num_neurons: 84, activation: 'relu' },
      { type: 'softmax', num_classes: 10 },
    ]);
    const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: lr, momentum: 0, batch_size: B, l2_decay: 0 });
    const vols = Array.from({ length: B }, (_, n) => {
      const vol = new convnetjs.Vol(28, 28, 1, 0);
      vol.w.set(x.subarray(n * 784, (n + 1) * 784));
      return vol;
    });
    return { run: () => vols.forEach((vol, n) => trainer.train(vol, labels[n])) };
  };
  return {
    group: 'LeNet-5 SGD step',
    name: 'batch 64, softmax cross-entropy',
    flops: 3 * B * LENET_FORWARD_FLOPS,
    // The first step's loss, from the same initial parameters, against convlab's on one
    // thread (ConvNetJS starts from its own initialisation and is not checked).
    reference: 'convlab',
    note: 'tfjs-wasm trains the convolutions through the registered filter-gradient shim',
    impls: {
      convlab, 'tfjs-wasm': tfjs, 'tfjs-cpu': tfjs, convnetjs: cnj,
      ...remoteImpls(remotes, { kind: 'net-step', layers: LENET, inputShape: [1, 28, 28], batch: B, params: seededParameters(cl, LENET, [1, 28, 28]), x, labels, lr }, TRAINING_REMOTES),
    },
  };
}
