// export.js: cl.exportONNX(net) and cl.exportPyTorch(net), a trained network as an ONNX model
// or as a PyTorch script (both in eval mode). The writers live in web/src/lib/export/ (pure
// JavaScript, shared with the training page's Export buttons) and are imported on first use:
// the ONNX writer brings protobufjs, which the rest of the API never needs and which, being
// CommonJS, would keep convlab.js from loading unbundled in a browser.
import { describe } from './args.js';

// The specs each network was built from, as given (copied), by network: net.layers reports
// each layer's type and output shape, the exporters also need its fields.
const built = new WeakMap();

/** Called by sequential() once the core has accepted `layers` for `net`; returns net. */
export function rememberLayers(net, layers) {
  try {
    built.set(net, structuredClone(layers));
  } catch {
    // A spec the core accepted but that cannot be copied: export then names the field it lacks.
  }
  return net;
}

async function model(net) {
  if (!built.has(net)) throw new TypeError(`net: expected a network from cl.sequential, got ${describe(net)}`);
  if (net.disposed) throw new Error('net: this network was disposed');
  const { exportNetwork, withReported } = await import('../src/lib/export/index.js');
  const layers = withReported(built.get(net), net.layers);
  const buffers = typeof net.buffers === 'function' ? net.buffers() : [];
  return { exportNetwork, layers, inputShape: net.inputShape, parameters: net.parameters(), buffers };
}

async function exportAs(format, net, rest, fn) {
  // Nothing to choose yet (opset, names): an options argument would be ignored, so it is refused.
  if (rest.some((a) => a !== undefined)) throw new RangeError(`options: ${fn} takes no options (only the network)`);
  const { exportNetwork, ...m } = await model(net);
  return exportNetwork(format, m).data;
}

export const exportApi = {
  /** The network as ONNX model bytes (opset 13; input "input" (batch, ...inputShape), output "output"). */
  exportONNX: (net, ...rest) => exportAs('onnx', net, rest, 'exportONNX'),
  /** The network as a self-contained Python script (torch nn.Sequential with its weights). */
  exportPyTorch: (net, ...rest) => exportAs('pytorch', net, rest, 'exportPyTorch'),
};
