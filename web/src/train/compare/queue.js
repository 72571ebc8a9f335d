// queue.js: the ready comparisons the lessons link to (train.html?compare=NAME) and the
// queue record that runs one of them: its runs in turn, in the compare worker, each
// archived as it finishes. The record is stored (compare/db.js), so a reload resumes the
// queue; a run interrupted by the reload starts again from its beginning, finished ones
// stay. Every comparison is short (EPOCHS epochs per run, said on screen): enough to see
// the difference the lesson is about, not to reach each recipe's best accuracy.

export const EPOCHS = 2;

// Settings are partial: the page's defaults (settings.js) fill in the rest.
const CE = { loss: 'softmax-cross-entropy' };
export const READY = Object.freeze({
  'weight-sharing': {
    title: 'Weight sharing: LeNet-5 vs the MLP',
    about: 'LeNet-5 (61,706 parameters, its kernels shared over every position) against the MLP 784-128-64-10 (109,386 parameters, one weight per pixel and unit), same recipe.',
    items: [
      { label: 'LeNet-5', settings: { arch: 'lenet5' } },
      { label: 'MLP 784-128-64-10', settings: { arch: 'mlp' } },
    ],
  },
  'batch-size': {
    title: 'Batch size (eq. 1.2): 1, 32 and all 8,000',
    about: 'Plain SGD (no momentum, constant learning rate, no shifts, cross-entropy) with batch 1 (lr 0.01), 32 (lr 0.1) and all (steepest descent, lr 0.5: one step per epoch, each taking seconds and about 1 GB of memory). Per epoch, a larger batch makes fewer, more exact steps.',
    items: [
      { label: 'batch 1', settings: { ...CE, batch: 1, lr: 0.01, momentum: 0, schedule: 'constant', shift: 0 } },
      { label: 'batch 32', settings: { ...CE, batch: 32, lr: 0.1, momentum: 0, schedule: 'constant', shift: 0 } },
      { label: 'batch all', settings: { ...CE, batch: 'all', lr: 0.5, momentum: 0, schedule: 'constant', shift: 0 } },
    ],
  },
  optimizers: {
    title: 'Optimisers: SGD, SGD with momentum, Adam',
    about: "LeNet-5 with cross-entropy, batch 32, each optimiser at a usual learning rate: SGD 0.05, SGD with momentum 0.9 at 0.02, Adam at torch's default 0.001.",
    items: [
      { label: 'SGD', settings: { ...CE, lr: 0.05, momentum: 0 } },
      { label: 'SGD, momentum 0.9', settings: { ...CE, lr: 0.02, momentum: 0.9 } },
      { label: 'Adam', settings: { ...CE, optimizer: 'adam', lr: 0.001, momentum: 0 } },
    ],
  },
  shifts: {
    title: 'Random shifts: without and with',
    about: 'LeNet-5, default recipe, trained on the digits as they are and with every training digit shifted by up to 2 pixels in x and y; then both tested on held-out digits shifted by 0-4 pixels.',
    items: [
      { label: 'no shifts', settings: { shift: 0 }, robustness: true },
      { label: 'shifts up to 2 px', settings: { shift: 2 }, robustness: true },
    ],
  },
});

// The comparison named in the page's query and the test-only overrides: compareEpochs
// (epochs per run, instead of EPOCHS) and compareLimit (train and test on the first N
// training and held-out digits only), so that a browser test runs a queue in seconds.
// Returns null without ?compare; throws naming the parameter for a bad value.
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const name = q.get('compare');
  if (name === null) return null;
  if (!Object.hasOwn(READY, name)) throw new Error(`compare: no ready comparison "${name}" (there are ${Object.keys(READY).join(', ')})`);
  const int = (key, lo, hi) => {
    const v = q.get(key);
    if (v === null) return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${key}: expected an integer in [${lo}, ${hi}], got "${v}"`);
    return n;
  };
  return { name, epochs: int('compareEpochs', 1, 200), limit: int('compareLimit', 10, 8000) };
}

// A fresh queue record for a comparison.
export function newQueue({ name, epochs = 0, limit = 0 }) {
  const c = READY[name];
  return {
    name,
    title: c.title,
    epochs: epochs || EPOCHS,
    limit,
    state: 'pending',
    createdAt: Date.now(),
    items: c.items.map((i) => ({ label: i.label, settings: i.settings, robustness: Boolean(i.robustness), status: 'pending', id: null, error: null })),
  };
}

// One sentence saying what the queue runs, for the screen.
export function describeQueue(q) {
  const size = q.limit ? `the first ${q.limit} training and ${q.limit} held-out digits (a test setting)` : 'the 8,000 training digits, tested on the 2,000 held-out ones';
  return `${q.items.length} runs of ${q.epochs} epoch${q.epochs === 1 ? '' : 's'} each on ${size}, one after another in a worker; each is archived as it finishes.`;
}

export const finished = (q) => q.items.every((i) => i.status === 'done' || i.status === 'failed');
