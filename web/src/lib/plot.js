// plot.js: the site's plots, thin wrappers over uPlot: signalPlot for discrete signals
// (index on x, series drawn as bars, a stem-like look for samples, or lines with points) and
// curvePlot for the training page's curves (several series against epochs, gaps allowed).
// Both follow their container's width (ResizeObserver), so they fit a phone screen. They
// only draw numbers they are given. Heat maps, which uPlot does not draw, are in
// canvas-plot.js.

import uPlot from 'uplot';

const COLORS = ['#2458c6', '#d9480f', '#2b8a3e', '#862e9c'];

// series: [{ label, kind: 'bars' | 'line', color? }]; options: { height, xLabel, yRange,
// onDraw(u) (extra drawing on the canvas, e.g. a highlighted window) }.
export function signalPlot(container, series, { height = 220, xLabel = 't', yRange = null, onDraw = null } = {}) {
  const box = plotBox(container);
  const bars = uPlot.paths.bars({ size: [0.5, 24] });
  const opts = {
    width: Math.max(240, container.clientWidth || 560),
    height,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : { range: (u, lo, hi) => padRange(lo, hi) } },
    axes: [{ label: xLabel, size: 40 }, { size: 44 }],
    series: [{ label: xLabel }, ...series.map((s, i) => {
      const color = s.color ?? COLORS[i % COLORS.length];
      return s.kind === 'bars'
        ? { label: s.label, stroke: color, fill: `${color}55`, width: 1, paths: bars, points: { show: false } }
        : { label: s.label, stroke: color, width: 2, points: { show: true, size: 6, fill: color } };
    })],
    hooks: onDraw ? { draw: [onDraw] } : {},
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], box);
  followWidth(container, plot, height, 240);
  return {
    plot,
    root: box,
    // xs: numbers; ys: one array per series (null entries leave gaps).
    update(xs, ys) {
      plot.setData([xs, ...ys]);
    },
  };
}

function plotBox(container) {
  const box = document.createElement('div');
  box.className = 'plot';
  container.append(box);
  return box;
}

function followWidth(container, plot, height, minWidth) {
  new ResizeObserver(() => {
    const w = Math.max(minWidth, Math.floor(container.clientWidth));
    if (w && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height });
  }).observe(container);
}

// Curves against a continuous x (epochs): series [{ label, color }], drawn as lines with
// points, gaps spanned. options: { title, xLabel, yLabel, yRange, log, height }. Returns the
// uPlot; feed it with setData([xs, ...ys]) (null entries where a series has no point).
export function curvePlot(container, series, { title, xLabel = 'x', yLabel = '', yRange, log = false, height = 220 } = {}) {
  const box = plotBox(container);
  const line = ({ label, color }) => ({ label, stroke: color, width: 2, spanGaps: true, points: { show: true, size: 4, fill: color } });
  const opts = {
    title,
    width: Math.max(260, container.clientWidth || 420),
    height,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: (u, lo, hi) => [0, Math.max(1, hi ?? 1)] }, y: log ? { distr: 3 } : { range: yRange } },
    axes: [{ label: xLabel, size: 36 }, { label: yLabel, size: 50 }],
    series: [{ label: xLabel, value: (u, v) => (v == null ? '–' : v.toFixed(2)) }, ...series.map(line)],
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], box);
  followWidth(container, plot, height, 260);
  return plot;
}

function padRange(lo, hi) {
  if (lo === null || hi === null) return [-1, 1];
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  const pad = (hi - lo) * 0.08 || 1;
  return [lo - pad, hi + pad];
}

// Shades the x-interval [from, to] (in data units) of a plot; call from onDraw.
export function shadeX(u, from, to, color = 'rgba(36, 88, 198, 0.12)') {
  const { ctx, bbox } = u;
  const x0 = u.valToPos(from, 'x', true);
  const x1 = u.valToPos(to, 'x', true);
  ctx.save();
  ctx.fillStyle = color;
  ctx.fillRect(Math.min(x0, x1), bbox.top, Math.abs(x1 - x0), bbox.height);
  ctx.restore();
}
