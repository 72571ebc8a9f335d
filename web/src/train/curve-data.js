// curve-data.js: the loss and accuracy curves as data: { train, test }, each { x, loss, acc }
// (x in epochs). Both the worker (which records them) and the page (which draws them from
// the new points the worker posts) append through appendPoint, so their copies stay equal;
// past MAX_POINTS a series keeps every other point, so no run, however long, can make the
// curves slow to send, store or draw.

export const MAX_POINTS = 3000;

export function emptyCurves() {
  return { train: { x: [], loss: [], acc: [] }, test: { x: [], loss: [], acc: [] } };
}

function halve(series) {
  for (const k of ['x', 'loss', 'acc']) series[k] = series[k].filter((_, i) => i % 2 === 0 || i === series[k].length - 1);
}

export function appendPoint(series, [x, loss, acc]) {
  series.x.push(x);
  series.loss.push(loss);
  series.acc.push(acc);
  if (series.x.length > MAX_POINTS) halve(series);
}

// A copy of `curves` with every series brought under MAX_POINTS.
export function boundedCopy(curves) {
  const out = emptyCurves();
  for (const part of ['train', 'test']) {
    const s = { x: Array.from(curves[part].x), loss: Array.from(curves[part].loss), acc: Array.from(curves[part].acc) };
    while (s.x.length > MAX_POINTS) halve(s);
    out[part] = s;
  }
  return out;
}

// Appends the points [[x, loss, acc], ...] of `added` ({ train, test }) to `curves`.
export function appendPoints(curves, added) {
  for (const part of ['train', 'test']) for (const p of added[part] ?? []) appendPoint(curves[part], p);
}

// Several series [{ x, y }] on one shared x axis (uPlot's aligned data): [xs, ys1, ys2, ...],
// null where a series has no point at that x. scale multiplies every y (accuracy in %).
export function alignSeries(list, scale = 1) {
  const xs = [...new Set(list.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = list.map((s) => {
    const out = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => { out[at.get(x)] = s.y[i] * scale; });
    return out;
  });
  return [xs, ...ys];
}
