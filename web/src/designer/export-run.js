// export-run.js: "Export ONNX" / "Export PyTorch" of the training page. The run's network is
// described by the core (net.layers of the same design built in the page's core: the specs
// with their defaults filled in), its weights and buffers come from the worker's snapshot,
// and lib/export/ writes the file, which is then downloaded.

import { layersFor } from '../train/architectures.js';
import { saveBlob } from '../train/files.js';

// lib/export/ is loaded only when asked for. The path goes through a variable part so that
// the bundler includes whatever lib/<name>/index.js exists and a build without the exporter
// still succeeds; asking for it then fails here with the message below.
const EXPORTER_DIR = 'export';
async function exporter() {
  try {
    return await import(`../lib/${EXPORTER_DIR}/index.js`);
  } catch (error) {
    throw new Error(`the exporter (web/src/lib/export/index.js) is not part of this build (${error.message})`);
  }
}

// The network's layer specs as the core fills them in, for a 1 x side x side input.
export function filledLayers(cl, settings, side = 28) {
  const net = cl.sequential(layersFor(settings), { inputShape: [1, side, side], seed: 0 });
  try {
    return { layers: net.layers.map(({ index, outputShape, ...spec }) => spec), inputShape: [...net.inputShape] };
  } finally {
    net.dispose();
  }
}

// format: 'onnx' | 'pytorch'; snapshot: the worker's Run.snapshot().
export async function exportRun(cl, format, snapshot) {
  const { exportNetwork } = await exporter();
  const { layers, inputShape } = filledLayers(cl, snapshot.settings);
  const { filename, mime, data } = await exportNetwork(format, {
    layers,
    inputShape,
    parameters: snapshot.parameters,
    buffers: snapshot.buffers ?? [],
  });
  saveBlob(new Blob([data], { type: mime }), filename);
}
