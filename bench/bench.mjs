// bench/bench.mjs (`npm run bench`): convlab against ONNX Runtime Web (WASM backend, one
// thread and all cores), TensorFlow.js (WASM backend with XNNPACK, one thread and all cores,
// and CPU backend) and ConvNetJS, in one Node process, interleaved round by round so that
// machine noise hits every implementation alike. convlab runs on one thread and, when its
// module can use threads, on all cores. Before timing, each implementation's result is
// checked against convlab's; a mismatch takes that implementation out of the case, is
// printed, and fails the run once the results are written. Prints a table of medians,
// spreads and ratios and writes the same as JSON (bench/results.json, or the path in --out).
// Ratios are paired (per round against peers, back-to-back pairs for 'auto' against each
// method), since the machine's speed drifts more over seconds than the differences being
// measured.
//
// The engines whose thread count is fixed per module instance (ONNX Runtime Web, convlab on
// all cores, tfjs-wasm's threaded build) run in worker threads of this process
// (bench/remote.mjs), one per engine and thread count, driven call by call from here; their
// times are taken inside the worker around the calls.
//
// Options: --quick (a smoke run: fewer rounds, a call slower than SLOW_MS timed by its first
// call alone), --only <substring of a group or case name>, --out <file>.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { load } from 'convlab';
import { tf, useBackend } from './peer-tfjs.mjs';
import { relativeError, maxAbsError } from './layouts.mjs';
import { conv2dForwardCases, conv2dBackwardCases, maxPoolCases } from './cases-conv2d.mjs';
import { denseCases, lenetForwardCase, lenetCase } from './cases-nn.mjs';
import { start } from './remote.mjs';
import { conv1dCases } from './cases-1d.mjs';
import { measureSimdPeak } from './peak.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const outFile = args.includes('--out') ? args[args.indexOf('--out') + 1] : new URL('./results.json', import.meta.url);
const BUDGET_MS = quick ? 400 : 1500;   // timed work per implementation and case
const MAX_ROUNDS = quick ? 7 : 21;
const SLOW_MS = 8000;                   // one call slower than this is timed once

// One thread here: a module with threads would otherwise default to all cores. A module
// without them refuses the option, and is single-threaded anyway.
const cl = await load({ threads: 1 }).catch(() => load());
const peak = await measureSimdPeak();

const cores = os.availableParallelism();
const ENGINES = [['ort-1t', 'ort', 1], ['ort-all', 'ort', cores], ['convlab-all', 'convlab', cores], ['tfjs-wasm-all', 'tfjs-wasm', cores]];
const remotes = {};
for (const [name, engine, threads] of ENGINES) {
  if (threads === 1 && name.endsWith('-all')) continue;   // one core: 'all' is the one thread
  remotes[name] = await start(engine, threads).catch((e) => {
    process.stderr.write(`${name}: not run: ${e.message}\n`);
    return e;
  });
}
// A row of one of convlab's methods (or its only implementation), as opposed to a peer or
// convlab on all cores.
const isMethod = (name) => name === 'convlab' || name.startsWith('convlab ');

const TFJS = { 'tfjs-wasm': 'wasm', 'tfjs-cpu': 'cpu' };
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };

async function activate(name) {
  if (!TFJS[name]) return false;
  return useBackend(TFJS[name]);
}

// Times `inner` back-to-back calls and returns the time per call, so that calls far shorter
// than the timer's resolution and the loop's noise are still measured well. A remote
// implementation times itself in its worker (and sends its result only when asked).
// warmMs > 0: untimed calls first, for that long and at least two, right before the timed
// ones (in the worker, for a remote one: a message between them would leave its threads
// idle long enough to fall asleep again).
async function timeOnce(impl, inner = 1, wantResult = false, warmMs = 0) {
  if (impl.timed) return impl.timed(inner, wantResult, warmMs);
  if (warmMs > 0) {
    const w0 = performance.now();
    for (let calls = 0; calls < 2 || performance.now() - w0 < warmMs; calls++) impl.run();
  }
  const t0 = performance.now();
  let raw;
  for (let i = 0; i < inner; i++) raw = impl.run();
  return { ms: (performance.now() - t0) / inner, raw };
}
const MIN_SAMPLE_MS = 2;   // each timed sample lasts at least this long
// Each timed sample of the interleaved rounds starts after this much idleness: thread pools
// keep spinning after their last job (ONNX Runtime's and XNNPACK's for 15-30 ms on this
// machine), and the spinning threads of the engine timed before would otherwise take the
// cores of the one timed now.
const SETTLE_MS = 50;
// ... and then runs untimed for a little while (at least two calls, at least WARM_MS) when its
// calls are short: for the first 20-30 ms after such a pause, a threaded engine's hand-offs
// between threads wait for idle cores to wake (on this virtual machine a LeNet-5 step on two
// threads then takes 15 ms instead of 4.5), and the rounds measure the steady state that a
// training loop or a stream of inferences sees. Every engine gets the same pause and warm-up.
const WARM_MS = 30;
const WARM_UNDER_MS = 50;
const PAIR_BUDGET_MS = quick ? 300 : 1200;   // per method compared with 'auto'
const PAIRS_MIN = quick ? 9 : 21;
const PAIRS_MAX = quick ? 21 : 61;

