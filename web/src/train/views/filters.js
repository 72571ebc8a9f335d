// filters.js: the convolution kernels as small signed images, redrawn as training moves
// them: C1's six 5x5 kernels, and C3's 16 x 6 grid of 5x5 kernels (one row per output map).
import { canvasFor, drawSigned } from './images.js';
import { el } from '../../widgets/_lib/dom.js';

export class Filters {
  constructor(host) {
    this.host = host;
    this.key = '';
    this.canvases = [];
  }

  // filters: [{ name, shape: [K, C, R, S], data }] from the worker.
  update(filters) {
    const key = filters.map((f) => `${f.name}:${f.shape}`).join('|');
    if (key !== this.key) this.build(filters, key);
    filters.forEach((f, i) => {
      const [K, C, R, S] = f.shape;
      let m = 0; // one colour scale per layer, so kernels of a layer compare
      for (const v of f.data) m = Math.max(m, Math.abs(v));
      for (let k = 0; k < K * C; k++) drawSigned(this.canvases[i][k], f.data, k * R * S, m);
    });
  }

  build(filters, key) {
    this.key = key;
    this.canvases = [];
    const blocks = filters.map((f) => {
      const [K, C, R, S] = f.shape;
      const size = C === 1 ? 36 : 20;
      const list = [];
      const rows = [];
      for (let k = 0; k < K; k++) {
        const row = el('div', { class: 'filter-row' });
        for (let c = 0; c < C; c++) {
          const cv = canvasFor(S, R, size);
          cv.title = `${f.name}[${k}, ${c}]`;
          list.push(cv);
          row.append(cv);
        }
        rows.push(row);
      }
      this.canvases.push(list);
      const layer = Number(f.name.split('.')[0]);
      const label = layer === 0 ? 'C1' : layer === 3 ? 'C3' : `layer ${layer}`;
      return el('figure', { class: `filters ${C === 1 ? 'filters-c1' : 'filters-cn'}` },
        el('figcaption', { text: `${label}: ${K} kernels of ${C}×${R}×${S} (${f.name})` }), ...rows);
    });
    if (!filters.length) blocks.push(el('p', { class: 'muted', text: 'This network has no convolution layer: nothing to show.' }));
    this.host.replaceChildren(...blocks);
  }
}
