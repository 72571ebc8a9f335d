// bench/report.mjs: turns bench/results.json (written by bench.mjs) into the compact
// Markdown tables of README.md: one row per case with convlab's time, GFLOP/s and share of
// the SIMD peak, each peer's time and convlab's ratio to it, and how close 'auto' came to
// the fastest method. `node bench/report.mjs [results.json]`.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('./results.json', import.meta.url);
const { header, peak, results } = JSON.parse(readFileSync(file, 'utf8'));
const PEERS = ['tfjs-wasm', 'tfjs-cpu', 'convnetjs'];
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

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
  const g = c.gflops ? `${c.gflops.toFixed(1)} (${(100 * c.peakFraction).toFixed(0)}%)` : '';
  const spread = `${ms(c.minMs)}–${ms(c.maxMs)}`;
  out.push(`| ${r.group}: ${r.name} | ${ms(c.medianMs)} ms (${spread}) | ${g} | ${PEERS.map((p) => peerCell(r.rows[p])).join(' | ')} |`);
}
out.push('');
out.push('Times are medians; in brackets after a peer\'s time, convlab\'s time divided by the peer\'s (below 1: convlab is faster).');
out.push('');
out.push('| case | fastest method (median) | auto chose | auto / fastest |');
out.push('|---|---|---|---:|');
for (const r of results.filter((x) => x.autoVsBest)) {
  out.push(`| ${r.group}: ${r.name} | ${r.fastestMethod.replace('convlab ', '')} (${ms(r.rows[r.fastestMethod].medianMs)} ms) | ${r.autoChoice ?? 'one per gradient'} | ${r.autoVsBest.toFixed(2)} |`);
}
console.log(out.join('\n'));
