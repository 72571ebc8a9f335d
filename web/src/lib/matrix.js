// matrix.js: draws a matrix on a canvas as a grid of cells, coloured by value (a diverging
// blue-white-red scale, zero is white) with the numbers written in when cells are large
// enough. Used for Toeplitz matrices, kernels and small images. Draws what it is given.

// m: { rows, cols, data } (row-major); opts: { cell (px, max), maxWidth (px), label,
// colorOf(value, i, j) optional override, text (bool) }.
export function drawMatrix(canvas, m, { cell = 34, maxWidth = 640, colorOf = null, text = true, format = String } = {}) {
  const size = Math.max(6, Math.min(cell, Math.floor(maxWidth / m.cols)));
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(m.cols * size * ratio);
  canvas.height = Math.round(m.rows * size * ratio);
  canvas.style.width = `${m.cols * size}px`;
  canvas.style.height = `${m.rows * size}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  let peak = 0;
  for (const v of m.data) peak = Math.max(peak, Math.abs(v));
  ctx.font = `${Math.max(8, Math.floor(size * 0.36))}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      ctx.fillStyle = colorOf ? colorOf(v, i, j) : diverging(v, peak);
      ctx.fillRect(j * size, i * size, size, size);
      if (text && size >= 22 && v !== 0) {
        ctx.fillStyle = '#1d2330';
        ctx.fillText(format(v), j * size + size / 2, i * size + size / 2);
      }
    }
  }
  ctx.strokeStyle = '#d7dce4';
  ctx.lineWidth = 1;
  for (let i = 0; i <= m.rows; i++) line(ctx, 0, i * size, m.cols * size, i * size);
  for (let j = 0; j <= m.cols; j++) line(ctx, j * size, 0, j * size, m.rows * size);
  return size;
}

function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath();
  ctx.moveTo(x0 + 0.5, y0 + 0.5);
  ctx.lineTo(x1 + 0.5, y1 + 0.5);
  ctx.stroke();
}

export function diverging(v, peak) {
  if (!peak || v === 0) return '#ffffff';
  const a = Math.min(1, Math.abs(v) / peak);
  const mix = (c) => Math.round(255 + (c - 255) * a);
  return v > 0 ? `rgb(${mix(214)}, ${mix(96)}, ${mix(77)})` : `rgb(${mix(49)}, ${mix(110)}, ${mix(200)})`;
}
