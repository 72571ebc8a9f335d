// index.js: exporting a trained network, as the training page's Export buttons and the public
// API (web/bindings/export.js) call it. Pure JavaScript, no core: the network arrives as plain
// data, the specs as net.layers reports them and the tensors as net.parameters() /
// net.buffers() return them. Both formats describe the network in eval mode.
import { onnxModel } from './onnx.js';
import { planNetwork } from './plan.js';
import { pytorchScript } from './pytorch.js';

export { EXPORTABLE, tensorShapes } from './plan.js';

/**
 * The specs a network was built from (`given`), overlaid with what `net.layers` reports for
 * each (type, index, outputShape: the core's view wins; outputShape is then cross-checked), into
 * a residual block's layers too: the exporters need every field, net.layers reports shapes.
 */
export function withReported(given, reported) {
  return reported.map((r, i) => {
    const g = given?.[i];
    const m = { ...g, ...r };
    if (Array.isArray(g?.layers) && Array.isArray(r.layers)) m.layers = withReported(g.layers, r.layers);
    return m;
  });
}

const FORMATS = {
  onnx: (plan) => ({ filename: 'convlab-model.onnx', mime: 'application/octet-stream', data: onnxModel(plan) }),
  // A Python module name (an underscore, no dash), so the file can also be imported.
  pytorch: (plan) => ({ filename: 'convlab_model.py', mime: 'text/x-python', data: pytorchScript(plan) }),
};

/**
 * exportNetwork('onnx' | 'pytorch', { layers, inputShape, parameters, buffers = [] })
 *   -> { filename, mime, data }: data is a Uint8Array (ONNX) or a string (the Python script).
 * Throws an Error naming the layer ("layers[3]: ...; cannot be exported") for a network the
 * format cannot express exactly, and naming the argument for malformed input.
 */
export function exportNetwork(format, model) {
  if (!Object.hasOwn(FORMATS, format)) {
    throw new RangeError(`format: expected one of ${Object.keys(FORMATS).map((f) => `'${f}'`).join(', ')}, got ${typeof format === 'string' ? `'${format}'` : typeof format}`);
  }
  return FORMATS[format](planNetwork(model));
}
