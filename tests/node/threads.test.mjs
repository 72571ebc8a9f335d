// threads.test.mjs: the threaded WebAssembly module (load({ threads })) in Node: cl.threads
// says what runs, conv2d, its gradients, pooling and a seeded LeNet-5 training run give the
// same bits on 1 and 2 threads and in the single-threaded module (run in a child process, as
// load() keeps one instance per process), and those numbers are PyTorch's (the conv2d fixture),
// so identical-but-wrong fails too. Bad `threads` values are refused naming the option.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { load } from 'convlab';

const CHILD = process.env.CONVLAB_THREADS_CHILD === '1';

// Seeded uniform values in [-1, 1): a small LCG, the same in parent and child.
function random(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

const LENET = [
  { type: 'conv2d', out: 6, kernel: 5, padding: 2 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'conv2d', out: 16, kernel: 5 }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dense', out: 120 }, { type: 'relu' }, { type: 'dense', out: 84 },
  { type: 'relu' }, { type: 'dense', out: 10 },
];

// The sandbox's kinds: batch norm, a grouped dilated convolution, dropout, trained with Adam.
const SANDBOX = [
  { type: 'conv2d', out: 8, kernel: 3, padding: 1 }, { type: 'batchnorm2d' }, { type: 'relu' },
  { type: 'conv2d', out: 8, kernel: 3, groups: 2, dilation: 2 }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dropout', p: 0.2 }, { type: 'dense', out: 10 },
];

// Eight steps on batches of 32 seeded images (LeNet-5 with SGD and momentum, the sandbox
// net with Adam): the losses, then every parameter and buffer, as plain numbers (exact in
// JSON: float32 and float64 values round-trip).
function trainingRun(cl) {
  const out = [];
  for (const [layers, options] of [[LENET, { lr: 0.05, momentum: 0.9 }], [SANDBOX, { optimizer: 'adam', lr: 1e-3 }]]) {
    const net = cl.sequential(layers, { inputShape: [1, 28, 28], seed: 5 });
    const batch = 32;
    for (let step = 0; step < 8; step++) {
      const x = random(batch * 28 * 28, 100 + step).map((v) => (v + 1) / 2);
      const labels = Int32Array.from({ length: batch }, (_, i) => (7 * i + step) % 10);
      out.push(net.trainStep(x, labels, batch, options).loss);
    }
    for (const p of [...net.parameters(), ...net.buffers()]) out.push(...p.data);
    net.dispose();
  }
  return out;
}

// conv2d forward and both gradients on a batch of 6 (so the weight gradient sums chunks).
function convResults(cl, method) {
  const xShape = [6, 3, 14, 13], wShape = [8, 3, 3, 3];
  const x = random(6 * 3 * 14 * 13, 1), w = random(8 * 27, 2), bias = random(8, 3);
  const y = cl.conv2d(x, xShape, w, wShape, { bias, padding: 1, method });
  const gy = random(y.data.length, 4);
  const g = cl.conv2dBackward(x, xShape, w, wShape, gy, { padding: 1, method });
  const p = cl.maxPool2d(y.data, y.shape, { kernel: 2 });
  const gp = cl.maxPool2dBackward(y.data, y.shape, random(p.data.length, 5), { kernel: 2 });
  // groups and dilation (new code over the same kernels), and the transposed convolution
  const xg = random(6 * 3 * 14 * 13, 6);
  const opts = { dilation: 2, stride: 2, padding: 2, method };
  const yd = cl.conv2d(xg, xShape, w, wShape, opts);
  const gd = cl.conv2dBackward(xg, xShape, w, wShape, random(yd.data.length, 7), opts);
  const x4 = random(6 * 4 * 9 * 9, 8), w4 = random(8 * 2 * 3 * 3, 9);
  const yg = cl.conv2d(x4, [6, 4, 9, 9], w4, [8, 2, 3, 3], { groups: 2, padding: 1, method });
  const gg = cl.conv2dBackward(x4, [6, 4, 9, 9], w4, [8, 2, 3, 3], random(yg.data.length, 10), { groups: 2, padding: 1, method });
  const yt = cl.convTranspose2d(x4, [6, 4, 9, 9], w4.subarray(0, 72), [4, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1, method });
  return [...y.data, ...g.gradInput, ...g.gradWeight, ...g.gradBias, ...p.data, ...gp,
    ...yd.data, ...gd.gradInput, ...gd.gradWeight, ...yg.data, ...gg.gradInput, ...gg.gradWeight, ...yt.data];
}

if (CHILD) {
  // the single-threaded module, for the parent to compare with
  const cl = await load();
  const conv = Object.fromEntries(cl.methods.conv2d.map((m) => [m, convResults(cl, m)]));
  process.stdout.write(JSON.stringify({ threads: cl.threads, train: trainingRun(cl), conv }));
} else {
  const cl = await load({ threads: 2 });

  function withThreads(n, f) {
    cl.setThreads(n);
    try {
      return f();
    } finally {
      cl.setThreads(2);
    }
  }

  const single = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, CONVLAB_THREADS_CHILD: '1' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }));

  describe('the threaded module in Node', () => {
    test('cl.threads reports the threads in use; setThreads changes them within the pool', () => {
      assert.equal(cl.threads, 2);
      assert.equal(cl.maxThreads, 2);
      withThreads(1, () => assert.equal(cl.threads, 1));
      assert.equal(cl.threads, 2);
      assert.throws(() => cl.setThreads(3), (e) => e instanceof RangeError && /^threads/.test(e.message));
      assert.throws(() => cl.setThreads(1.5), (e) => e instanceof TypeError && /^threads/.test(e.message));
      assert.equal(single.threads, 1, 'load() without threads in Node: the single-threaded module');
    });

    test('the threaded module names the argument of an invalid call, as the single-threaded one does', () => {
      const refused = [
        [() => cl.sequential([{ type: 'conv2d', out: 2, kernel: 40 }, { type: 'flatten' }, { type: 'dense', out: 10 }], { inputShape: [1, 28, 28] }),
          /^layers\[0\]\.kernel: 40x40 is larger than/],
        [() => cl.sequential([{ type: 'conv2d', out: 2, kernal: 4 }], { inputShape: [1, 28, 28] }), /kernal.*did you mean 'kernel'/],
        [() => cl.conv2d(new Float32Array(4), [1, 1, 2, 2], new Float32Array(9), [1, 1, 3, 3]), /^[a-zA-Z]+: /],
      ];
      for (const [call, message] of refused) {
        assert.throws(call, (e) => e instanceof RangeError && message.test(e.message) && !/unknown C\+\+ exception/.test(e.message), String(call));
      }
      // and keeps computing
      const method = cl.methods.conv2d[0];
      assert.deepEqual(convResults(cl, method), single.conv[method]);
    });

    test('bad threads options are refused, naming the option', async () => {
      for (const bad of [0, 9, 2.5, '2', null]) {
        await assert.rejects(load({ threads: bad }), (e) => /^threads/.test(e.message), String(bad));
      }
      await assert.rejects(load({ threads: 2, wasmBinary: new Uint8Array(8) }), (e) => /^threads: wasmBinary/.test(e.message));
    });

    test('conv2d (every method), its gradients and max pooling: same bits on 1 and 2 threads and in the single-threaded module', () => {
      for (const method of cl.methods.conv2d) {
        const two = convResults(cl, method);
        const one = withThreads(1, () => convResults(cl, method));
        assert.deepEqual(two, one, `${method}: 2 threads vs 1`);
        assert.deepEqual(two, single.conv[method], `${method}: threaded vs single-threaded module`);
      }
    });

    test('conv2d on 2 threads matches PyTorch (tests/fixtures/node_conv2d.json)', () => {
      const cases = JSON.parse(readFileSync(new URL('../fixtures/node_conv2d.json', import.meta.url), 'utf8'));
      for (const c of cases) {
        const options = { stride: c.stride, padding: c.padding };
        if (c.bias) options.bias = new Float32Array(c.bias);
        const y = cl.conv2d(new Float32Array(c.x), c.xShape, new Float32Array(c.w), c.wShape, options);
        const scale = Math.max(1e-6, ...c.y.map(Math.abs));
        c.y.forEach((v, i) => assert.ok(Math.abs(y.data[i] - v) <= 1e-4 * scale, `${c.name}: y[${i}]`));
      }
    });

    test('the heap grows under the threads: results still identical, and read from the new memory', () => {
      const before = cl.memoryStats().heapBytes;
      const xShape = [2, 4, 512, 512], wShape = [8, 4, 3, 3];
      const x = random(2 * 4 * 512 * 512, 7), w = random(8 * 36, 8);
      const two = cl.conv2d(x, xShape, w, wShape, { padding: 1, method: 'im2col' }).data;
      const one = withThreads(1, () => cl.conv2d(x, xShape, w, wShape, { padding: 1, method: 'im2col' }).data);
      assert.ok(cl.memoryStats().heapBytes > before, `heap ${before} -> ${cl.memoryStats().heapBytes} bytes`);
      assert.deepEqual(two, one);
      // one output by hand: image 1, channel 5, row 100, column 200
      let want = 0;
      for (let c = 0; c < 4; c++) for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) {
        want += x[((1 * 4 + c) * 512 + 99 + r) * 512 + 199 + q] * w[((5 * 4 + c) * 3 + r) * 3 + q];
      }
      assert.ok(Math.abs(two[((1 * 8 + 5) * 512 + 100) * 512 + 200] - want) < 1e-4);
    });

    test('a seeded LeNet-5 training run: same losses and parameters on 1 and 2 threads and in the single-threaded module', () => {
      const two = trainingRun(cl);
      const one = withThreads(1, () => trainingRun(cl));
      assert.notEqual(two[0], two[7], 'the run trains');
      assert.deepEqual(two, one, '2 threads vs 1');
      assert.deepEqual(two, single.train, 'threaded vs single-threaded module');
    });
  });
}
