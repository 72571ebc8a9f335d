// drawpad.js: the site's drawing pads (mouse, pen or finger), one pointer-stroke tracker
// under both: drawPad, a 28x28 binary grid for the image widgets, with the compact text form
// of a drawing kept in widget state (784 bits as base64, 132 characters) and an image source
// chooser (one of ten MNIST digits or your own drawing); and DrawPad, the training page's ink
// canvas, whose strokes are turned into an MNIST-like 28x28 digit (the ink's bounding box
// scaled into 20x20, then moved so its centre of mass sits at the centre, as MNIST was made).

import { el, button, select } from './dom.js';
import { digit } from './digits.js';

export const SIZE = 28;

// Follows one pointer's stroke over `canvas`: down(p), move(p), up(), with p = [x, y] in
// units where the canvas is `size` wide and high (pointer capture keeps a stroke that leaves
// the canvas). Both pads below draw through it.
function trackStrokes(canvas, size, { down, move, up }) {
  let active = false;
  const pos = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * size) / r.width, ((e.clientY - r.top) * size) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    active = true;
    canvas.setPointerCapture(e.pointerId);
    down(pos(e));
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => { if (active) move(pos(e)); });
  const end = () => {
    if (!active) return;
    active = false;
    up();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
}

export function encodeBits(img) {
  const bytes = new Uint8Array(SIZE * SIZE / 8);
  for (let i = 0; i < img.length; i++) if (img[i] > 0.5) bytes[i >> 3] |= 1 << (i & 7);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function decodeBits(text) {
  const img = new Float32Array(SIZE * SIZE);
  if (!text) return img;
  const s = atob(text);
  for (let i = 0; i < img.length; i++) img[i] = (s.charCodeAt(i >> 3) >> (i & 7)) & 1;
  return img;
}

// Validator for a drawing field: '' or base64 of exactly 98 bytes.
export function checkDrawing(v, name) {
  if (v === '' ) return v;
  if (typeof v !== 'string' || v.length !== 132 || !/^[A-Za-z0-9+/]+=*$/.test(v)) throw new Error(`"${name}" must be '' or a 132-character base64 drawing`);
  return v;
}

// The image for a source setting: digit 0..9, or -1 for the drawing.
export function sourceImage(src, drawing) {
  return src >= 0 ? digit(src) : decodeBits(drawing);
}

export function sourceSelect(value, onChange) {
  const opts = [...Array.from({ length: 10 }, (_, d) => [String(d), `MNIST digit ${d}`]), ['-1', 'my drawing']];
  return select({ label: 'Image', options: opts, value: String(value), onChange: (v) => onChange(Number(v)) });
}

// A drawing pad; onDraw(img) is called after each stroke. Returns { root, set(img), show(flag) }.
export function drawPad(initial, onDraw) {
  let img = Float32Array.from(initial);
  const cell = 8;
  const c = el('canvas', { width: SIZE * cell, height: SIZE * cell, role: 'img', 'aria-label': 'Drawing pad, 28 by 28 pixels: draw with the mouse or a finger', style: 'touch-action:none;border:1px solid #ccc;width:168px;height:168px;cursor:crosshair' });
  const paint = () => {
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
    g.fillStyle = '#000';
    for (let i = 0; i < img.length; i++) if (img[i] > 0.5) g.fillRect((i % SIZE) * cell, Math.floor(i / SIZE) * cell, cell, cell);
  };
  const at = ([x, y]) => {
    const col = Math.floor(x);
    const row = Math.floor(y);
    for (let dr = 0; dr <= 1; dr++) for (let dc = 0; dc <= 1; dc++) {
      const rr = row + dr; const cc = col + dc;
      if (rr >= 0 && rr < SIZE && cc >= 0 && cc < SIZE) img[rr * SIZE + cc] = 1;
    }
    paint();
  };
  trackStrokes(c, SIZE, { down: at, move: at, up: () => onDraw(img) });
  paint();
  const clear = button({ label: 'Clear drawing', onClick: () => { img = new Float32Array(SIZE * SIZE); paint(); onDraw(img); } });
  const root = el('div', { style: 'display:flex;flex-direction:column;gap:.3rem;align-items:flex-start' }, c, clear);
  return {
    root,
    set(v) { img = Float32Array.from(v); paint(); },
    show(flag) { root.style.display = flag ? 'flex' : 'none'; },
  };
}

// ---- the training page's ink pad ----

const INK = 224;

// alpha: INK*INK ink coverage 0..255 of the big canvas -> side*side bytes, or null if empty.
function toDigit(bigCanvas, side = 28) {
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
    this.canvas = el('canvas', { width: INK, height: INK, class: 'drawpad', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 18;
    ctx.strokeStyle = '#111';
    this.ctx = ctx;
    let last = null;
    let pending = 0;
    trackStrokes(this.canvas, INK, {
      down: (p) => {
        last = p;
        ctx.beginPath();
        ctx.arc(p[0], p[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
        ctx.fillStyle = '#111';
        ctx.fill();
      },
      move: (p) => {
        ctx.beginPath();
        ctx.moveTo(last[0], last[1]);
        ctx.lineTo(p[0], p[1]);
        ctx.stroke();
        last = p;
        // live update while drawing, at most every 120 ms
        const now = performance.now();
        if (now - pending > 120) { pending = now; this.emit(); }
      },
      up: () => this.emit(),
    });
    const clear = el('button', { type: 'button', text: 'Clear', onclick: () => this.clear() });
    host.replaceChildren(el('div', { class: 'drawpad-box' }, this.canvas, el('div', {}, clear)));
  }

  emit() {
    this.onDigit(toDigit(this.canvas));
  }

  clear() {
    this.ctx.clearRect(0, 0, INK, INK);
    this.onDigit(null);
  }
}
