// registry.js: every widget a lesson may name in a ```widget <name>``` fence. Each entry loads
// the widget's module on demand (esbuild splits each into its own chunk). web/lint.mjs
// imports this file in Node to learn the valid names, so keep it free of DOM code.
// To add a widget: create web/src/widgets/<name>/index.js (see README.md here) and one line below.

export const widgets = {
  'conv1d-slide': () => import('./conv1d-slide/index.js'),
  toeplitz: () => import('./toeplitz/index.js'),
  flip: () => import('./flip/index.js'),
};
