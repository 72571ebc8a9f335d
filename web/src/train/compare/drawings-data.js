// drawings-data.js: a drawn digit made MNIST-like, without the DOM. What is done, after
// how MNIST was made (LeCun, Cortes, Burges): the ink's bounding box (pixels with coverage
// above INK_THRESHOLD) is scaled, keeping its aspect ratio, so that its longer side is 20
// pixels, resampled by area averaging (each output pixel is the mean coverage of the input
// area it covers), placed in a 28x28 field, and moved by whole pixels so that its centre of
// mass lies at the field's centre (13.5, 13.5), rounded as MNIST's centring is.

export const SIDE = 28;
export const BOX = 20;
export const INK_THRESHOLD = 20;

// alpha: W*H bytes of ink coverage (0 = paper). Returns SIDE*SIDE bytes, or null if blank.
export function preprocess(alpha, W, H) {
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (alpha[y * W + x] > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = BOX / Math.max(w, h);
  const dw = Math.max(1, Math.round(w * scale));
  const dh = Math.max(1, Math.round(h * scale));
  const small = areaResample(alpha, W, x0, y0, w, h, dw, dh);
  const field = new Float64Array(SIDE * SIDE);
  const ox = Math.floor((SIDE - dw) / 2);
  const oy = Math.floor((SIDE - dh) / 2);
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) field[(oy + y) * SIDE + ox + x] = small[y * dw + x];
  return centreByMass(field, SIDE);
}

// The w x h box at (x0, y0) of `src` (row length W) resampled to dw x dh by area averaging.
export function areaResample(src, W, x0, y0, w, h, dw, dh) {
  const out = new Float64Array(dw * dh);
  const sx = w / dw;
  const sy = h / dh;
  for (let j = 0; j < dh; j++) {
    const a0 = j * sy;
    const a1 = a0 + sy;
    for (let i = 0; i < dw; i++) {
      const b0 = i * sx;
      const b1 = b0 + sx;
      let sum = 0;
      for (let y = Math.floor(a0); y < Math.min(h, Math.ceil(a1)); y++) {
        const wy = Math.min(a1, y + 1) - Math.max(a0, y);
        for (let x = Math.floor(b0); x < Math.min(w, Math.ceil(b1)); x++) {
          const wx = Math.min(b1, x + 1) - Math.max(b0, x);
          sum += wy * wx * src[(y0 + y) * W + x0 + x];
        }
      }
      out[j * dw + i] = sum / (sx * sy);
    }
  }
  return out;
}

// Moves `img` (side x side, any numbers) by whole pixels so that its centre of mass is at
// ((side - 1) / 2, (side - 1) / 2), rounding the move; returns bytes (rounded, clamped).
export function centreByMass(img, side) {
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < side * side; i++) {
    mass += img[i];
    mx += img[i] * (i % side);
    my += img[i] * Math.floor(i / side);
  }
  const out = new Uint8Array(side * side);
  if (mass <= 0) return out;
  const dx = Math.round((side - 1) / 2 - mx / mass);
  const dy = Math.round((side - 1) / 2 - my / mass);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < side && sy >= 0 && sy < side) out[y * side + x] = Math.max(0, Math.min(255, Math.round(img[sy * side + sx])));
    }
  }
  return out;
}

// A stored drawing: { label (0..9), pixels (SIDE*SIDE bytes), addedAt }; throws naming the
// field otherwise (uploaded sets pass here too).
export function checkDrawing(d, field = 'drawing') {
  if (typeof d !== 'object' || d === null) throw new Error(`${field}: expected { label, pixels }`);
  if (!Number.isInteger(d.label) || d.label < 0 || d.label > 9) throw new Error(`${field}.label: expected an integer 0-9, got ${d.label}`);
  const px = d.pixels;
  if (!(px instanceof Uint8Array || Array.isArray(px)) || px.length !== SIDE * SIDE) throw new Error(`${field}.pixels: expected ${SIDE * SIDE} bytes`);
  const bytes = Uint8Array.from(px, (v) => v);
  if (Array.from(px).some((v) => !Number.isInteger(v) || v < 0 || v > 255)) throw new Error(`${field}.pixels: values must be integers 0-255`);
  return { label: d.label, pixels: bytes, addedAt: Number.isFinite(d.addedAt) ? d.addedAt : Date.now() };
}
