// presets.js: ready designs to start from. LeNet-5 and the MLP are the training page's
// (architectures.js); the others show one idea each: batch normalisation, a network of
// convolutions only that ends in global average pooling, VGG's stacks of 3x3 convolutions,
// and residual blocks. A preset whose kinds the loaded core lacks is not offered (the list
// of kinds comes from the registry). All take a 1x28x28 digit and give 10 outputs.

import { layersFor } from '../train/architectures.js';

const conv = (out, kernel, more = {}) => ({ type: 'conv2d', out, kernel, ...more });
const relu = { type: 'relu' };
const pool = { type: 'maxpool2d', kernel: 2 };

export const PRESETS = Object.freeze([
  { id: 'lenet5', label: 'LeNet-5', layers: () => layersFor({ arch: 'lenet5', activation: 'relu', pool: 'max' }) },
  { id: 'mlp', label: 'MLP 784-128-64-10', layers: () => layersFor({ arch: 'mlp', activation: 'relu' }) },
  {
    id: 'lenet-bn',
    label: 'LeNet-5 with batch norm',
    layers: () => [
      conv(6, 5, { padding: 2 }), { type: 'batchnorm2d' }, relu, pool,
      conv(16, 5), { type: 'batchnorm2d' }, relu, pool,
      conv(120, 5), { type: 'batchnorm2d' }, relu, { type: 'flatten' },
      { type: 'dense', out: 84 }, { type: 'batchnorm1d' }, relu, { type: 'dense', out: 10 },
    ],
  },
  {
    id: 'allconv',
    label: 'All-convolutional + global average pooling',
    layers: () => [
      conv(16, 3, { padding: 1 }), relu, conv(16, 3, { stride: 2, padding: 1 }), relu,
      conv(32, 3, { padding: 1 }), relu, conv(32, 3, { stride: 2, padding: 1 }), relu,
      conv(10, 1), { type: 'globalavgpool2d' }, { type: 'flatten' },
    ],
  },
  {
    id: 'tiny-vgg',
    label: 'Tiny VGG',
    layers: () => [
      conv(8, 3, { padding: 1 }), relu, conv(8, 3, { padding: 1 }), relu, pool,
      conv(16, 3, { padding: 1 }), relu, conv(16, 3, { padding: 1 }), relu, pool,
      { type: 'flatten' }, { type: 'dense', out: 10 },
    ],
  },
  {
    id: 'tiny-resnet',
    label: 'Tiny ResNet',
    layers: () => [
      conv(8, 3, { padding: 1 }), relu,
      { type: 'residual', layers: [conv(8, 3, { padding: 1 }), relu, conv(8, 3, { padding: 1 })] }, relu, pool,
      conv(16, 3, { padding: 1 }), relu,
      { type: 'residual', layers: [conv(16, 3, { padding: 1 }), relu, conv(16, 3, { padding: 1 })] }, relu, pool,
      { type: 'flatten' }, { type: 'dense', out: 10 },
    ],
  },
]);

// Every kind a design uses, sub-lists included.
export function kindsOf(design) {
  const kinds = new Set();
  const walk = (list) => list.forEach((l) => {
    kinds.add(l.type);
    for (const v of Object.values(l)) if (Array.isArray(v) && v.some((x) => typeof x === 'object')) walk(v);
  });
  walk(design);
  return kinds;
}

// The presets the core can build: those whose every kind is in `layerTypes`.
export function availablePresets(layerTypes) {
  return PRESETS.filter((p) => [...kindsOf(p.layers())].every((k) => layerTypes.includes(k)));
}

// The id of the preset equal to `design`, or null.
export function presetOf(design) {
  const text = JSON.stringify(design);
  return PRESETS.find((p) => JSON.stringify(p.layers()) === text)?.id ?? null;
}