async function runCase(c) {
  const rows = {};
  const refName = c.reference;
  let refResult = null;
  // Set up, warm up and check every implementation.
  for (const [name, make] of Object.entries(c.impls)) {
    try {
      await activate(name);
      const impl = await make();
      const first = await timeOnce(impl, 1, true);
      // Read the results before any further call: ConvNetJS accumulates weight gradients.
      const result = impl.result ? impl.result(first.raw) : first.raw;
      const row = { impl, times: [], status: 'ok' };
      row.check = result instanceof Float32Array || result instanceof Float64Array ? result : null;
      row.weightCheck = impl.weightResult ? impl.weightResult(first.raw) : null;
      const second = first.ms > SLOW_MS ? first : await timeOnce(impl);   // after the JIT warmed up
      row.firstMs = Math.min(first.ms, second.ms);
      row.inner = Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(row.firstMs, 1e-3)));
      if (name === refName) refResult = { out: row.check, w: row.weightCheck };
      rows[name] = row;
    } catch (e) {
      rows[name] = { status: `unsupported: ${e.message.split('\n')[0]}`, times: [] };
    }
  }
  for (const [name, row] of Object.entries(rows)) {
    if (row.status !== 'ok' || !refResult || name === refName) continue;
    const err = Math.max(row.check ? relativeError(row.check, refResult.out) : 0,
      row.weightCheck && refResult.w ? relativeError(row.weightCheck, refResult.w) : 0);
    row.maxRelError = err;
    if (row.check && refResult.out) row.maxAbsError = maxAbsError(row.check, refResult.out);
    if (!(err <= 1e-3)) {
      row.status = `MISMATCH (max relative error ${err.toExponential(2)}, max abs error ${row.maxAbsError?.toExponential(2) ?? '?'})`;
      process.stderr.write(`  ${name}: ${row.status} against ${refName}; not timed\n`);
    }
  }
  // convlab's methods of one case share one repetition count, so that each of them pays the
  // per-sample costs (the first call after another implementation ran, say) equally often.
  const methods = Object.keys(rows).filter((n) => isMethod(n) && rows[n].status === 'ok');
  if (methods.length > 1) {
    const inner = Math.max(...methods.map((n) => rows[n].inner));
    for (const n of methods) rows[n].inner = inner;
  }
  // Timed rounds, interleaved.
  const live = Object.entries(rows).filter(([, r]) => r.status === 'ok');
  for (const [, r] of live) {
    const sampleMs = r.firstMs * r.inner;
    r.rounds = r.firstMs > SLOW_MS ? 1 : Math.max(3, Math.min(MAX_ROUNDS, Math.round(BUDGET_MS / sampleMs)));
    // A smoke run keeps the first call of a slow one (tens of seconds for tfjs-cpu's
    // gradients) as its only sample.
    if (quick && r.firstMs > SLOW_MS) { r.rounds = 0; r.times.push(r.firstMs); }
  }
  // Each round starts with a different implementation, so none always runs right after the
  // same neighbour (e.g. after the FFT method has flushed the caches).
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const order = live.map((_, i) => live[(i + round) % live.length]);
    for (const [name, r] of order) {
      if (round >= r.rounds) continue;
      if (await activate(name)) r.impl.run();   // tensors moved to this backend: untimed once
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      try {
        r.times.push((await timeOnce(r.impl, r.inner, false, r.firstMs < WARM_UNDER_MS ? WARM_MS : 0)).ms);
      } catch (e) {   // a worker that died: the row says so, the rest of the case goes on
        process.stderr.write(`  ${name}: failed: ${e.message}\n`);
        Object.assign(r, { status: `failed: ${e.message}`, rounds: 0, times: [] });
      }
    }
  }
  for (const r of Object.values(rows)) {
    if (!r.times.length) continue;
    r.medianMs = median(r.times);
    r.minMs = Math.min(...r.times);
    r.maxMs = Math.max(...r.times);
    if (c.flops) r.gflops = c.flops / r.medianMs / 1e6;
    if (c.flops && peak) r.peakFraction = r.gflops / peak.gflops;   // of one core's peak
  }
  const autoPairs = rows['convlab auto']?.status === 'ok' ? await pairWithAuto(rows, methods) : null;
  for (const [name, r] of Object.entries(rows)) {
    if (r.impl?.dispose) { await activate(name); await Promise.resolve(r.impl.dispose()).catch(() => {}); }
    delete r.impl; delete r.check; delete r.weightCheck; delete r.firstMs;
  }
  return { rows, autoPairs };
}

