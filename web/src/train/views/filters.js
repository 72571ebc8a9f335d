// filters.js: the convolution kernels as small signed images, redrawn as training moves
// them: C1's six 5x5 kernels in a row, and C3's 16 x 6 kernels of 5x5 as a grid with a
// column per output map and a row per input map. One canvas per layer.
import { Mosaic, fillSigned } from './images.js';
import { el } from '../../lib/dom.js';
import { whenOnScreen } from '../../lib/throttle.js';

export class Filters {
  constructor(host) {
    this.host = host;
    this.key = '';
    this.mosaics = [];
    this.screen = whenOnScreen(host);
  }

  // filters: [{ name, shape: [K, C, R, S], data }] from the worker. Drawn while on screen;
  // otherwise once scrolled into view (lib/throttle.js).
  update(filters) {
    this.screen.show(() => this.draw(filters));
  }

  draw(filters) {
    const key = filters.map((f) => `${f.name}:${f.shape}`).join('|');
    if (key !== this.key) this.build(filters, key);
    filters.forEach((f, i) => {
      const [K, C, R, S] = f.shape;
      let m = 0; // one colour scale per layer, so kernels of a layer compare
      for (const v of f.data) m = Math.max(m, Math.abs(v));
      // tile t is at row c = floor(t / K), column k = t % K: kernel (k, c) at (k * C + c) * R * S
      this.mosaics[i].draw((img, t) => fillSigned(img, f.data, ((t % K) * C + Math.floor(t / K)) * R * S, m));
    });
  }

  build(filters, key) {
    this.key = key;
    this.mosaics = filters.map((f) => {
      const [K, C, R, S] = f.shape;
      return new Mosaic({ count: K * C, w: S, h: R, cols: K, scale: C === 1 ? 7 : 4, gap: 2, className: 'mosaic filters-canvas' });
    });
    const blocks = filters.map((f, i) => {
      const [K, C, R, S] = f.shape;
      const layer = Number(f.name.split('.')[0]);
      const label = layer === 0 ? 'C1' : layer === 3 ? 'C3' : `layer ${layer}`;
      const text = C === 1 ? `${label}: ${K} kernels of ${R}×${S}` : `${label}: ${K} kernels of ${C}×${R}×${S} (columns: the ${K} output maps; rows: the ${C} input maps)`;
      this.mosaics[i].canvas.setAttribute('role', 'img');
      this.mosaics[i].canvas.setAttribute('aria-label', `${text}, weights as colours`);
      return el('figure', { class: 'filters' }, el('figcaption', { text }), this.mosaics[i].canvas);
    });
    if (!filters.length) blocks.push(el('p', { class: 'muted', text: 'This network has no convolution layer: nothing to show.' }));
    this.host.replaceChildren(...blocks);
  }
}
