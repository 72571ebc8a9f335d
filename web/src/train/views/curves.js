// curves.js: the loss and accuracy curves (uPlot), train and held-out, against epochs.
// The training points are running means over the examples since the previous point (with
// the shifts of augmentation); the held-out points are exact evaluations of all test images.
import uPlot from 'uplot';

const TRAIN = '#2458c6';
const TEST = '#d9480f';

// Merges the train and test series onto one x axis (uPlot's aligned data), nulls for gaps.
function merge(train, test, key, scale) {
  const xs = [...new Set([...train.x, ...test.x])].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const a = new Array(xs.length).fill(null);
  const b = new Array(xs.length).fill(null);
  train.x.forEach((x, i) => { a[at.get(x)] = train[key][i] * scale; });
  test.x.forEach((x, i) => { b[at.get(x)] = test[key][i] * scale; });
  return [xs, a, b];
}

function chart(container, { title, yLabel, yRange, log }) {
  const box = document.createElement('div');
  box.className = 'plot';
  container.append(box);
  const series = (label, stroke) => ({ label, stroke, width: 2, spanGaps: true, points: { show: true, size: 4, fill: stroke } });
  const opts = {
    title,
    width: Math.max(260, container.clientWidth || 420),
    height: 220,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: (u, lo, hi) => [0, Math.max(1, hi ?? 1)] }, y: log ? { distr: 3 } : { range: yRange } },
    axes: [{ label: 'epochs', size: 36 }, { label: yLabel, size: 50 }],
    series: [{ label: 'epoch', value: (u, v) => (v == null ? '–' : v.toFixed(2)) }, series('train', TRAIN), series('held-out', TEST)],
  };
  const plot = new uPlot(opts, [[], [], []], box);
  new ResizeObserver(() => {
    const w = Math.max(260, Math.floor(container.clientWidth));
    if (w && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height: 220 });
  }).observe(container);
  return plot;
}

export class Curves {
  constructor(lossHost, accHost) {
    this.loss = chart(lossHost, { title: 'Loss', yLabel: 'loss', log: true });
    this.acc = chart(accHost, { title: 'Accuracy', yLabel: '%', yRange: (u, lo, hi) => [Math.max(0, Math.min(lo ?? 0, 90) - 2), 100] });
    this.count = -1;
  }

  update(curves) {
    const n = curves.train.x.length + curves.test.x.length;
    if (n === this.count) return;
    this.count = n;
    this.loss.setData(merge(curves.train, curves.test, 'loss', 1));
    this.acc.setData(merge(curves.train, curves.test, 'acc', 100));
  }
}
