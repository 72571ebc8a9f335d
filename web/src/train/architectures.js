// architectures.js: the networks of the training page as lists of layers of convlab's
// `sequential`, a name for each layer, and the parameters each one has (names and shapes,
// so that a run file can be checked against the network its settings describe before any
// network is built). A custom design (arch 'custom') is its own list of layers; its
// parameters' shapes are the core's (designer/analyse.js builds it).

import { designParameterShapes, designTensorShapes } from '../designer/analyse.js';

// LeNet-5 (LeCun et al. 1998, the notes' "Architecture LeNet5"): C1 6@5x5 on the 28x28
// digit padded by 2 (LeCun's 32x32 input), S2 2x2, C3 16@5x5, S4 2x2, C5 120@5x5 kept a
// convolution as in the paper (on the 5x5 maps of S4 it is the same map as flatten + dense
// 120), F6 84, output 10. Differences from the paper, on purpose: C3 connects to all six S2
// maps (LeCun's table left some out), pooling has no trainable coefficient, the output is a
// plain linear layer (not RBF units), and the activation is selectable (LeCun's was a scaled
// tanh). The MLP is the comparison without convolutions.
export function layersFor(settings) {
  if (settings.arch === 'custom') return settings.design.map((l) => ({ ...l }));
  const act = { type: settings.activation };
  if (settings.arch === 'mlp') {
    return [{ type: 'flatten' }, { type: 'dense', out: 128 }, act, { type: 'dense', out: 64 }, { ...act }, { type: 'dense', out: 10 }];
  }
  const pool = { type: settings.pool === 'avg' ? 'avgpool2d' : 'maxpool2d', kernel: 2 };
  return [
    { type: 'conv2d', out: 6, kernel: 5, padding: 2 }, { ...act }, { ...pool }, // C1, S2
    { type: 'conv2d', out: 16, kernel: 5 }, { ...act }, { ...pool }, // C3, S4
    { type: 'conv2d', out: 120, kernel: 5 }, { ...act }, { type: 'flatten' }, // C5
    { type: 'dense', out: 84 }, { ...act }, // F6
    { type: 'dense', out: 10 }, // output
  ];
}

// A name for each layer of layersFor(), for the feature-map view.
export function layerNames(settings) {
  if (settings.arch === 'custom') return settings.design.map(designLayerName);
  if (settings.arch === 'mlp') return ['flatten', 'hidden 128', settings.activation, 'hidden 64', settings.activation, 'output'];
  const a = settings.activation;
  const p = settings.pool === 'avg' ? 'avg pool' : 'max pool';
  return ['C1 conv 6@5x5', a, `S2 ${p}`, 'C3 conv 16@5x5', a, `S4 ${p}`, 'C5 conv 120@5x5', a, 'flatten', 'F6 dense 84', a, 'output 10'];
}

// "conv2d 8@3x3", "dense 10", "maxpool2d 2x2": a custom layer's kind and its main sizes.
export function designLayerName(spec) {
  const k = spec.kernel === undefined ? '' : Array.isArray(spec.kernel) ? spec.kernel.join('x') : `${spec.kernel}x${spec.kernel}`;
  if ('out' in spec) return `${spec.type} ${spec.out}${k ? `@${k}` : ''}`;
  return k ? `${spec.type} ${k}` : spec.type;
}

// [{ name, shape }] of the network's parameters in the core's order and naming
// ("<layer index>.weight" [out, in, k, k] or [out, in], "<layer index>.bias" [out]), for an
// input of `channels` x side x side. Stride 1 convolutions, pooling windows of `kernel`.
// A custom design's are the core's: it is built in the registered core (analyse.js).
export function parameterShapes(settings, side = 28, channels = 1) {
  if (settings.arch === 'custom') return designParameterShapes(settings.design, [channels, side, side]);
  const shapes = [];
  let [c, h, w] = [channels, side, side];
  layersFor(settings).forEach((l, i) => {
    if (l.type === 'conv2d') {
      shapes.push({ name: `${i}.weight`, shape: [l.out, c, l.kernel, l.kernel] }, { name: `${i}.bias`, shape: [l.out] });
      const pad = l.padding ?? 0;
      [c, h, w] = [l.out, h + 2 * pad - l.kernel + 1, w + 2 * pad - l.kernel + 1];
    } else if (l.type === 'maxpool2d' || l.type === 'avgpool2d') {
      [h, w] = [Math.floor(h / l.kernel), Math.floor(w / l.kernel)];
    } else if (l.type === 'flatten') {
      [c, h, w] = [c * h * w, 1, 1];
    } else if (l.type === 'dense') {
      shapes.push({ name: `${i}.weight`, shape: [l.out, c * h * w] }, { name: `${i}.bias`, shape: [l.out] });
      [c, h, w] = [l.out, 1, 1];
    }
  });
  return shapes;
}

// [{ name, shape }] of the network's buffers (batch norm's running statistics): none for
// LeNet-5 and the MLP; a custom design's are the core's.
export function bufferShapes(settings, side = 28, channels = 1) {
  if (settings.arch !== 'custom') return [];
  return designTensorShapes(settings.design, [channels, side, side], 'buffers');
}

// The parameters the filter view draws: the kernels of the first two convolution layers
// (C1 and C3); C5's 120 x 16 kernels would drown them.
export function filterNames(settings) {
  return parameterShapes(settings).filter((p) => p.shape.length === 4).slice(0, 2).map((p) => p.name);
}
