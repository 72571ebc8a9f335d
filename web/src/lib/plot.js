// plot.js: a thin wrapper over uPlot for discrete signals: index on x, one or more series
// drawn as bars (a stem-like look for samples) or lines with points. It follows its
// container's width (ResizeObserver), so it fits a phone screen. It only draws numbers it
// is given; every number comes from the core.

import uPlot from 'uplot';

const COLORS = ['#2458c6', '#d9480f', '#2b8a3e', '#862e9c'];

// series: [{ label, kind: 'bars' | 'line', color? }]; options: { height, xLabel, yRange,
// onDraw(u) (extra drawing on the canvas, e.g. a highlighted window) }.
export function signalPlot(container, series, { height = 220, xLabel = 't', yRange = null, onDraw = null } = {}) {
  const box = document.createElement('div');
  box.className = 'plot';
  container.append(box);
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
  const observer = new ResizeObserver(() => {
    const w = Math.max(240, Math.floor(container.clientWidth));
    if (w && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height });
  });
  observer.observe(container);
  return {
    plot,
    root: box,
    // xs: numbers; ys: one array per series (null entries leave gaps).
    update(xs, ys) {
      plot.setData([xs, ...ys]);
    },
  };
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
