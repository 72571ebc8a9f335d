// archive-data.js: the run archive as data, without storage: what one archived run holds,
// the bound on how many are kept, the final held-out accuracy and its standard error. The
// page, the workers and the Node tests share these; compare/db.js stores them.

// At most this many runs are kept; adding one more drops the oldest (and says so).
export const MAX_RUNS = 20;

// Standard error of an accuracy p measured on n independent held-out examples: the
// binomial sqrt(p (1 - p) / n).
export function standardError(p, n) {
  if (!(n > 0) || !(p >= 0 && p <= 1)) return NaN;
  return Math.sqrt((p * (1 - p)) / n);
}

// The held-out accuracy a run ended with and the epoch it was measured at: its last
// evaluation, else the last point of its held-out curve (a run restored and stopped before
// re-evaluating); nulls before any.
export function finalAccuracy(snapshot) {
  if (snapshot.lastEval && Number.isFinite(snapshot.lastEval.acc)) return { acc: snapshot.lastEval.acc, epoch: snapshot.lastEval.epoch };
  const t = snapshot.curves?.test ?? { x: [], acc: [] };
  return t.acc.length ? { acc: t.acc[t.acc.length - 1], epoch: t.x[t.x.length - 1] } : { acc: null, epoch: null };
}

// True once a run is done and its last evaluation, the one at the end of the schedule, is
// in: a run is saved as done while that evaluation still runs, with the previous one's
// accuracy.
export function hasFinalEval(snapshot) {
  return Boolean(snapshot.progress?.done) && finalAccuracy(snapshot).epoch >= snapshot.settings.epochs - 1e-9;
}

// Identifies one state of one run, so that the same finished run saved twice (at its end
// and again after a reload) is archived once.
export function fingerprint(snapshot) {
  const t = snapshot.curves?.train ?? { x: [], loss: [] };
  return JSON.stringify([snapshot.settings, snapshot.progress?.steps, snapshot.progress?.epoch, snapshot.progress?.position, t.loss.length, t.loss[0] ?? null, t.loss[t.loss.length - 1] ?? null, finalAccuracy(snapshot).epoch]);
}

export function defaultName(settings, status) {
  const arch = settings.arch === 'custom' ? 'custom design' : settings.arch === 'lenet5' ? 'LeNet-5' : settings.arch.toUpperCase();
  const opt = settings.optimizer && settings.optimizer !== 'sgd' ? `${settings.optimizer}, ` : settings.momentum > 0 ? `momentum ${settings.momentum}, ` : '';
  return `${arch}, ${settings.dataset}, batch ${settings.batch}, ${opt}lr ${settings.lr}, shift ${settings.shift}, seed ${settings.seed}${status === 'stopped' ? ' (stopped)' : ''}`;
}

// One archive entry (without its id, which the store assigns). snapshot: Run.snapshot() or
// a checked run file; heldOut: the held-out examples its accuracy was measured on. A run
// is 'finished' once its final evaluation is in, 'stopped' before.
export function archiveEntry(snapshot, { name, heldOut, source = 'page' }) {
  if (!Number.isInteger(heldOut) || heldOut <= 0) throw new Error(`heldOut: expected a positive integer, got ${heldOut}`);
  const st = hasFinalEval(snapshot) ? 'finished' : 'stopped';
  const { acc, epoch } = finalAccuracy(snapshot);
  return {
    name: name ?? defaultName(snapshot.settings, st),
    status: st,
    source,
    addedAt: Date.now(),
    fingerprint: fingerprint(snapshot),
    acc,
    accEpoch: epoch, // the epoch the accuracy was measured at
    n: heldOut,
    robustness: null, // { shifts: [0..4], acc: [...], n } once measured
    run: snapshot,
  };
}

// Which entries stay and which go when `list` (any order) holds more than `max`: the
// oldest (by addedAt, then id) are dropped.
export function bound(list, max = MAX_RUNS) {
  const sorted = [...list].sort((a, b) => a.addedAt - b.addedAt || (a.id ?? 0) - (b.id ?? 0));
  const excess = Math.max(0, sorted.length - max);
  return { keep: sorted.slice(excess), drop: sorted.slice(0, excess) };
}

// What to tell the student when adding a run pushed older ones out ('' if none).
export function droppedNote(names) {
  return names.length ? `The archive keeps the latest ${MAX_RUNS} runs: the oldest was dropped (${names.join('; ')}).` : '';
}
