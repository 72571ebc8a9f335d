// bench/report.mjs: turns bench/results.json (written by bench.mjs) into the compact
// Markdown tables of README.md: one row per case with convlab's time on one thread, GFLOP/s
// and share of the SIMD peak, convlab on all cores, each peer's time and convlab's ratio to it
// (on the same thread count for ONNX Runtime Web), the LeNet-5 SGD step against everything,
// the targets met or not, and how close 'auto' came to the fastest method.
// `node bench/report.mjs [results.json]`.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('./results.json', import.meta.url);
const { header, peak, results } = JSON.parse(readFileSync(file, 'utf8'));
// Columns after convlab's own: [row name in results.json, column heading].
const PEERS = [['ort-1t', 'ORT 1 thread'], ['ort-all', 'ORT all cores'], ['tfjs-wasm', 'tfjs-wasm'], ['tfjs-wasm-all', 'tfjs-wasm all cores'], ['tfjs-cpu', 'tfjs-cpu'], ['convnetjs', 'convnetjs']];
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
// A time with its unit, in microseconds below 0.1 ms so short calls keep two figures.
const time = (x) => (x < 0.1 ? `${(1000 * x).toPrecision(2)} µs` : `${ms(x)} ms`);

const gflops = (row) => (row?.gflops ? `${row.gflops.toFixed(1)} (${(100 * row.peakFraction).toFixed(0)}%)` : '');

