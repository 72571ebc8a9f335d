// protocol.js: the messages between the training page and its worker, in one place that
// both import: each message's type and fields, built by the functions below so that the
// two sides cannot drift apart. Every message is a plain object { type, ...fields }.
//
// While running, the worker posts `progress` at least every PROGRESS_MS; the page treats
// HANG_MS without any message as a worker that stopped answering (see client.js).

export const PROGRESS_MS = 150;
export const FILTERS_MS = 600;
export const HANG_MS = 5000;
// The worker saves the run it trains (IndexedDB) about this often, and on pause.
export const SAVE_MS = 1000;

// Page -> worker.
export const toWorker = {
  // data: the data set; saved: a run to continue (checked by the worker before use).
  init: (data, settings, saved) => ({ type: 'init', data, settings, saved: saved ?? undefined }),
  reset: (settings, saved) => ({ type: 'reset', settings, saved: saved ?? undefined }),
  start: () => ({ type: 'start' }),
  pause: () => ({ type: 'pause' }),
  // pixels: side * side bytes of a digit.
  inspect: (id, pixels) => ({ type: 'inspect', id, pixels }),
  snapshot: (id) => ({ type: 'snapshot', id }),
  // For the tests: die with an error, or stop silently as a killed worker does; and the
  // worker's memory figures.
  crash: () => ({ type: 'crash' }),
  close: () => ({ type: 'close' }),
  memory: () => ({ type: 'memory' }),
  // The designer's table of a design (designer/analyse.js), built in the worker's core.
  analyse: (id, design, inputShape) => ({ type: 'analyse', id, design, inputShape }),
};

// Worker -> page.
export const fromWorker = {
  // accepted: the run came from `saved`; curves: the whole (bounded) curves, once.
  ready: ({ settings, progress, curves, filters, layerNames, accepted }) => ({ type: 'ready', settings, progress, curves, filters, layerNames, accepted }),
  // points: only the curve points recorded since the previous message ({ train, test }).
  progress: (fields) => ({ type: 'progress', ...fields }),
  eval: (e) => ({ type: 'eval', epoch: e.epoch, loss: e.loss, acc: e.acc, predictions: e.predictions, confusion: e.confusion }),
  filters: (filters) => ({ type: 'filters', filters }),
  snapshot: (id, snapshot) => ({ type: 'snapshot', id, snapshot }),
  saved: (steps) => ({ type: 'saved', steps }),
  state: (state) => ({ type: 'state', state }),
  diverged: (loss, lr, epochs) => ({ type: 'diverged', loss: String(loss), lr: lr ?? null, epochs }),
  inspection: (id, result) => ({ type: 'inspection', id, ...result }),
  // refused: a run offered by reset/init failed its check; the worker kept its current one.
  error: (message, during, refused = false) => ({ type: 'error', message, during, refused }),
  // heapBytes: the WebAssembly memory's size; mallocBytes: bytes allocated in it;
  // jsAllocations: blocks the JS wrapper has allocated so far (training allocates none);
  // steps: the run's step count at this moment (the tests measure what an interruption loses).
  analysis: (id, analysis) => ({ type: 'analysis', id, analysis }),
  memory: ({ heapBytes, mallocBytes, jsAllocations }, steps) => ({ type: 'memory', heapBytes, mallocBytes, jsAllocations, steps }),
};
