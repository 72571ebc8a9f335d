// conv-benchmark: lesson 10. Times the core's cl.convolve with each 1-D method (cl.methods.conv1d:
// direct, toeplitz, fft) in the reader's browser, over growing signal lengths n (kernel length
// m fixed) or growing m (n fixed), with performance.now. One (size, method) measurement per
// task, yielding to the page between tasks so it stays responsive. Marks the first size where
// the FFT beats the direct method, and shows what 'auto' (cl.autoMethod1d) would choose.
// Timings are shown, never asserted.
// Settings: { vary: 'n' | 'm', m: kernel length when varying n (31), n: signal length when varying m (4096), maxN: largest size (16384) }.

import { el, fmt, button, select, result } from '../../lib/dom.js';
import { oneOf, validateWith } from '../../lib/validate.js';
import { canvas, linePlot, caption, onResize, COLORS } from '../../lib/canvas-plot.js';
import { rng, uniformArray } from '../../lib/random.js';

const MS = [3, 7, 15, 31, 63, 127, 255];
const NS = [1024, 4096, 16384];
const MAXNS = [1024, 4096, 16384, 65536];
const BUDGET_MS = 25; // per measurement
const pause = () => new Promise((r) => setTimeout(r, 0));

export default class ConvBenchmark {
  static defaults = { vary: 'n', m: 31, n: 4096, maxN: 16384 };

  static validate(s) {
    return validateWith(s, ConvBenchmark.defaults, {
      vary: (v, k) => oneOf(v, k, ['n', 'm']),
      m: (v, k) => oneOf(v, k, MS),
      n: (v, k) => oneOf(v, k, NS),
      maxN: (v, k) => oneOf(v, k, MAXNS),
    });
  }

  constructor(root, settings, ctx) {
    this.cl = ctx.cl;
    this.s = { ...settings };
    this.methods = [...ctx.cl.methods.conv1d];
    const set = (k, f = Number) => (v) => { this.s[k] = f(v); this.plan(); ctx.onChange(this.getState()); };
    const opts = (list) => list.map((v) => [String(v), String(v)]);
    this.ui = {
      vary: select({ label: 'Vary', options: [['n', 'signal length n'], ['m', 'kernel length m']], value: this.s.vary, onChange: set('vary', String) }),
      m: select({ label: 'Kernel m (when varying n)', options: opts(MS), value: String(this.s.m), onChange: set('m') }),
      n: select({ label: 'Signal n (when varying m)', options: opts(NS), value: String(this.s.n), onChange: set('n') }),
      maxN: select({ label: 'Largest size', options: opts(MAXNS), value: String(this.s.maxN), onChange: set('maxN') }),
    };
    this.runBtn = button({ label: 'Run benchmark', onClick: () => this.run() });
    this.stopBtn = button({ label: 'Stop', onClick: () => { this.stop = true; } });
    this.stopBtn.disabled = true;
    this.status = el('span', { role: 'status', 'aria-live': 'polite', text: 'Press Run: it takes a few seconds.' });
    this.fig = canvas('Time per convolution against size, one line per method, logarithmic axes', 0.6);
    this.cross = result('FFT faster than direct from:');
    this.planned = result("Sizes to measure, and what 'auto' would pick:");
    this.table = el('div', { style: 'overflow-x:auto' });
    root.append(el('div', { class: 'controls' }, ...Object.values(this.ui).map((u) => u.root)),
      el('div', { class: 'controls' }, this.runBtn, this.stopBtn, this.status),
      this.planned.root, this.fig, caption('Milliseconds per call of cl.convolve (log–log), measured here; red line: crossover'), this.cross.root, this.table);
    onResize(root, () => this.draw());
    this.plan();
  }

  // The sizes a run will measure and the core's choice for each (cl.autoMethod1d).
  plan() {
    const pairs = this.sizes().map((size) => (this.s.vary === 'n' ? [size, this.s.m] : [this.s.n, size]));
    const auto = pairs.map(([n, m]) => this.cl.autoMethod1d(n, m));
    this.planned.set(pairs.map(([n, m], i) => `${this.s.vary === 'n' ? n : m}: ${auto[i]}`).join(', '), { pairs, auto });
  }

  sizes() {
    const out = [];
    if (this.s.vary === 'n') for (let n = 16; n <= this.s.maxN; n *= 2) out.push(n);
    else for (let m = 1; m <= Math.min(this.s.n, this.s.maxN, 4096); m = m * 2 + 1) out.push(m);
    return out;
  }