// The machine's speed drifts by tens of per cent over seconds (a shared virtual machine), far
// more than the difference between 'auto' and the method it picks. So 'auto' is compared with
// each method of similar speed in a paired run: the two alternate back to back, the first of
// each pair swapping every time, and the ratio is the median of the per-pair ratios, in which
// the drift cancels. Methods more than twice as slow as 'auto' in the rounds above are left out.
async function pairWithAuto(rows, methods) {
  const auto = rows['convlab auto'];
  const autoMs = auto.medianMs;
  const pairs = {};
  for (const name of methods) {
    const r = rows[name];
    if (name === 'convlab auto' || r.medianMs > 2 * autoMs) continue;
    const nPairs = autoMs * auto.inner > SLOW_MS ? 3 : Math.max(PAIRS_MIN, Math.min(PAIRS_MAX, Math.round(PAIR_BUDGET_MS / (2 * autoMs * auto.inner))));
    const ratios = [];
    for (let i = 0; i < nPairs; i++) {
      let a, b;
      if (i & 1) { b = (await timeOnce(r.impl, r.inner)).ms; a = (await timeOnce(auto.impl, auto.inner)).ms; } else { a = (await timeOnce(auto.impl, auto.inner)).ms; b = (await timeOnce(r.impl, r.inner)).ms; }
      ratios.push(a / b);
    }
    const s = [...ratios].sort((x, y) => x - y);
    pairs[name] = { pairs: nPairs, ratio: median(ratios), q1: s[Math.floor((s.length - 1) / 4)], q3: s[Math.ceil(3 * (s.length - 1) / 4)] };
  }
  return pairs;
}

// A peer's ratio is taken round by round too (convlab's time over the peer's in the same
// round, then the median), for the same reason; the ratio of the two medians is kept as well.
function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(a[i] / b[i]);
  return median(ratios);
}

function fmt(x, d = 2) { return x === undefined ? '' : x.toFixed(d); }

const cases = [
  ...conv2dForwardCases(cl, remotes), ...conv2dBackwardCases(cl, remotes), ...maxPoolCases(cl, remotes),
  ...denseCases(cl, remotes), lenetForwardCase(cl, remotes), lenetCase(cl, remotes), ...conv1dCases(cl),
].filter((c) => !only || `${c.group} ${c.name}`.includes(only));

