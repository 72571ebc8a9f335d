// onnx.js: an export plan (plan.js) as an ONNX model (opset 13, IR version 7), encoded with
// onnx-proto (protobufjs's static module of onnx.proto). The graph is the network in eval mode,
// for inference: one input named "input" of shape (batch, ...inputShape) with a symbolic batch
// dimension, one output named "output", the trained tensors as initializers under convlab's
// names. Batch norm uses its running statistics (num_batches_tracked, a training counter, has
// no ONNX counterpart and is left out), dropout is ONNX's Dropout in inference mode (identity).
import onnxProto from 'onnx-proto';
import { float32Bytes } from './bytes.js';

const { onnx } = onnxProto;
const OPSET = 13;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const { INT, INTS, FLOAT: FLOAT_ATTR } = onnx.AttributeProto.AttributeType;

const ints = (name, v) => ({ name, type: INTS, ints: v });
const int = (name, v) => ({ name, type: INT, i: v });
const float = (name, v) => ({ name, type: FLOAT_ATTR, f: v });

// A graph under construction: its nodes and its initializers (the constant tensors).
class Graph {
  nodes = [];
  initializers = [];

  node(opType, inputs, output, attribute = []) {
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }

  floats(t) {
    this.initializers.push({ name: t.name, dims: t.shape, dataType: FLOAT, rawData: float32Bytes(t.data) });
    return t.name;
  }

  int64s(name, values) {
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  scalar(name, value) {
    this.initializers.push({ name, dims: [], dataType: FLOAT, rawData: float32Bytes([value]) });
    return name;
  }
}

const weightInputs = (g, n) => [g.floats(n.weights.weight), ...(n.weights.bias ? [g.floats(n.weights.bias)] : [])];

// Per layer kind: its nodes from tensor x, returning the name of its output (`y`).
const NODES = {
  conv2d: (g, n, x, y) => g.node('Conv', [x, ...weightInputs(g, n)], y, [
    ints('kernel_shape', n.kernel), ints('strides', n.stride), ints('pads', n.pads), ints('dilations', n.dilation), int('group', n.groups)]),
  convtranspose2d: (g, n, x, y) => g.node('ConvTranspose', [x, ...weightInputs(g, n)], y, [
    ints('kernel_shape', n.kernel), ints('strides', n.stride), ints('pads', [...n.padding, ...n.padding]),
    ints('output_padding', n.outputPadding), ints('dilations', n.dilation), int('group', n.groups)]),
  maxpool2d: (g, n, x, y) => pool(g, n, y, (out) => g.node('MaxPool', [x], out, [
    ints('kernel_shape', n.kernel), ints('strides', n.stride), ints('pads', [...n.padding, ...n.padding]),
    ints('dilations', n.dilation), int('ceil_mode', Number(n.ceilMode))])),
  avgpool2d: (g, n, x, y) => pool(g, n, y, (out) => g.node('AveragePool', [x], out, [
    ints('kernel_shape', n.kernel), ints('strides', n.stride), ints('pads', [...n.padding, ...n.padding]),
    int('ceil_mode', Number(n.ceilMode)), int('count_include_pad', Number(n.countIncludePad))])),
  globalavgpool2d: (g, n, x, y) => g.node('GlobalAveragePool', [x], y),
  relu: (g, n, x, y) => g.node('Relu', [x], y),
  sigmoid: (g, n, x, y) => g.node('Sigmoid', [x], y),
  tanh: (g, n, x, y) => g.node('Tanh', [x], y),
  leakyrelu: (g, n, x, y) => g.node('LeakyRelu', [x], y, [float('alpha', n.negativeSlope)]),
  // convlab's softmax normalises each example as a whole: flatten it first when it is not flat.
  softmax: (g, n, x, y) => {
    if (n.in.length === 1) return g.node('Softmax', [x], y, [int('axis', 1)]);
    const flat = g.node('Flatten', [x], `${y}/flat`, [int('axis', 1)]);
    const soft = g.node('Softmax', [flat], `${y}/softmax`, [int('axis', 1)]);
    return g.node('Reshape', [soft, g.int64s(`${y}/shape`, [-1, ...n.in])], y);
  },
  dropout: (g, n, x, y) => g.node('Dropout', [x, g.scalar(`${y}/ratio`, n.p)], y),
  flatten: (g, n, x, y) => g.node('Flatten', [x], y, [int('axis', 1)]),
  dense: (g, n, x, y) => g.node('Gemm', [x, ...weightInputs(g, n)], y, [int('transB', 1)]),
  batchnorm2d: (g, n, x, y) => batchnorm(g, n, x, y),
  batchnorm1d: (g, n, x, y) => batchnorm(g, n, x, y),
  residual: (g, n, x, y) => g.node('Add', [x, chain(g, n.body, x)], y),
};

// In ceil mode ONNX keeps a last window that starts in the right padding, where PyTorch (and
// convlab) drop it: the windows before it are the same, so slicing it off gives PyTorch's output.
function pool(g, n, y, node) {
  if (!n.dropsLast.some(Boolean)) return node(y);
  const pooled = node(`${y}/pooled`);
  return g.node('Slice', [pooled, g.int64s(`${y}/starts`, [0, 0]), g.int64s(`${y}/ends`, n.outShape.slice(1)),
    g.int64s(`${y}/axes`, [2, 3])], y);
}

// ONNX's momentum weighs the running value (PyTorch's weighs the new batch); only training reads it.
function batchnorm(g, n, x, y) {
  const s = n.state;
  return g.node('BatchNormalization', [x, ...weightInputs(g, n), g.floats(s.running_mean), g.floats(s.running_var)], y, [
    float('epsilon', n.eps), float('momentum', 1 - n.momentum)]);
}

// The nodes of a list of layers from tensor x; returns the last one's output name.
function chain(g, nodes, x, last) {
  let t = x;
  nodes.forEach((n, i) => {
    t = NODES[n.type](g, n, t, last && i === nodes.length - 1 ? last : `${n.prefix}:${n.type}`);
  });
  return t;
}

const valueInfo = (name, shape) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] } } },
});

/** The bytes of an ONNX model of plan's network (see the file's head). */
export function onnxModel(plan) {
  const g = new Graph();
  chain(g, plan.nodes, 'input', 'output');
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'convlab',
    graph: {
      name: 'convlab',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', plan.inputShape)],
      output: [valueInfo('output', plan.outputShape)],
    },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  // A plain Uint8Array of its own (protobufjs hands out a Buffer, or a view of a larger pool).
  return new Uint8Array(bytes);
}
