// images.js: small images of tensors: grey digits, signed maps (filters, activations) in a
// blue-white-red scale. A view draws many maps as tiles of one canvas (`Mosaic`): one
// canvas per layer instead of one per map keeps the page's work per update to a few
// milliseconds, which matters while the worker streams updates.

export function fillDigit(img, bytes, offset = 0) {
  const { width, height } = img;
  for (let i = 0; i < width * height; i++) {
    const v = 255 - bytes[offset + i];
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
}

// values: width*height numbers from `offset`; scale: the magnitude drawn at full colour
// (default: the largest magnitude of the map). Negative blue, zero white, positive red.
export function fillSigned(img, values, offset = 0, scale = 0) {
  const { width, height } = img;
  const n = width * height;
  let m = scale;
  if (!m) for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(values[offset + i]));
  m = m || 1;
  for (let i = 0; i < n; i++) {
    const t = Math.max(-1, Math.min(1, values[offset + i] / m));
    const k = 4 * i;
    if (t >= 0) {
      img.data[k] = 255;
      img.data[k + 1] = Math.round(255 * (1 - t * 0.85));
      img.data[k + 2] = Math.round(255 * (1 - t));
    } else {
      img.data[k] = Math.round(255 * (1 + t));
      img.data[k + 1] = Math.round(255 * (1 + t * 0.65));
      img.data[k + 2] = 255;
    }
    img.data[k + 3] = 255;
  }
}

// values >= 0 (e.g. after ReLU) drawn white to black.
export function fillMagnitude(img, values, offset = 0, scale = 0) {
  const { width, height } = img;
  const n = width * height;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[offset + i]);
    hi = Math.max(hi, values[offset + i]);
  }
  if (scale) { lo = 0; hi = scale; }
  const span = hi - lo || 1;
  for (let i = 0; i < n; i++) {
    const v = Math.round(255 * (1 - Math.max(0, Math.min(1, (values[offset + i] - lo) / span))));
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
}

// A grid of equal tiles (w x h source pixels each, drawn `scale` times larger with `gap`
// screen pixels between them) on one canvas. fill(imageData, i) paints tile i. The tiles are
// scaled up in JavaScript into one image of the whole canvas, put with a single call: a
// canvas call per tile (a filter grid has a hundred) made the page's thread hand the
// compositor a new image per tile, time taken from training on a machine with few cores.
export class Mosaic {
  constructor({ count, w, h, cols, scale, gap = 2, className = 'mosaic' }) {
    this.count = count;
    this.w = w;
    this.h = h;
    this.cols = Math.max(1, Math.min(cols, count));
    this.rows = Math.ceil(count / this.cols);
    this.scale = scale;
    this.gap = gap;
    this.canvas = document.createElement('canvas');
    this.canvas.className = className;
    this.canvas.width = this.cols * (w * scale + gap) - gap;
    this.canvas.height = this.rows * (h * scale + gap) - gap;
    this.canvas.dataset.tiles = String(count);
    this.image = new ImageData(w, h);
    this.whole = new ImageData(this.canvas.width, this.canvas.height);
    this.tilePixels = new Uint32Array(this.image.data.buffer); // RGBA pixels as words, to copy
    this.wholePixels = new Uint32Array(this.whole.data.buffer);
  }

  draw(fill) {
    const { w, h, scale } = this;
    const width = this.canvas.width;
    const out = this.wholePixels;
    const tile = this.tilePixels;
    out.fill(0); // the gaps stay transparent
    for (let i = 0; i < this.count; i++) {
      fill(this.image, i);
      const [x0, y0] = this.origin(i);
      for (let y = 0; y < h; y++) {
        const row = (y0 + y * scale) * width + x0;
        let o = row;
        for (let x = 0; x < w; x++) {
          const v = tile[y * w + x];
          for (let k = 0; k < scale; k++) out[o++] = v;
        }
        for (let k = 1; k < scale; k++) out.copyWithin(row + k * width, row, o);
      }
    }
    const ctx = this.canvas.getContext('2d');
    ctx.putImageData(this.whole, 0, 0);
    return ctx;
  }

  origin(i) {
    return [(i % this.cols) * (this.w * this.scale + this.gap), Math.floor(i / this.cols) * (this.h * this.scale + this.gap)];
  }

  // The tile under a mouse event, or -1.
  tileAt(event) {
    const r = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - r.left) * this.canvas.width) / r.width;
    const y = ((event.clientY - r.top) * this.canvas.height) / r.height;
    const col = Math.floor(x / (this.w * this.scale + this.gap));
    const row = Math.floor(y / (this.h * this.scale + this.gap));
    const i = row * this.cols + col;
    return col < this.cols && i >= 0 && i < this.count ? i : -1;
  }
}
