// doctest-wasm.test.mjs: the native doctest suite (tests/native/test_*.cpp) run on the
// WebAssembly SIMD128 build, so every core case the native build checks is checked on the
// code the browser runs (STYLE.md: one suite, three places). The programs are built by
// `CONVLAB_WASM_TESTS=1 bash scripts/build.sh` (target convlab_wasm_doctests, not part of
// the default build because it costs minutes); without them, or with programs older than
// their sources or the core library, each case is skipped and says why.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const programs = `${root}build/wasm/doctest`;
const sources = readdirSync(`${root}tests/native`).filter((f) => /^test_.*\.cpp$/.test(f));
const built = existsSync(programs) && readdirSync(programs).some((f) => /^test_.*\.js$/.test(f));
const core = `${root}build/wasm/libconvlab_core.a`;

describe('native doctest suite on the WebAssembly build', { skip: built ? false : 'not built: run CONVLAB_WASM_TESTS=1 bash scripts/build.sh' }, () => {
  for (const source of sources) {
    const name = source.replace(/\.cpp$/, '');
    test(name, async (t) => {
      const program = `${programs}/${name}.js`;
      if (!existsSync(program)) return t.skip(`${program} not built: run CONVLAB_WASM_TESTS=1 bash scripts/build.sh`);
      const age = statSync(program).mtimeMs;
      for (const input of [`${root}tests/native/${source}`, core]) {
        if (statSync(input).mtimeMs > age) return t.skip(`stale: older than ${input}; run CONVLAB_WASM_TESTS=1 bash scripts/build.sh`);
      }
      let out;
      try {
        out = await run(process.execPath, [program, '--no-colors'], { cwd: root, maxBuffer: 64 << 20 });
      } catch (e) {
        assert.fail(`${name} failed on WebAssembly (exit ${e.code}):\n${String(e.stdout).slice(-4000)}\n${String(e.stderr).slice(-2000)}`);
      }
      assert.match(out.stdout, /Status: SUCCESS!/, `${name}: doctest did not report success`);
      assert.match(out.stdout, /test cases:\s+[1-9]/, `${name}: ran no test cases`);
    });
  }
});
