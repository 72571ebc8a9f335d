// bench/peak.mjs: the WebAssembly SIMD128 single-thread peak of this machine, from
// bench/wasm/peak.cpp (independent f32x4 multiply-add chains), built on first use by
// bench/wasm/build.sh and run in a child Node process. The best chain count wins.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function measureSimdPeak() {
  const script = `${root}build/bench-wasm/peak.cjs`;
  try {
    if (!existsSync(script)) execFileSync('bash', [`${root}bench/wasm/build.sh`], { stdio: 'inherit' });
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    const values = [...out.matchAll(/best ([\d.]+) GFLOP\/s/g)].map((m) => Number(m[1]));
    return values.length ? { gflops: Math.max(...values), raw: out.trim() } : null;
  } catch (e) {
    process.stderr.write(`SIMD peak not measured: ${e.message}\n`);
    return null;
  }
}
