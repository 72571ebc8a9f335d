// drawpad.js: a canvas to draw a digit on with mouse, pen or finger. After every stroke the
// drawing is turned into an MNIST-like 28x28 image (the ink's bounding box scaled into 20x20,
// then moved so its centre of mass sits at the centre, as MNIST was made) and handed on.
import { el } from '../../lib/dom.js';

const SIZE = 224;

// alpha: SIZE*SIZE ink coverage 0..255 of the big canvas -> side*side bytes, or null if empty.
export function toDigit(bigCanvas, side = 28) {
  const ctx = bigCanvas.getContext('2d');
  const { data } = ctx.getImageData(0, 0, bigCanvas.width, bigCanvas.height);
  const W = bigCanvas.width;
  const H = bigCanvas.height;
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (data[4 * (y * W + x) + 3] > 20) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const box = Math.round((20 * side) / 28);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const s = box / Math.max(w, h);
  const dw = Math.max(1, Math.round(w * s));
  const dh = Math.max(1, Math.round(h * s));
  const small = document.createElement('canvas');
  small.width = side;
  small.height = side;
  const sctx = small.getContext('2d');
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(bigCanvas, x0, y0, w, h, Math.floor((side - dw) / 2), Math.floor((side - dh) / 2), dw, dh);
  const a = sctx.getImageData(0, 0, side, side).data;
  const img = new Uint8Array(side * side);
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < side * side; i++) {
    img[i] = a[4 * i + 3];
    mass += img[i];
    mx += img[i] * (i % side);
    my += img[i] * Math.floor(i / side);
  }
  const dx = Math.round((side - 1) / 2 - mx / mass);
  const dy = Math.round((side - 1) / 2 - my / mass);
  const out = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < side && sy >= 0 && sy < side) out[y * side + x] = img[sy * side + sx];
    }
  }
  return out;
}

export class DrawPad {
  // onDigit(bytes | null) after each stroke.
  constructor(host, onDigit) {
    this.onDigit = onDigit;
    this.canvas = el('canvas', { width: SIZE, height: SIZE, class: 'drawpad', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 18;
    ctx.strokeStyle = '#111';
    this.ctx = ctx;
    let drawing = false;
    let last = null;
    let pending = 0;
    const pos = (e) => {
      const r = this.canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      drawing = true;
      this.canvas.setPointerCapture(e.pointerId);
      last = pos(e);
      ctx.beginPath();
      ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fillStyle = '#111';
      ctx.fill();
      e.preventDefault();
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!drawing) return;
      const p = pos(e);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
      last = p;
      // live update while drawing, at most every 120 ms
      const now = performance.now();
      if (now - pending > 120) { pending = now; this.emit(); }
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      this.emit();
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
    const clear = el('button', { type: 'button', text: 'Clear', onclick: () => this.clear() });
    host.replaceChildren(el('div', { class: 'drawpad-box' }, this.canvas, el('div', {}, clear)));
  }

  emit() {
    this.onDigit(toDigit(this.canvas));
  }

  clear() {
    this.ctx.clearRect(0, 0, SIZE, SIZE);
    this.onDigit(null);
  }
}
