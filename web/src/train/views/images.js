// images.js: small canvases for tensors: grey digits, signed maps (filters, activations) in
// a blue-white-red scale. Each canvas holds the tensor's own pixels and CSS scales it up
// with pixelated rendering, so drawing costs one putImageData per map.

export function canvasFor(width, height, cssWidth, className = 'px') {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = className;
  c.style.width = `${cssWidth}px`;
  return c;
}

// bytes: width*height intensities 0..255 (ink bright), drawn ink-dark on white.
export function drawDigit(canvas, bytes, offset = 0) {
  const { width, height } = canvas;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = 255 - bytes[offset + i];
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

// values: width*height numbers from `offset`; scale: the magnitude drawn at full colour
// (default: the largest magnitude of the map). Negative blue, zero white, positive red.
export function drawSigned(canvas, values, offset = 0, scale = 0) {
  const { width, height } = canvas;
  const n = width * height;
  let m = scale;
  if (!m) for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(values[offset + i]));
  m = m || 1;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
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
  ctx.putImageData(img, 0, 0);
}

// values >= 0 (e.g. after ReLU) drawn white to black.
export function drawMagnitude(canvas, values, offset = 0, scale = 0) {
  const { width, height } = canvas;
  const n = width * height;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[offset + i]);
    hi = Math.max(hi, values[offset + i]);
  }
  if (scale) { lo = 0; hi = scale; }
  const span = hi - lo || 1;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < n; i++) {
    const v = Math.round(255 * (1 - Math.max(0, Math.min(1, (values[offset + i] - lo) / span))));
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