  // ms per call of one method at one size: the median of 5 batches, each repeating the call
  // until a fifth of the budget is used (at least once), so one slow batch (a GC pause, a
  // busy neighbour) does not decide.
  measure(f, h, method) {
    this.cl.convolve(f, h, { method }); // warm-up
    const batches = [];
    for (let b = 0; b < 5; b++) {
      let reps = 0;
      const t0 = performance.now();
      let t = t0;
      while (reps < 1 || (t - t0 < BUDGET_MS / 5 && reps < 1e5)) {
        this.cl.convolve(f, h, { method });
        reps += 1;
        t = performance.now();
      }
      batches.push((t - t0) / reps);
    }
    return batches.sort((a, b) => a - b)[2];
  }

  // Lets the JavaScript and WebAssembly engines compile their fast tiers before timing.
  async warmUp(r) {
    const f = uniformArray(r, 512); const h = uniformArray(r, 31);
    for (const method of this.methods) {
      const t0 = performance.now();
      while (performance.now() - t0 < 40) this.cl.convolve(f, h, { method });
      await pause();
    }
  }

  async run() {
    if (this.running) return;
    this.running = true; this.stop = false;
    this.runBtn.disabled = true; this.stopBtn.disabled = false;
    const r = rng(5);
    const sizes = this.sizes();
    this.data = { sizes: [], times: Object.fromEntries(this.methods.map((m) => [m, []])), auto: [] };
    try {
      this.status.textContent = 'warming up ...';
      await this.warmUp(r);
      for (const size of sizes) {
        const n = this.s.vary === 'n' ? size : this.s.n;
        const m = this.s.vary === 'n' ? this.s.m : size;
        const f = uniformArray(r, n); const h = uniformArray(r, m);
        this.data.sizes.push(size);
        this.data.auto.push(this.cl.autoMethod1d(n, m));
        for (const method of this.methods) {
          if (this.stop) throw new Error('stopped');
          this.status.textContent = `measuring ${method} at n = ${n}, m = ${m} ...`;
          await pause();
          this.data.times[method].push(this.measure(f, h, method));
        }
        this.draw();
      }
      this.status.textContent = 'Done. Run again to see the noise between runs.';
    } catch (err) {
      this.status.textContent = err.message === 'stopped' ? 'Stopped.' : `Failed: ${err.message}`;
    } finally {
      this.running = false;
      this.runBtn.disabled = false; this.stopBtn.disabled = true;
      this.draw();
    }
  }

  draw() {
    const d = this.data;
    if (!d || !d.sizes.length) return;
    const full = d.sizes.filter((_, i) => this.methods.every((m) => d.times[m][i] !== undefined));
    const series = this.methods.map((m, k) => ({ x: full, y: d.times[m].slice(0, full.length), label: m, color: COLORS[k], dots: true }));
    const t = d.times;
    // The crossover: the smallest size from which the FFT stays faster up to the largest size.
    let at = -1;
    for (let i = full.length - 1; i >= 0 && t.fft && t.direct && t.fft[i] < t.direct[i]; i--) at = i;
    const marks = at >= 0 ? [{ x: full[at], label: `${this.s.vary} = ${full[at]}` }] : [];
    linePlot(this.fig, series, { logx: true, logy: true, xlabel: this.s.vary === 'n' ? `signal length n (m = ${this.s.m})` : `kernel length m (n = ${this.s.n})`, ylabel: 'ms per call', marks });
    this.cross.set(at >= 0 ? `${this.s.vary} = ${full[at]}` : 'not within the measured sizes', { crossover: at >= 0 ? full[at] : null, sizes: full, times: t });
    const head = el('tr', {}, el('th', { text: this.s.vary }), ...this.methods.map((m) => el('th', { text: `${m} (ms)` })), el('th', { text: "'auto' picks" }));
    const rows = full.map((s, i) => el('tr', {}, el('td', { text: String(s) }), ...this.methods.map((m) => el('td', { text: fmt(t[m][i], 3) })), el('td', { text: d.auto[i] })));
    this.table.replaceChildren(el('table', { style: 'font-size:.85rem;font-variant-numeric:tabular-nums' }, el('thead', {}, head), el('tbody', {}, rows)));
  }

  getState() {
    return { ...this.s };
  }

  setState(s) {
    this.s = ConvBenchmark.validate(s);
    for (const k of Object.keys(this.ui)) this.ui[k].set(String(this.s[k]));
    this.plan();
  }
}
