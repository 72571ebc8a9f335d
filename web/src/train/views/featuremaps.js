// featuremaps.js: one example through every layer of the network: the input, each layer's
// maps (signed scale for convolutions and dense layers, white-black for ReLU/pool outputs),
// 1-D layers as a strip of cells, and the output as class bars.
import { canvasFor, drawDigit, drawSigned, drawMagnitude } from './images.js';
import { el } from '../../widgets/_lib/dom.js';
import { probabilityBars } from './bars.js';

export class FeatureMaps {
  constructor(host) {
    this.host = host;
  }

  // input: side*side bytes; result: the worker's inspection; names: layerNames(); title.
  show(input, side, result, names, title, classNames) {
    const inCanvas = canvasFor(side, side, 84);
    drawDigit(inCanvas, input);
    const blocks = [el('figure', { class: 'fm-layer' }, el('figcaption', { text: `input (${title})` }), inCanvas)];
    result.layers.forEach((layer, i) => {
      const shape = layer.shape;
      const spatial = shape.length === 3 && shape[1] * shape[2] > 1;
      const signed = !['relu', 'maxpool2d', 'avgpool2d', 'sigmoid'].includes(layer.type);
      const draw = signed ? drawSigned : drawMagnitude;
      const maps = [];
      if (spatial) {
        const [C, H, W] = shape;
        const css = Math.max(28, Math.min(84, Math.round((H * 84) / 28)));
        let m = 0;
        for (const v of layer.data) m = Math.max(m, Math.abs(v));
        for (let c = 0; c < C; c++) {
          const cv = canvasFor(W, H, css);
          cv.title = `${names[i]}, map ${c}`;
          draw(cv, layer.data, c * H * W, m);
          maps.push(cv);
        }
      } else if (layer.type !== 'flatten' || shape[0] <= 200) {
        const n = layer.data.length;
        const cols = Math.min(n, 30);
        const rows = Math.ceil(n / cols);
        const padded = new Float32Array(rows * cols);
        padded.set(layer.data);
        const cv = canvasFor(cols, rows, Math.min(cols * 12, 360), 'px strip');
        cv.title = `${names[i]}: ${n} values`;
        let m = 0;
        for (const v of layer.data) m = Math.max(m, Math.abs(v));
        draw(cv, padded, 0, signed ? 0 : m);
        maps.push(cv);
      }
      if (!maps.length) return;
      const dims = shape.join('×');
      blocks.push(el('figure', { class: 'fm-layer' }, el('figcaption', { text: `${names[i] ?? layer.type} (${dims})` }), el('div', { class: 'fm-maps' }, ...maps)));
    });
    blocks.push(el('figure', { class: 'fm-layer' }, el('figcaption', { text: 'class probabilities' }), probabilityBars(result.probabilities, classNames)));
    this.host.replaceChildren(...blocks);
  }
}
