// drawpad.js: a 28x28 binary drawing pad for the image widgets (draw with mouse, pen or finger),
// plus the compact text form of a drawing kept in widget state (784 bits as base64, 132
// characters), and an image source chooser: one of ten MNIST digits or your own drawing.

import { el, button, select } from './dom.js';
import { digit } from './digits.js';

export const SIZE = 28;

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
  let down = false;
  const at = (e) => {
    const r = c.getBoundingClientRect();
    const col = Math.floor(((e.clientX - r.left) / r.width) * SIZE);
    const row = Math.floor(((e.clientY - r.top) / r.height) * SIZE);
    for (let dr = 0; dr <= 1; dr++) for (let dc = 0; dc <= 1; dc++) {
      const rr = row + dr; const cc = col + dc;
      if (rr >= 0 && rr < SIZE && cc >= 0 && cc < SIZE) img[rr * SIZE + cc] = 1;
    }
    paint();
  };
  c.addEventListener('pointerdown', (e) => { down = true; c.setPointerCapture(e.pointerId); at(e); });
  c.addEventListener('pointermove', (e) => { if (down) at(e); });
  c.addEventListener('pointerup', () => { down = false; onDraw(img); });
  c.addEventListener('pointercancel', () => { down = false; onDraw(img); });
  paint();
  const clear = button({ label: 'Clear drawing', onClick: () => { img = new Float32Array(SIZE * SIZE); paint(); onDraw(img); } });
  const root = el('div', { style: 'display:flex;flex-direction:column;gap:.3rem;align-items:flex-start' }, c, clear);
  return {
    root,
    set(v) { img = Float32Array.from(v); paint(); },
    show(flag) { root.style.display = flag ? 'flex' : 'none'; },
  };
}
