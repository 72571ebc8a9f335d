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

export class FeatureMaps {
  constructor(host) {
    this.host = host;
  }

  // input: side*side bytes; result: the worker's inspection; names: layerNames(); title.
  show(input, side, result, names, title, classNames) {
    const inMosaic = new Mosaic({ count: 1, w: side, h: side, cols: 1, scale: 3 });
    inMosaic.draw((img) => fillDigit(img, input));
    const blocks = [el('figure', { class: 'fm-layer' }, el('figcaption', { text: `input (${title})` }), inMosaic.canvas)];
    result.layers.forEach((layer, i) => {
      if (layer.type === 'flatten') return; // it only re-labels the previous layer
      const shape = layer.shape;
      const signed = !NONNEGATIVE.includes(layer.type);
      const fill = signed ? fillSigned : fillMagnitude;
      const m = maxAbs(layer.data); // one scale per layer, so its maps compare
      let mosaic;
      if (shape.length === 3 && shape[1] * shape[2] > 1) {
        const [C, H, W] = shape;
        const scale = Math.min(8, Math.max(2, Math.round(56 / H))); // about 56 px a map
        mosaic = new Mosaic({ count: C, w: W, h: H, cols: C, scale, gap: 3 });
        mosaic.draw((img, c) => fill(img, layer.data, c * H * W, m));
      } else {
        const n = layer.data.length;
        const cols = Math.min(n, 30);
        const rows = Math.ceil(n / cols);
        const padded = new Float32Array(rows * cols);
        padded.set(layer.data);
        mosaic = new Mosaic({ count: 1, w: cols, h: rows, cols: 1, scale: 12 });
        mosaic.draw((img) => fill(img, padded, 0, m));
      }
      mosaic.canvas.title = `${names[i] ?? layer.type}: ${shape.join('×')}`;
      blocks.push(el('figure', { class: 'fm-layer' }, el('figcaption', { text: `${names[i] ?? layer.type} (${shape.join('×')})` }), mosaic.canvas));
    });
    blocks.push(el('figure', { class: 'fm-layer' }, el('figcaption', { text: scoreCaption(result.loss) }), probabilityBars(result.probabilities, classNames, result.loss !== 'mse')));
    this.host.replaceChildren(...blocks);
  }
}
