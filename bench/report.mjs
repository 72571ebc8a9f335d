// bench/report.mjs: turns bench/results.json (written by bench.mjs) into the compact
// Markdown tables of README.md: one row per case with convlab's time, GFLOP/s and share of
// the SIMD peak, each peer's time and convlab's ratio to it, and how close 'auto' came to
// the fastest method. `node bench/report.mjs [results.json]`.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('./results.json', import.meta.url);
const { header, peak, results } = JSON.parse(readFileSync(file, 'utf8'));
const PEERS = ['tfjs-wasm', 'tfjs-cpu', 'convnetjs'];
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
// A time with its unit, in microseconds below 0.1 ms so short calls keep two figures.
const time = (x) => (x < 0.1 ? `${(1000 * x).toPrecision(2)} µs` : `${ms(x)} ms`);

const gflops = (row) => (row?.gflops ? `${row.gflops.toFixed(1)} (${(100 * row.peakFraction).toFixed(0)}%)` : '');

function peerCell(row) {
  if (!row) return '–';
  if (row.status !== 'ok') return row.status.split(':')[0];
  return `${ms(row.medianMs)} ms (**${row.ratio.toFixed(2)}**)`;
}

const out = [];
out.push(header);
out.push('');
out.push(`WebAssembly SIMD128 peak measured in the same run: ${peak ? peak.gflops.toFixed(1) : '?'} GFLOP/s (bench/wasm/peak.cpp).`);
out.push('');
out.push('| case | convlab | GFLOP/s (of peak) | tfjs-wasm | tfjs-cpu | convnetjs |');
out.push('|---|---:|---:|---:|---:|---:|');
for (const r of results.filter((x) => !x.group.startsWith('1-D'))) {
  const c = r.rows[r.convlab];
  const g = gflops(c);
  const spread = `${ms(c.minMs)}–${ms(c.maxMs)}`;
  out.push(`| ${r.group}: ${r.name} | ${ms(c.medianMs)} ms (${spread}) | ${g} | ${PEERS.map((p) => peerCell(r.rows[p])).join(' | ')} |`);
}
out.push('');
out.push('Times are medians (with the fastest and slowest sample). In bold after a peer\'s time, convlab\'s time divided by the peer\'s, taken round by round and then the median (below 1: convlab is faster).');
out.push('');
out.push('`auto` against the methods (`auto / fastest`: the median over back-to-back pairs of auto\'s time over the method\'s, against the method it compares worst with; quartiles in brackets):');
out.push('');
out.push('| case | fastest method (its median) | auto chose | auto / fastest |');
out.push('|---|---|---|---:|');
const q = (r) => r.autoVsBestQuartiles.map((x) => x.toFixed(2)).join('–');
for (const r of results.filter((x) => x.autoVsBest && !x.group.startsWith('1-D'))) {
  out.push(`| ${r.group}: ${r.name} | ${r.fastestMethod.replace('convlab ', '')} (${ms(r.rows[r.fastestMethod].medianMs)} ms) | ${r.autoChoice ?? 'one per gradient'} | **${r.autoVsBest.toFixed(2)}** (${q(r)}) |`);
}
out.push('');
out.push('1-D convolution (full), every method and `auto`, median times (GFLOP/s count the direct method\'s 2·n·m operations, so the FFT method can pass the peak):');
out.push('');
const oneD = results.filter((x) => x.group.startsWith('1-D'));
const methods = oneD.length ? Object.keys(oneD[0].rows).filter((n) => n !== 'convlab auto') : [];
out.push(`| n | m | ${methods.map((n) => n.replace('convlab ', '')).join(' | ')} | auto | auto GFLOP/s (of peak) | auto chose | fastest | auto / fastest |`);
out.push(`|---:|---:|${methods.map(() => '---:|').join('')}---:|---:|---|---|---:|`);
for (const r of oneD) {
  const [, n, m] = r.name.match(/n=(\d+) m=(\d+)/);
  const t = (name) => (r.rows[name]?.medianMs ? time(r.rows[name].medianMs) : '–');
  out.push(`| ${n} | ${m} | ${methods.map(t).join(' | ')} | ${t('convlab auto')} | ${gflops(r.rows['convlab auto'])} | ${r.autoChoice} | ${r.fastestMethod.replace('convlab ', '')} | **${r.autoVsBest.toFixed(2)}** (${q(r)}) |`);
}
console.log(out.join('\n'));
