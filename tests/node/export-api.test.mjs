// export-api.test.mjs: cl.exportONNX / cl.exportPyTorch on networks of the core, and the
// errors of exportNetwork (web/src/lib/export/index.js): every spec, tensor or argument the
// exporters cannot express is refused by name, never exported wrongly. What the exported files
// compute is checked in export.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as ort from 'onnxruntime-web';

import { base64, float32Bytes } from '../../web/src/lib/export/bytes.js';
import { exportNetwork } from '../../web/src/lib/export/index.js';
import { assertClose, cl } from './helpers.mjs';

ort.env.wasm.numThreads = 1;

const LAYERS = [{ type: 'conv2d', out: 3, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 },
  { type: 'flatten' }, { type: 'dense', out: 4 }];
const INPUT = [2, 6, 6];

function model(overrides = {}) {
  const net = cl.sequential(LAYERS, { inputShape: INPUT, seed: 3 });
  const m = { layers: LAYERS.map((l) => ({ ...l })), inputShape: INPUT, parameters: net.parameters(), buffers: [] };
  net.dispose();
  return { ...m, ...overrides };
}

test('cl.exportONNX gives the bytes exportNetwork gives, and they compute net.forward', async () => {
  const net = cl.sequential(LAYERS, { inputShape: INPUT, seed: 3 });
  const bytes = await cl.exportONNX(net);
  assert.ok(bytes instanceof Uint8Array && bytes.constructor === Uint8Array);
  assert.deepEqual(bytes, exportNetwork('onnx', model()).data);
  const x = Float32Array.from({ length: 2 * 72 }, (_, i) => Math.cos(i * 0.7));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const { output } = await session.run({ input: new ort.Tensor('float32', x, [2, ...INPUT]) });
  await session.release();
  assert.deepEqual(output.dims, [2, 4]);
  assertClose(Float32Array.from(output.data), net.forward(x, 2), 'onnxruntime-web vs convlab');
  net.dispose();
});

test('cl.exportPyTorch gives the script exportNetwork gives, naming every parameter as convlab does', async () => {
  const net = cl.sequential(LAYERS, { inputShape: INPUT, seed: 3 });
  const { exportPyTorch } = cl; // works detached, like every method
  const script = await exportPyTorch(net);
  assert.equal(script, exportNetwork('pytorch', model()).data);
  assert.match(script, /nn\.Conv2d\(2, 3, kernel_size=\(3, 3\), stride=\(1, 1\), padding='same'/);
  for (const p of net.parameters()) {
    const shape = p.shape.length === 1 ? `(${p.shape[0]},)` : `(${p.shape.join(', ')})`;
    assert.ok(script.includes(`'${p.name}': (${shape}, '`), `${p.name} ${shape} in TENSORS`);
  }
  net.dispose();
});

test('the public API names its argument', async () => {
  await assert.rejects(cl.exportONNX({ layers: [] }), { name: 'TypeError', message: /^net: expected a network from cl\.sequential, got Object/ });
  await assert.rejects(cl.exportPyTorch(undefined), { name: 'TypeError', message: /^net: / });
  const net = cl.sequential(LAYERS, { inputShape: INPUT });
  await assert.rejects(cl.exportONNX(net, { opset: 17 }), { name: 'RangeError', message: /^options: exportONNX takes no options/ });
  net.dispose();
  await assert.rejects(cl.exportONNX(net), { message: /^net: this network was disposed/ });
});

test('exportNetwork returns a file name, a MIME type and the data', () => {
  const onnx = exportNetwork('onnx', model());
  assert.equal(onnx.filename, 'convlab-model.onnx');
  assert.ok(onnx.data instanceof Uint8Array);
  const py = exportNetwork('pytorch', model());
  assert.equal(py.filename, 'convlab_model.py');
  assert.equal(py.mime, 'text/x-python');
  assert.equal(typeof py.data, 'string');
});

test('tensors are stored as float32 little-endian bytes, in base64 as Node encodes it', () => {
  const values = Float32Array.of(1, -2.5, 3e-8, Infinity, 0.1);
  assert.deepEqual(float32Bytes(values), Uint8Array.from(Buffer.from(values.buffer)), 'little-endian bytes (this machine is little-endian)');
  for (let n = 0; n <= 20; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n * 13) & 255);
    assert.equal(base64(bytes), Buffer.from(bytes).toString('base64'), `${n} bytes`);
  }
});

