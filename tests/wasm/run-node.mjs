// run-node.mjs: the native doctest suite compiled to WebAssembly
// (build/wasm-tests/doctest-modules, see tests/wasm/CMakeLists.txt), run in Node one module
// after another. Prints one line per test file, doctest's whole output for a failing one, and
// a closing "N passed, N failed" line; exits non-zero if any module failed, crashed, ran no
// test case, or is missing (every tests/native/test_*.cpp must have its module).
//   node tests/wasm/run-node.mjs [test_conv2d ...] [-- doctest args]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runDoctestModule } from './doctest-driver.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = process.env.CONVLAB_WASM_TESTS_DIR ?? join(root, 'build', 'wasm-tests', 'doctest-modules');
const fixturesDir = join(root, 'tests', 'fixtures');

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const only = dash < 0 ? argv : argv.slice(0, dash);
const doctestArgs = dash < 0 ? [] : argv.slice(dash + 1);

let names = readdirSync(join(root, 'tests', 'native'))
  // test_threads needs several threads: not in the single-threaded modules (tests/wasm/CMakeLists.txt)
  .filter((f) => /^test_.*\.cpp$/.test(f) && f !== 'test_threads.cpp')
  .map((f) => f.replace(/\.cpp$/, ''))
  .sort();
if (only.length) names = names.filter((n) => only.includes(n));
if (names.length === 0) {
  console.error('no test selected');
  process.exit(1);
}

const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => [f, readFileSync(join(fixturesDir, f))]);

let passed = 0;
let failed = 0;
const started = performance.now();
for (const name of names) {
  const js = join(buildDir, `${name}.js`);
  if (!existsSync(js)) {
    console.log(`${name}: FAILED: ${js} is missing (build the wasm_doctests target)`);
    failed++;
    continue;
  }
  const t0 = performance.now();
  const { default: factory } = await import(pathToFileURL(js).href);
  const result = await runDoctestModule({
    factory,
    wasmBinary: readFileSync(join(buildDir, `${name}.wasm`)),
    fixtures,
    args: doctestArgs,
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const { testCases, assertions } = result.summary;
  const counts = testCases
    ? `${testCases.passed}/${testCases.total} test cases, ${assertions?.passed ?? '?'}/${assertions?.total ?? '?'} assertions`
    : 'no doctest summary';
  if (result.ok) {
    passed++;
    console.log(`${name}: passed (${counts}, ${seconds} s)`);
  } else {
    failed++;
    console.log(`${name}: FAILED (exit ${result.status}, ${counts}, ${seconds} s)\n${result.output}\n`);
  }
}
console.log(`wasm doctest in Node: ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
