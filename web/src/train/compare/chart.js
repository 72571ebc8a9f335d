// chart.js: the compare panel's overlays (lib/plot over uPlot): held-out loss and held-out
// accuracy against epochs, and held-out accuracy against the shift of the test digits, one
// colour per run with a legend. Each figure also carries a text description of its series
// (aria-label), since a canvas says nothing to a screen reader; the table beside the charts
// has the numbers.

import { el } from '../../lib/dom.js';
import { curvePlot } from '../../lib/plot.js';
import { alignSeries } from '../curve-data.js';

export const PALETTE = ['#2458c6', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#0b7285', '#e67700', '#5c940d', '#495057', '#1864ab'];
export const colourOf = (i) => PALETTE[i % PALETTE.length];

const ACC_RANGE = (u, lo, hi) => [Math.max(0, Math.min(lo ?? 0, 90) - 2), 100];

// One overlay figure; redraws from scratch when the set of series changes (uPlot's series
// are fixed at construction), else only its data.
class Overlay {
  constructor(host, { title, xLabel, yLabel, log = false, yRange, describe, empty = 'pick runs above to compare them' }) {
    this.figure = el('figure', { class: 'compare-figure', role: 'group', 'aria-label': title });
    this.caption = el('figcaption', { class: 'visually-hidden' });
    host.append(this.figure);
    this.opts = { title, xLabel, yLabel, log, yRange };
    this.describe = describe;
    this.empty = empty;
    this.key = null;
    this.plot = null;
    this.box = null;
    this.data = null;
    this.labels = [];
  }

  // series: [{ label, color, x, y }]; scale multiplies y.
  update(series, scale = 1) {
    const key = JSON.stringify(series.map((s) => [s.label, s.color]));
    if (key !== this.key) {
      this.plot?.destroy();
      this.box?.remove();
      this.box = el('div');
      this.figure.replaceChildren(this.box, this.caption);
      this.plot = series.length ? curvePlot(this.box, series.map(({ label, color }) => ({ label, color })), this.opts) : null;
      if (!series.length) this.box.append(el('p', { class: 'muted small', text: `${this.opts.title}: ${this.empty}.` }));
      this.key = key;
    }
    this.labels = series.map((s) => s.label);
    this.data = alignSeries(series, scale);
    this.plot?.setData(this.data);
    const text = `${this.opts.title}: ${series.map((s) => `${s.label} (${s.color}) ${this.describe(s, scale)}`).join('; ') || 'no runs picked'}.`;
    this.figure.setAttribute('aria-label', text);
    this.caption.textContent = text;
  }
}

const lastOf = (s, scale, unit) => (s.y.length ? `ends at ${(s.y[s.y.length - 1] * scale).toFixed(scale === 100 ? 2 : 4)}${unit}` : 'no points yet');

export class CompareCharts {
  constructor(host) {
    this.loss = new Overlay(host, { title: 'Held-out loss', xLabel: 'epochs', yLabel: 'loss', log: true, describe: (s) => lastOf(s, 1, '') });
    this.acc = new Overlay(host, { title: 'Held-out accuracy', xLabel: 'epochs', yLabel: '%', yRange: ACC_RANGE, describe: (s, k) => lastOf(s, k, '%') });
    this.shift = new Overlay(host, {
      title: 'Shift robustness: held-out accuracy against the shift of the test digits',
      xLabel: 'shift (pixels; each of 4 directions, averaged)',
      yLabel: '%',
      yRange: (u, lo) => [Math.max(0, Math.min(lo ?? 0, 90) - 5), 100],
      describe: (s, k) => s.y.map((v, i) => `${s.x[i]} px ${(v * k).toFixed(2)}%`).join(', '),
      empty: 'press "Shift robustness" on a picked run to measure it',
    });
  }

  // runs: [{ entry, color }] of the picked archive entries.
  update(runs) {
    const curve = (key) => runs.map(({ entry, color }) => ({ label: entry.name, color, x: entry.run.curves.test.x, y: entry.run.curves.test[key] }));
    this.loss.update(curve('loss'));
    this.acc.update(curve('acc'), 100);
    this.shift.update(runs.filter((r) => r.entry.robustness).map(({ entry, color }) => ({ label: entry.name, color, x: entry.robustness.shifts, y: entry.robustness.acc })), 100);
  }

  // What the tests read: each chart's series labels and uPlot data.
  get state() {
    const s = (o) => ({ labels: o.labels, data: o.data });
    return { loss: s(this.loss), acc: s(this.acc), shift: s(this.shift) };
  }
}