const refusals = [
  ['an unknown format', () => exportNetwork('keras', model()), /^format: expected one of 'onnx', 'pytorch', got 'keras'/],
  ['a layer kind without a mapping', () => exportNetwork('onnx', model({ layers: [...LAYERS.slice(0, 4), { type: 'lstm' }] })),
    /^layers\[4\]: layer type "lstm" has no PyTorch \/ ONNX mapping; cannot be exported/],
  ['a field the exporters do not know', () => exportNetwork('pytorch', model({ layers: [{ ...LAYERS[0], dilatation: 2 }, ...LAYERS.slice(1)] })),
    /^layers\[0\]\.dilatation: unknown field of conv2d; cannot be exported/],
  ['a missing required field', () => exportNetwork('onnx', model({ layers: [{ type: 'conv2d', out: 3 }, ...LAYERS.slice(1)] })),
    /^layers\[0\]\.kernel: required for conv2d/],
  ['a missing parameter', () => exportNetwork('onnx', model({ parameters: model().parameters.slice(1) })),
    /^layers\[0\]: parameters has no '0\.weight'; cannot be exported/],
  ['a parameter of the wrong shape', () => exportNetwork('onnx', model({ parameters: model().parameters.map((p) => (p.name === '4.weight' ? { ...p, shape: [4, 6, 3], data: p.data.subarray(0, 72) } : p)) })),
    /^layers\[4\]: parameters '4\.weight' has shape \[4, 6, 3\], but the layer needs \[4, 27\]; cannot be exported/],
  ['a parameter no layer has', () => exportNetwork('pytorch', model({ parameters: [...model().parameters, { name: '1.weight', shape: [1], data: new Float32Array(1) }] })),
    /^parameters: '1\.weight' belongs to no layer; cannot be exported/],
  ['data shorter than its shape', () => exportNetwork('onnx', model({ parameters: model().parameters.map((p, i) => (i ? p : { ...p, data: p.data.subarray(1) })) })),
    /^parameters\[0\]\.data: expected 54 elements for shape \[3, 2, 3, 3\], got 53/],
  ['an output shape convlab reports differently', () => exportNetwork('onnx', model({ layers: LAYERS.map((l, i) => (i === 2 ? { ...l, outputShape: [3, 2, 2] } : l)) })),
    /^layers\[2\]: its output shape is \[3, 2, 2\] in convlab but \[3, 3, 3\] by PyTorch's rule; cannot be exported/],
  ["'same' padding with a stride", () => exportNetwork('onnx', model({ layers: [{ ...LAYERS[0], stride: 2 }, ...LAYERS.slice(1)] })),
    /^layers\[0\]\.padding: 'same' needs stride 1/],
  ['a dense layer on a map', () => exportNetwork('onnx', model({ layers: [LAYERS[0], { type: 'dense', out: 4 }] })),
    /^layers\[1\]: dense needs a flat input, but its input is \[3, 6, 6\]; cannot be exported/],
  ['batch norm without its running statistics', () => exportNetwork('onnx', {
    layers: [{ type: 'batchnorm1d' }], inputShape: [3],
    parameters: [{ name: '0.weight', shape: [3], data: new Float32Array(3) }, { name: '0.bias', shape: [3], data: new Float32Array(3) }] }),
  /^layers\[0\]: buffers has no '0\.running_mean'; cannot be exported/],
  ['a residual block that changes the shape', () => exportNetwork('pytorch', {
    layers: [{ type: 'residual', layers: [{ type: 'flatten' }] }], inputShape: [1, 2, 2], parameters: [] }),
  /^layers\[0\]: its layers turn \[1, 2, 2\] into \[4\], which cannot be added to the input; cannot be exported/],
  ['a nested field, named with its path', () => exportNetwork('onnx', {
    layers: [{ type: 'residual', layers: [{ type: 'leakyrelu', negativeSlope: 'steep' }] }], inputShape: [4], parameters: [] }),
  /^layers\[0\]\.layers\[0\]\.negativeSlope: expected a number/],
  ['an input shape of the wrong rank', () => exportNetwork('onnx', model({ inputShape: [6, 6] })), /^inputShape: expected \[C, H, W\] or \[features\], got \[6,6\]/],
];

for (const [what, fn, message] of refusals) {
  test(`exportNetwork refuses ${what}, naming it`, () => assert.throws(fn, { message }));
}
