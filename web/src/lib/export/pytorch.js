// pytorch.js: an export plan (plan.js) as a self-contained Python script that rebuilds the
// network with PyTorch's own modules in an nn.Sequential, so that its state_dict names are
// convlab's parameter and buffer names ("3.weight", "1.running_mean"), loads the trained
// tensors (embedded as base64 float32), and switches to eval mode. Run as a script it maps a
// file of float32 examples to a file of float32 outputs, which is how the tests run it.
// Only torch and numpy (which torch depends on) are needed.
import { base64, float32Bytes } from './bytes.js';

const tuple = (v) => (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`);
const py = (v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

// One module's constructor call per layer kind; `nested` lines are indented by the caller.
const MODULES = {
  conv2d: (n) => `nn.Conv2d(${n.in[0]}, ${n.out}, kernel_size=${tuple(n.kernel)}, stride=${tuple(n.stride)}, `
    + `padding=${n.same ? "'same'" : tuple(n.pads.slice(0, 2))}, dilation=${tuple(n.dilation)}, groups=${n.groups}, bias=${py(n.bias)})`,
  convtranspose2d: (n) => `nn.ConvTranspose2d(${n.in[0]}, ${n.out}, kernel_size=${tuple(n.kernel)}, stride=${tuple(n.stride)}, `
    + `padding=${tuple(n.padding)}, output_padding=${tuple(n.outputPadding)}, groups=${n.groups}, bias=${py(n.bias)}, dilation=${tuple(n.dilation)})`,
  maxpool2d: (n) => `nn.MaxPool2d(kernel_size=${tuple(n.kernel)}, stride=${tuple(n.stride)}, padding=${tuple(n.padding)}, `
    + `dilation=${tuple(n.dilation)}, ceil_mode=${py(n.ceilMode)})`,
  avgpool2d: (n) => `nn.AvgPool2d(kernel_size=${tuple(n.kernel)}, stride=${tuple(n.stride)}, padding=${tuple(n.padding)}, `
    + `ceil_mode=${py(n.ceilMode)}, count_include_pad=${py(n.countIncludePad)})`,
  globalavgpool2d: () => 'nn.AdaptiveAvgPool2d(1)',
  relu: () => 'nn.ReLU()',
  sigmoid: () => 'nn.Sigmoid()',
  tanh: () => 'nn.Tanh()',
  leakyrelu: (n) => `nn.LeakyReLU(negative_slope=${py(n.negativeSlope)})`,
  // convlab's softmax normalises each example as a whole; for a flat example that is dim=1.
  softmax: (n) => (n.in.length === 1 ? 'nn.Softmax(dim=1)' : 'FlatSoftmax()'),
  dropout: (n) => `nn.Dropout(p=${py(n.p)})`,
  flatten: () => 'nn.Flatten()',
  dense: (n) => `nn.Linear(${n.in[0]}, ${n.out}, bias=${py(n.bias)})`,
  batchnorm2d: (n) => `nn.BatchNorm2d(${n.in[0]}, eps=${py(n.eps)}, momentum=${py(n.momentum)})`,
  batchnorm1d: (n) => `nn.BatchNorm1d(${n.in[0]}, eps=${py(n.eps)}, momentum=${py(n.momentum)})`,
};

const HELPERS = {
  Residual: `class Residual(nn.Module):
    """output = input + layers(input), convlab's residual block."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.layers(x)
`,
  SequentialResidual: `class SequentialResidual(nn.Sequential):
    """output = input + the layers in order, convlab's residual block."""

    def forward(self, x):
        return x + super().forward(x)
`,
  FlatSoftmax: `class FlatSoftmax(nn.Module):
    """Softmax over each example's values taken together, as convlab's softmax layer."""

    def forward(self, x):
        return torch.softmax(x.flatten(1), dim=1).view_as(x)
`,
};

function moduleLines(nodes, indent, used) {
  const lines = [];
  for (const n of nodes) {
    const index = n.prefix.split('.').pop();
    if (n.type === 'residual') {
      const name = n.flat ? 'SequentialResidual' : 'Residual';
      used.add(name);
      lines.push(`${indent}${name}(  # ${index}`, ...moduleLines(n.body, `${indent}    `, used), `${indent}),`);
      continue;
    }
    const call = MODULES[n.type](n);
    if (call.startsWith('FlatSoftmax')) used.add('FlatSoftmax');
    lines.push(`${indent}${call},  # ${index}`);
  }
  return lines;
}

function tensorLines(nodes) {
  const lines = [];
  for (const n of nodes) {
    for (const t of [...Object.values(n.weights), ...Object.values(n.state)]) {
      lines.push(`    '${t.name}': (${tuple(t.shape)}, '${base64(float32Bytes(t.data))}'),`);
    }
    if (n.body) lines.push(...tensorLines(n.body));
  }
  return lines;
}

/** The Python source of a script that rebuilds plan's network in PyTorch (see the file's head). */
export function pytorchScript(plan) {
  const used = new Set();
  const modules = moduleLines(plan.nodes, '    ', used);
  const helpers = Object.entries(HELPERS).filter(([k]) => used.has(k)).map(([, text]) => text);
  const input = tuple(plan.inputShape);
  return `#!/usr/bin/env python3
"""A network trained in convlab, rebuilt with PyTorch's modules.

nn.Sequential with convlab's layer order, so the state_dict names are convlab's parameter and
buffer names; the trained values are embedded below and loaded, and the model is in eval mode
(batch norm uses its running statistics, dropout passes its input through).

    from convlab_model import model     # model(x), x of shape (N, ${plan.inputShape.join(', ')})
    python3 convlab_model.py input.f32 output.f32
        reads float32 little-endian examples of shape ${input} and writes the outputs
        (N, ${plan.outputShape.join(', ')}) as float32 little-endian.
"""
import base64
import sys

import numpy
import torch
from torch import nn

INPUT_SHAPE = ${input}

${helpers.map((h) => `\n${h}\n`).join('')}
model = nn.Sequential(
${modules.join('\n')}
)

# name: (shape, base64 of the float32 little-endian values)
TENSORS = {
${tensorLines(plan.nodes).join('\n')}
}


def _floats(raw, shape):
    # '<f4' then a native copy: the files are little-endian whatever this machine is.
    return torch.from_numpy(numpy.frombuffer(raw, dtype='<f4').astype(numpy.float32).reshape(shape))


def _state():
    state = {}
    for name, (shape, text) in TENSORS.items():
        value = _floats(base64.b64decode(text), shape)
        # PyTorch counts batches in an int64 scalar; convlab stores the count as a float.
        state[name] = value.reshape(()).long() if name.endswith('num_batches_tracked') else value
    return state


model.load_state_dict(_state(), strict=True)
model.eval()


def main(argv):
    if len(argv) != 3:
        sys.exit('usage: python3 %s input.f32 output.f32' % argv[0])
    with open(argv[1], 'rb') as f:
        x = _floats(f.read(), (-1,) + INPUT_SHAPE)
    with torch.no_grad():
        y = model(x)
    with open(argv[2], 'wb') as f:
        f.write(y.contiguous().numpy().astype('<f4').tobytes())


if __name__ == '__main__':
    main(sys.argv)
`;
}