const results = [];
for (const c of cases) {
  process.stderr.write(`${c.group}: ${c.name} ...\n`);
  const { rows, autoPairs } = await runCase(c);
  const convlabNames = Object.keys(rows).filter(isMethod);
  const main = rows['convlab auto'] ? 'convlab auto' : convlabNames.find((n) => rows[n].medianMs) ?? 'convlab';
  // ratio: convlab on one thread over the row; ratioAll: convlab on all cores over the row;
  // and for convlab on all cores itself, its time over convlab's on one thread.
  const all = rows['convlab-all']?.medianMs ? rows['convlab-all'] : null;
  for (const [name, r] of Object.entries(rows)) {
    if (isMethod(name) || !r.medianMs || !rows[main]?.medianMs) continue;
    if (r === all) {
      r.vsOneThread = pairedRatio(r.times, rows[main].times);
      continue;
    }
    r.ratio = pairedRatio(rows[main].times, r.times);
    r.ratioOfMedians = rows[main].medianMs / r.medianMs;
    if (all) r.ratioAll = pairedRatio(all.times, r.times);
  }
  const result = { group: c.group, name: c.name, note: c.note, flops: c.flops, convlab: main, rows };
  if (autoPairs && Object.keys(autoPairs).length) {
    // The fastest method is the one 'auto' compares worst with in the paired runs.
    const [best, pair] = Object.entries(autoPairs).sort((x, y) => y[1].ratio - x[1].ratio)[0];
    Object.assign(result, { fastestMethod: best, autoChoice: c.autoChoice, autoVsBest: pair.ratio, autoVsBestQuartiles: [pair.q1, pair.q3], autoPairs });
  }
  results.push(result);
}

const lines = [];
lines.push(`| case | implementation | median ms | min–max ms | GFLOP/s | of SIMD peak | convlab / peer | convlab all / peer |`);
lines.push(`|---|---|---:|---:|---:|---:|---:|---:|`);
for (const r of results) {
  for (const [name, row] of Object.entries(r.rows)) {
    if (row.status !== 'ok') { lines.push(`| ${r.group}: ${r.name} | ${name} | ${row.status} | | | | | |`); continue; }
    const frac = isMethod(name) && row.peakFraction ? `${(100 * row.peakFraction).toFixed(0)}%` : '';
    const vsOne = row.vsOneThread ? `${fmt(row.vsOneThread, 3)} of 1 thread` : '';
    lines.push(`| ${r.group}: ${r.name} | ${name} | ${fmt(row.medianMs)} | ${fmt(row.minMs)}–${fmt(row.maxMs)} | ${fmt(row.gflops, 1)} | ${frac} | ${row.ratio ? fmt(row.ratio, 3) : vsOne} | ${row.ratioAll ? fmt(row.ratioAll, 3) : ''} |`);
  }
  if (r.autoVsBest) {
    const chose = r.autoChoice ? `; auto chose ${r.autoChoice}` : '';
    const q = r.autoVsBestQuartiles.map((x) => fmt(x, 3)).join('–');
    lines.push(`| ${r.group}: ${r.name} | auto vs fastest, paired (${r.fastestMethod}${chose}) | | ${q} | | | ${fmt(r.autoVsBest, 3)} | |`);
  }
}
const ortInfo = remotes['ort-1t']?.info;
const engines = Object.entries(remotes).map(([name, r]) => `${name}: ${r instanceof Error ? `not run (${r.message})` : `${r.info.threads} thread${r.info.threads === 1 ? '' : 's'}`}`).join(', ');
const header = `convlab ${cl.version} (simd: ${cl.simd}; 1 thread, and all cores in a worker when available) vs onnxruntime-web ${ortInfo?.version ?? '?'} (wasm) and @tensorflow/tfjs 4.22 (wasm: XNNPACK, 1 thread and, threaded build, all cores; cpu) and convnetjs 0.3; ${engines}; ${cores} cores; Node ${process.version}; ${os.cpus()[0].model}; ${new Date().toISOString()}`;
console.log(header);
console.log(`WebAssembly SIMD128 peak (independent f32x4 multiply-add chains): ${peak ? peak.gflops.toFixed(1) : '?'} GFLOP/s`);
console.log(lines.join('\n'));
writeFileSync(outFile, JSON.stringify({ header, date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0].model, cores, peak, engines: Object.fromEntries(Object.entries(remotes).map(([n, r]) => [n, r instanceof Error ? { error: r.message } : r.info])), results }, null, 1));
tf.disposeVariables();
await Promise.all(Object.values(remotes).filter((r) => !(r instanceof Error)).map((r) => r.terminate()));
// A peer that disagrees with convlab is left out of its case's timings; the run still fails,
// so that no one reads a table with a wrong implementation quietly missing.
const mismatches = results.flatMap((r) => Object.entries(r.rows).filter(([, row]) => row.status.startsWith('MISMATCH')).map(([name]) => `${r.group}: ${r.name}: ${name}`));
if (mismatches.length) {
  process.stderr.write(`MISMATCH against convlab (not timed):\n  ${mismatches.join('\n  ')}\n`);
  process.exitCode = 1;
}
