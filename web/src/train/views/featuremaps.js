// featuremaps.js: one example through every layer of the network: the input, each layer's
// maps as one tiled canvas (signed scale for convolutions and dense layers, white-black for
// ReLU/sigmoid/pooling outputs), 1-D layers as a strip of cells, the output as class bars.
import { Mosaic, fillDigit, fillMagnitude, fillSigned } from './images.js';
import { el } from '../../lib/dom.js';
import { probabilityBars, scoreCaption } from './bars.js';

const NONNEGATIVE = ['relu', 'maxpool2d', 'avgpool2d', 'sigmoid'];

function maxAbs(values) {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

// The figures are built once per network shape and redrawn in place after that: the view
// follows every evaluation while training runs, and rebuilding its canvases each time made
// the page lay itself out again.
export class FeatureMaps {
  constructor(host) {
    this.host = host;
    this.key = '';
    this.parts = null;
  }

  // input: side*side bytes; result: the worker's inspection; names: layerNames(); title.
  show(input, side, result, names, title, classNames) {
    const key = JSON.stringify([side, result.layers.map((l) => [l.type, l.shape]), names]);
    if (key !== this.key) this.build(side, result, names, key);
    const { inCaption, inMosaic, layers, scores } = this.parts;
    inCaption.textContent = `input (${title})`;
    inMosaic.draw((img) => fillDigit(img, input));
    for (const { index, mosaic, fill, padded } of layers) {
      const data = result.layers[index].data;
      const m = maxAbs(data); // one scale per layer, so its maps compare
      if (padded) {
        padded.set(data);
        mosaic.draw((img) => fill(img, padded, 0, m));
      } else {
        const size = mosaic.w * mosaic.h;
        mosaic.draw((img, c) => fill(img, data, c * size, m));
      }
    }
    scores.replaceChildren(el('figcaption', { text: scoreCaption(result.loss) }), probabilityBars(result.probabilities, classNames, result.loss !== 'mse'));
  }

  build(side, result, names, key) {
    this.key = key;
    const inMosaic = new Mosaic({ count: 1, w: side, h: side, cols: 1, scale: 3 });
    const inCaption = el('figcaption');
    const blocks = [el('figure', { class: 'fm-layer' }, inCaption, inMosaic.canvas)];
    const layers = [];
    result.layers.forEach((layer, index) => {
      if (layer.type === 'flatten') return; // it only re-labels the previous layer
      const shape = layer.shape;
      const fill = NONNEGATIVE.includes(layer.type) ? fillMagnitude : fillSigned;
      let mosaic;
      let padded = null;
      if (shape.length === 3 && shape[1] * shape[2] > 1) {
        const [C, H, W] = shape;
        const scale = Math.min(8, Math.max(2, Math.round(56 / H))); // about 56 px a map
        mosaic = new Mosaic({ count: C, w: W, h: H, cols: C, scale, gap: 3 });
      } else {
        const n = layer.data.length;
        const cols = Math.min(n, 30);
        const rows = Math.ceil(n / cols);
        padded = new Float32Array(rows * cols);
        mosaic = new Mosaic({ count: 1, w: cols, h: rows, cols: 1, scale: 12 });
      }
      const label = `${names[index] ?? layer.type} (${shape.join('×')})`;
      mosaic.canvas.title = `${names[index] ?? layer.type}: ${shape.join('×')}`;
      blocks.push(el('figure', { class: 'fm-layer' }, el('figcaption', { text: label }), mosaic.canvas));
      layers.push({ index, mosaic, fill, padded });
    });
    const scores = el('figure', { class: 'fm-layer' });
    blocks.push(scores);
    this.parts = { inCaption, inMosaic, layers, scores };
    this.host.replaceChildren(...blocks);
  }
}
