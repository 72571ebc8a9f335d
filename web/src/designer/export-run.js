// export-run.js: "Export ONNX" / "Export PyTorch" of the training page. The run's network is
// described by its design's specs and the output shapes the page's core computes for them;
// its weights and buffers come from the worker's snapshot; lib/export/ writes the file, which
// is then downloaded.

import { layersFor } from '../train/architectures.js';
import { saveBlob } from '../train/files.js';

// The network's layer specs, each with the output shape the core computes for it (the
// exporter cross-checks it against PyTorch's rule), for a 1 x side x side input.
export function filledLayers(cl, settings, withReported, side = 28) {
  const given = layersFor(settings);
  const net = cl.sequential(given, { inputShape: [1, side, side], seed: 0 });
  try {
    return { layers: withReported(given, net.layers), inputShape: [...net.inputShape] };
  } finally {
    net.dispose();
  }
}

// format: 'onnx' | 'pytorch'; snapshot: the worker's Run.snapshot().
export async function exportRun(cl, format, snapshot) {
  // Loaded only when asked for: the ONNX writer brings protobufjs, which nothing else needs.
  const { exportNetwork, withReported } = await import('../lib/export/index.js');
  const { layers, inputShape } = filledLayers(cl, snapshot.settings, withReported);
  const { filename, mime, data } = await exportNetwork(format, {
    layers,
    inputShape,
    parameters: snapshot.parameters,
    buffers: snapshot.buffers ?? [],
  });
  saveBlob(new Blob([data], { type: mime }), filename);
}
