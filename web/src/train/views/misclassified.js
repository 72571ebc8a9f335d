// misclassified.js: the held-out digits the network gets wrong, tiled on one canvas with
// "true→predicted" under each; optionally only one (true, predicted) pair. Clicking one
// shows it in the feature-map view (the list below the canvas does the same by keyboard).
import { Mosaic, fillDigit } from './images.js';
import { el } from '../../lib/dom.js';
import { whenOnScreen } from '../../lib/throttle.js';

const LIMIT = 100;
const COLS = 10;
const CAPTION = 14; // screen pixels under each digit for its caption

export class Misclassified {
  constructor(host, onPick) {
    this.host = host;
    this.onPick = onPick;
    this.filter = null;
    this.screen = whenOnScreen(host);
  }

  // Drawn while on screen; otherwise once scrolled into view (lib/throttle.js).
  update(test, predictions, side, classNames, filter = this.filter) {
    this.filter = filter;
    this.screen.show(() => this.draw(test, predictions, side, classNames, filter));
  }

  draw(test, predictions, side, classNames, filter) {
    const wrong = [];
    for (let i = 0; i < test.n; i++) {
      if (predictions[i] === test.labels[i]) continue;
      if (filter && (test.labels[i] !== filter[0] || predictions[i] !== filter[1])) continue;
      wrong.push(i);
    }
    const shown = wrong.slice(0, LIMIT);
    const what = filter ? `true ${classNames[filter[0]]} predicted ${classNames[filter[1]]}` : 'all classes';
    const clear = filter ? el('button', { type: 'button', class: 'linkish', text: 'show all', onclick: () => this.update(test, predictions, side, classNames, null) }) : null;
    const summary = el('p', { class: 'muted', 'data-count': String(wrong.length) }, `${wrong.length} misclassified (${what})${wrong.length > LIMIT ? `, first ${LIMIT} shown` : ''}. `, clear);
    if (!shown.length) {
      this.host.replaceChildren(summary);
      return;
    }
    // Tiles one pixel taller per CAPTION/scale rows, left blank for the caption.
    const scale = 2;
    const extra = Math.ceil(CAPTION / scale);
    const mosaic = new Mosaic({ count: shown.length, w: side, h: side + extra, cols: COLS, scale, gap: 4, className: 'mosaic mis-canvas' });
    const size = side * side;
    const tile = new ImageData(side, side);
    const ctx = mosaic.draw((img, t) => {
      img.data.fill(255);
      fillDigit(tile, test.pixels, shown[t] * size);
      img.data.set(tile.data);
    });
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#b3261e';
    ctx.textAlign = 'center';
    shown.forEach((k, t) => {
      const [x, y] = mosaic.origin(t);
      const short = (c) => classNames[c].slice(0, 4); // Fashion-MNIST's names are long
      ctx.fillText(`${short(test.labels[k])}→${short(predictions[k])}`, x + side, y + side * scale + CAPTION - 3);
    });
    mosaic.canvas.addEventListener('click', (e) => {
      const t = mosaic.tileAt(e);
      if (t >= 0) this.onPick(shown[t]);
    });
    mosaic.canvas.setAttribute('role', 'img');
    mosaic.canvas.setAttribute('aria-label', `${shown.length} misclassified held-out digits; click one to see it through every layer`);
    const pick = el('select', { 'aria-label': 'Show a misclassified digit in the feature maps' },
      el('option', { value: '', text: 'show one in the feature maps…' }),
      shown.map((k) => el('option', { value: String(k), text: `#${k}: true ${classNames[test.labels[k]]}, predicted ${classNames[predictions[k]]}` })));
    pick.addEventListener('change', () => { if (pick.value) this.onPick(Number(pick.value)); });
    this.host.replaceChildren(summary, mosaic.canvas, el('div', {}, pick));
  }
}