const failed = (row) => (!row ? '–' : row.status !== 'ok' ? row.status.split(/[:(]/)[0].trim() : null);

// A peer's time and convlab's ratio to it: on all cores for a peer on all cores when convlab
// ran on all cores too, else convlab's one thread (marked †).
function peerCell(row, name) {
  const f = failed(row);
  if (f) return f;
  if (name.endsWith('-all') && row.ratioAll) return `${ms(row.medianMs)} ms (**${row.ratioAll.toFixed(2)}**)`;
  return `${ms(row.medianMs)} ms (**${row.ratio.toFixed(2)}**${name.endsWith('-all') ? '†' : ''})`;
}

// convlab on all cores: its time and its time over convlab's on one thread.
function allCell(row) {
  const f = failed(row);
  return f ?? `${ms(row.medianMs)} ms (${row.vsOneThread.toFixed(2)} of 1 thread)`;
}

const out = [];
out.push(header);
out.push('');
out.push(`WebAssembly SIMD128 peak measured in the same run: ${peak ? peak.gflops.toFixed(1) : '?'} GFLOP/s (bench/wasm/peak.cpp).`);
out.push('');
out.push(`| case | convlab 1 thread | GFLOP/s (of peak) | convlab all cores | ${PEERS.map(([, h]) => h).join(' | ')} |`);
out.push(`|---|---:|---:|---:|${PEERS.map(() => '---:|').join('')}`);
for (const r of results.filter((x) => !x.group.startsWith('1-D'))) {
  const c = r.rows[r.convlab];
  const g = gflops(c);
  const spread = `${ms(c.minMs)}–${ms(c.maxMs)}`;
  out.push(`| ${r.group}: ${r.name} | ${ms(c.medianMs)} ms (${spread}) | ${g} | ${allCell(r.rows['convlab-all'])} | ${PEERS.map(([p]) => peerCell(r.rows[p], p)).join(' | ')} |`);
}
out.push('');
out.push('Times are medians (with the fastest and slowest sample). In bold after a peer\'s time, convlab\'s time divided by the peer\'s, taken round by round and then the median (below 1: convlab is faster): convlab on one thread against a peer on one thread, convlab on all cores against a peer on all cores († where convlab ran on one thread only). After convlab on all cores, its time over its time on one thread, paired the same way. GFLOP/s and the share of the SIMD peak are one thread\'s. – : the peer does not offer the case.');
out.push('');
out.push(...stepTable(), '', ...targetTable());
const q = (r) => r.autoVsBestQuartiles.map((x) => x.toFixed(2)).join('–');
// No paired run when every method took more than twice auto's time in the rounds.
const vsFastest = (r) => (r.autoVsBest ? `${r.fastestMethod.replace('convlab ', '')} | **${r.autoVsBest.toFixed(2)}** (${q(r)})` : '– | –');
const autoRows = results.filter((x) => x.autoVsBest && !x.group.startsWith('1-D'));
const oneD = results.filter((x) => x.group.startsWith('1-D'));
if (autoRows.length) {
  out.push('');
  out.push('`auto` against the methods (`auto / fastest`: the median over back-to-back pairs of auto\'s time over the method\'s, against the method it compares worst with; quartiles in brackets):');
  out.push('');
  out.push('| case | fastest method (its median) | auto chose | auto / fastest |');
  out.push('|---|---|---|---:|');
  for (const r of autoRows) {
    out.push(`| ${r.group}: ${r.name} | ${r.fastestMethod.replace('convlab ', '')} (${ms(r.rows[r.fastestMethod].medianMs)} ms) | ${r.autoChoice ?? 'one per gradient'} | **${r.autoVsBest.toFixed(2)}** (${q(r)}) |`);
  }
}
if (oneD.length) {
  out.push('');
  out.push('1-D convolution (full), every method and `auto`, median times (GFLOP/s count the direct method\'s 2·n·m operations, so the FFT method can pass the peak):');
  out.push('');
  const methods = Object.keys(oneD[0].rows).filter((n) => n !== 'convlab auto');
  out.push(`| n | m | ${methods.map((n) => n.replace('convlab ', '')).join(' | ')} | auto | auto GFLOP/s (of peak) | auto chose | fastest | auto / fastest |`);
  out.push(`|---:|---:|${methods.map(() => '---:|').join('')}---:|---:|---|---|---:|`);
  for (const r of oneD) {
    const [, n, m] = r.name.match(/n=(\d+) m=(\d+)/);
    const t = (name) => (r.rows[name]?.medianMs ? time(r.rows[name].medianMs) : '–');
    out.push(`| ${n} | ${m} | ${methods.map(t).join(' | ')} | ${t('convlab auto')} | ${gflops(r.rows['convlab auto'])} | ${r.autoChoice} | ${vsFastest(r)} |`);
  }
}
console.log(out.join('\n'));

// The LeNet-5 SGD step against every implementation, convlab on one thread and on all cores.
function stepTable() {
  const r = results.find((x) => x.group.startsWith('LeNet-5 SGD'));
  if (!r) return [];
  const all = r.rows['convlab-all']?.medianMs ? r.rows['convlab-all'] : null;
  const lines = [`LeNet-5 SGD step (${r.name}), convlab's time over each implementation's, paired round by round:`, ''];
  lines.push('| implementation | median | convlab 1 thread / it | convlab all cores / it |');
  lines.push('|---|---:|---:|---:|');
  const names = [r.convlab, 'convlab-all', ...Object.keys(r.rows).filter((n) => n !== r.convlab && n !== 'convlab-all')];
  for (const name of names.filter((n) => r.rows[n])) {
    const row = r.rows[name];
    const f = failed(row);
    const label = name === r.convlab ? 'convlab, 1 thread' : name === 'convlab-all' ? 'convlab, all cores' : name;
    if (f) { lines.push(`| ${label} | ${f} | | |`); continue; }
    let vsOne, vsAll;
    if (name === r.convlab) [vsOne, vsAll] = ['1', all ? `**${all.vsOneThread.toFixed(2)}**` : '–'];
    else if (name === 'convlab-all') [vsOne, vsAll] = [(1 / row.vsOneThread).toFixed(2), '1'];
    else [vsOne, vsAll] = [row.ratio.toFixed(3), all ? `**${row.ratioAll.toFixed(3)}**` : '–'];
    lines.push(`| ${label} | ${ms(row.medianMs)} ms | ${vsOne} | ${vsAll} |`);
  }
  return lines;
}

// The targets for threads: convlab at most ONNX Runtime's time on the same thread count on
// the forward cases; the training step on all cores at most 0.6 of one thread and 0.07 of
// tfjs-wasm. '?' where a side did not run.
function targetTable() {
  const lines = ['Targets (ratios from this run):', '', '| case | target | measured | met |', '|---|---|---:|---|'];
  const row = (c, what, value, limit) => {
    const v = Number.isFinite(value) ? value.toFixed(2) : '?';
    lines.push(`| ${c.group}: ${c.name} | ${what} ≤ ${limit} | ${v} | ${Number.isFinite(value) ? (value <= limit ? 'yes' : '**no**') : '?'} |`);
  };
  const forward = results.filter((x) => x.rows['ort-1t'] && !x.group.startsWith('1-D'));
  for (const c of forward) {
    row(c, 'convlab 1 thread / ORT 1 thread', c.rows['ort-1t'].ratio, 1.0);
    row(c, 'convlab all cores / ORT all cores', c.rows['ort-all']?.ratioAll, 1.0);
  }
  const step = results.find((x) => x.group.startsWith('LeNet-5 SGD'));
  if (step) {
    row(step, 'convlab all cores / convlab 1 thread', step.rows['convlab-all']?.vsOneThread, 0.6);
    row(step, 'convlab all cores / tfjs-wasm', step.rows['tfjs-wasm']?.ratioAll, 0.07);
  }
  return lines;
}
