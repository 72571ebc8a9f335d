// messages.js: the messages between the compare panel and its worker (compare/worker.js),
// built in one place as protocol.js does for the training worker.

export const toCompareWorker = {
  // queue: the stored queue record (see queue.js); its pending items are trained in turn.
  queue: (queue) => ({ type: 'queue', queue }),
  stop: () => ({ type: 'stop' }),
  robustness: (id) => ({ type: 'robustness', id }),
  // source: { kind: 'archive', id } | { kind: 'current' }; drawings: [{ label, pixels }].
  drawings: (source, drawings) => ({ type: 'drawings', source, drawings }),
};

export const fromCompareWorker = {
  queue: (queue) => ({ type: 'queue', queue: structuredClone(queue) }),
  // index: the queue item; epochs of total; phase: what it does beyond training.
  progress: (index, epochs, total, phase = 'training') => ({ type: 'progress', index, epochs, total, phase }),
  note: (message) => ({ type: 'note', message }),
  robustness: (id, result) => ({ type: 'robustness', id, result }),
  drawings: (source, result) => ({ type: 'drawings', source, ...result }),
  error: (message, during, id = null) => ({ type: 'error', message, during, id }),
};
