// load.test.mjs: loading through the package name, the instance's fields, and the loading
// options (wasmUrl, wasmBinary, a failed load that can be retried), the latter in child
// processes since one process keeps one instance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { load } from 'convlab';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

function node(code) {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }).trim();
}

test("import { load } from 'convlab' resolves an instance with version and simd", async () => {
  const cl = await load();
  assert.equal(cl.version, pkg.version);
  assert.equal(cl.simd, true);
  assert.equal(typeof cl.convolve, 'function');
});

test('load() twice gives the same instance', async () => {
  const [a, b] = await Promise.all([load(), load()]);
  assert.equal(a, b);
  assert.equal(await load(), a);
});

test('the README command works from the repository root', () => {
  const out = node("import {load} from 'convlab'; const cl = await load(); console.log(cl.version, cl.simd)");
  assert.equal(out, `${pkg.version} true`);
});

test('load({ wasmUrl }) and load({ wasmBinary }); a failed load can be retried', () => {
  const out = node(`
    import { load } from 'convlab';
    import { readFileSync } from 'node:fs';
    let message = '';
    try { await load({ wasmUrl: 'build/wasm/no-such-file.wasm' }); } catch (e) { message = e.message; }
    const a = await load({ wasmUrl: 'build/wasm/convlab_wasm.wasm' });
    console.log(message.includes('no-such-file') ? 'failed-clearly' : 'bad:' + message);
    console.log(Array.from(a.convolve(new Float32Array([1, 2]), new Float32Array([1, 1]))).join(','));
  `);
  assert.deepEqual(out.split('\n'), ['failed-clearly', '1,3,2']);
  const out2 = node(`
    import { load } from 'convlab';
    import { readFileSync } from 'node:fs';
    const cl = await load({ wasmBinary: readFileSync('build/wasm/convlab_wasm.wasm') });
    console.log(cl.version);
  `);
  assert.equal(out2, pkg.version);
});

test('an engine without WebAssembly SIMD gets a clear error, and a later load can still succeed', () => {
  // Emulates such an engine: WebAssembly.validate refuses any module using the SIMD prefix
  // opcode 0xfd (feature detection probes with one). The real validate comes back after.
  const out = node(`
    import { load } from 'convlab';
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
    let message = '';
    try { await load(); } catch (e) { message = e.message; }
    WebAssembly.validate = validate;
    console.log(message);
    const cl = await load();
    console.log(Array.from(cl.convolve(new Float32Array([1, 2]), new Float32Array([1, 1]))).join(','));
  `);
  const [message, sum] = out.split('\n');
  assert.match(message, /^convlab: this JavaScript engine has no WebAssembly SIMD \(needed since Chrome 91/);
  assert.equal(sum, '1,3,2');
});

test('the exports map and the type declarations are where package.json says', () => {
  assert.equal(pkg.name, 'convlab');
  assert.equal(pkg.exports['.'].default, './web/bindings/convlab.js');
  const dts = readFileSync(new URL(`../../${pkg.exports['.'].types}`, import.meta.url), 'utf8');
  for (const name of ['load', 'convolve', 'correlate', 'toeplitz', 'fft', 'ifft', 'conv2d', 'conv2dBackward',
    'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward', 'sequential', 'trainStep',
    'setParameters', 'gradients', 'dispose', 'vjp', 'layerOutput', 'resetOptimizer', 'optimizerState',
    'setOptimizerState', 'autoMethod1d', 'autoMethod2d', 'activation', 'methods']) {
    assert.match(dts, new RegExp(`\\b${name}\\b`), `convlab.d.ts declares ${name}`);
  }
});

test('methods work detached from the instance', async () => {
  const { convolve, sequential } = await load();
  assert.deepEqual(Array.from(convolve(new Float32Array([1, 2]), new Float32Array([1, 1]))), [1, 3, 2]);
  const net = sequential([{ type: 'dense', out: 1 }], { inputShape: [1] });
  assert.deepEqual(net.outputShape, [1]);
  net.dispose();
});

test('labels and data from another realm (vm context) are recognised by type, not instanceof', async () => {
  const vm = await import('node:vm');
  const cl = await load();
  const other = vm.runInNewContext('({ x: new Float32Array([1, 2, 3]), labels: new Int32Array([2]) })');
  assert.ok(!(other.x instanceof Float32Array));
  assert.deepEqual(Array.from(cl.convolve(other.x, new Float32Array([1]))), [1, 2, 3]);
  const net = cl.sequential([{ type: 'dense', out: 3 }], { inputShape: [3], seed: 1 });
  net.setParameters([
    { name: '0.weight', shape: [3, 3], data: new Float32Array(9) },
    { name: '0.bias', shape: [3], data: new Float32Array(3) },
  ]);
  // Equal logits: cross-entropy log(3) whatever the label, and the label is read as an int.
  const r = net.backward(other.x, other.labels, 1);
  assert.ok(Math.abs(r.loss - Math.log(3)) < 1e-6);
  const g = net.gradients().find((p) => p.name === '0.bias').data;
  // d loss / d bias = softmax - one_hot(2) = [1/3, 1/3, -2/3].
  assert.ok(Math.abs(g[2] + 2 / 3) < 1e-6 && Math.abs(g[0] - 1 / 3) < 1e-6, `bias gradient ${g}`);
  net.dispose();
});
