// registry.js: every widget a lesson may name in a ```widget <name>``` fence. Each entry loads
// the widget's module on demand (esbuild splits each into its own chunk). web/lint.mjs
// imports this file in Node to learn the valid names, so keep it free of DOM code.
// To add a widget: create web/src/widgets/<name>/index.js (see README.md here) and one line below.

export const widgets = {
  'conv1d-slide': () => import('./conv1d-slide/index.js'),
  toeplitz: () => import('./toeplitz/index.js'),
  flip: () => import('./flip/index.js'),
  // The other lesson widgets, in lesson order.
  'gd-vs-sgd': () => import('./gd-vs-sgd/index.js'),
  'jacobian-chain': () => import('./jacobian-chain/index.js'),
  'backprop-steps': () => import('./backprop-steps/index.js'),
  'fourier-sum': () => import('./fourier-sum/index.js'),
  'shift-invariance': () => import('./shift-invariance/index.js'),
  'lti-probe': () => import('./lti-probe/index.js'),
  connectivity: () => import('./connectivity/index.js'),
  'conv2d-explorer': () => import('./conv2d-explorer/index.js'),
  'receptive-field': () => import('./receptive-field/index.js'),
  'conv-arithmetic': () => import('./conv-arithmetic/index.js'),
  'weight-sharing-grad': () => import('./weight-sharing-grad/index.js'),
  'input-grad': () => import('./input-grad/index.js'),
  'fft-conv': () => import('./fft-conv/index.js'),
  'conv-benchmark': () => import('./conv-benchmark/index.js'),
  'pooling-shift': () => import('./pooling-shift/index.js'),
  volume: () => import('./volume/index.js'),
  'lenet-shapes': () => import('./lenet-shapes/index.js'),
  'inception-savings': () => import('./inception-savings/index.js'),
  // Not in a lesson yet: for embeds and for lessons that want to let students build.
  designer: () => import('./designer/index.js'),
};
