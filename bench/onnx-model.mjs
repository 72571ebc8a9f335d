// bench/onnx-model.mjs: the smallest ONNX model builder the benchmark needs, on the
// protobufjs messages of `onnx-proto`: a graph of nodes with float32 initializers (the
// weights) and one float32 input and output. Kept local to the benchmark so the peer does not
// depend on the product's exporter; the layouts are ONNX's own (NCHW, weights (K, C, R, S),
// Gemm weights (out, in) with transB), which are convlab's too, so no data is shuffled.
import { createRequire } from 'node:module';

const { onnx } = createRequire(import.meta.url)('onnx-proto');

const OPSET = 13;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function valueInfo(name, shape) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
}

// Attributes as ONNX wants them: integers, lists of integers or floats, by their JS type.
function attribute(name, value) {
  const A = onnx.AttributeProto.AttributeType;
  if (Array.isArray(value)) return { name, type: A.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: A.INT, i: value };
  if (typeof value === 'number') return { name, type: A.FLOAT, f: value };
  throw new Error(`onnx-model: attribute ${name}: unsupported value ${value}`);
}

/**
 * A serialised ModelProto. nodes: [{ op, inputs, outputs, attrs? }]; initializers:
 * [{ name, shape, data: Float32Array }]; input/output: { name, shape }.
 */
export function buildModel({ nodes, initializers, input, output }) {
  const graph = onnx.GraphProto.create({
    name: 'bench',
    node: nodes.map((n, i) => onnx.NodeProto.create({
      name: `${n.op}_${i}`, opType: n.op, input: n.inputs, output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    initializer: initializers.map(({ name, shape, data }) => onnx.TensorProto.create({
      name, dims: shape, dataType: FLOAT,
      rawData: new Uint8Array(Float32Array.from(data).buffer),
    })),
    input: [valueInfo(input.name, input.shape)],
    output: [valueInfo(output.name, output.shape)],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'convlab-bench', opsetImport: [{ domain: '', version: OPSET }], graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

const pair = (v) => (Array.isArray(v) ? v : [v, v]);

// Output size of a window of size k, stride st and total padding p over n.
const windows = (n, k, st, p) => Math.floor((n + p - k) / st) + 1;

/**
 * A model for a list of convlab layer specs (the subset the benchmark uses: conv2d with
 * integer or 'same'/'valid' padding, relu, maxpool2d, flatten, dense) on an input of shape
 * [batch, ...inputShape], with convlab's parameters ([{ name: 'i.weight' | 'i.bias', shape,
 * data }]) as initializers. A conv2d spec with `bias: false` has no bias. Input 'x', output
 * 'y', whose shape is worked out layer by layer as ONNX's checker wants it.
 */
export function modelFromLayers(layers, inputShape, batch, params) {
  const byName = new Map(params.map((p) => [p.name, p]));
  const initializers = [];
  const nodes = [];
  const weight = (i, field) => {
    const p = byName.get(`${i}.${field}`);
    if (!p) throw new Error(`onnx-model: layers[${i}]: no parameter ${i}.${field}`);
    initializers.push({ name: p.name, shape: p.shape, data: p.data });
    return p;
  };
  let current = 'x';
  let shape = [batch, ...inputShape];
  layers.forEach((layer, i) => {
    const out = i === layers.length - 1 ? 'y' : `h${i}`;
    const node = (op, inputs, attrs) => nodes.push({ op, inputs, outputs: [out], attrs });
    const [N, C, H, W] = shape;
    switch (layer.type) {
      case 'conv2d': {
        const w = weight(i, 'weight');
        const [K, , R, S] = w.shape;
        const inputs = [current, w.name];
        if (layer.bias !== false) inputs.push(weight(i, 'bias').name);
        const pad = layer.padding ?? 0;
        const strides = pair(layer.stride ?? 1);
        let pads = [0, 0, 0, 0];
        if (pad === 'same') pads = [(R - 1) >> 1, (S - 1) >> 1, R >> 1, S >> 1];
        else if (pad !== 'valid') pads = [...pair(pad), ...pair(pad)];
        node('Conv', inputs, { kernel_shape: [R, S], strides, pads });
        shape = [N, K, windows(H, R, strides[0], pads[0] + pads[2]), windows(W, S, strides[1], pads[1] + pads[3])];
        break;
      }
      case 'relu': node('Relu', [current]); break;
      case 'maxpool2d': {
        const k = pair(layer.kernel);
        const strides = pair(layer.stride ?? layer.kernel);
        node('MaxPool', [current], { kernel_shape: k, strides });
        shape = [N, C, windows(H, k[0], strides[0], 0), windows(W, k[1], strides[1], 0)];
        break;
      }
      case 'flatten':
        node('Flatten', [current], { axis: 1 });
        shape = [N, shape.slice(1).reduce((a, b) => a * b, 1)];
        break;
      case 'dense': {
        const w = weight(i, 'weight');
        node('Gemm', [current, w.name, weight(i, 'bias').name], { transB: 1 });
        shape = [N, w.shape[0]];
        break;
      }
      default: throw new Error(`onnx-model: layers[${i}].type: ${layer.type} is not translated`);
    }
    current = out;
  });
  return buildModel({ nodes, initializers, input: { name: 'x', shape: [batch, ...inputShape] }, output: { name: 'y', shape } });
}
