// db.js: the compare panel's storage, IndexedDB database 'convlab-compare' (its own
// database beside the training page's 'convlab-train', whose version other code opens by
// number): the run archive, the queue of a ready comparison, and the student's drawings.
// An archived run's tensors (parameters, optimiser state, buffers) are kept in 'weights'
// under the same id, so that listing the archive (on the page thread) reads only the
// small part: names, settings, curves, accuracies.
// The page and both workers use it; every change is announced on the BroadcastChannel
// CHANNEL so that an open panel redraws. Errors reach the caller: nothing here swallows a
// failed write ("nothing lost" means a failure is shown).

import { bound, MAX_RUNS } from './archive-data.js';

const DB = 'convlab-compare';
const VERSION = 1;
export const CHANNEL = 'convlab-compare';
export const QUEUE_KEY = 'queue';

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      db.createObjectStore('archive', { keyPath: 'id', autoIncrement: true });
      db.createObjectStore('weights');
      db.createObjectStore('queue');
      db.createObjectStore('drawings', { keyPath: 'id', autoIncrement: true });
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('the compare database is blocked by another tab'));
  });
}

const req = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

// Runs fn(stores) in one transaction over `names`; resolves with fn's result once the
// transaction has committed, rejects if any part failed.
async function transact(names, mode, fn) {
  const db = await open();
  try {
    const tx = db.transaction(names, mode);
    const done = new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    try {
      result = await fn(stores);
    } catch (error) {
      try { tx.abort(); } catch { /* already finished */ }
      throw error;
    }
    await done;
    return result;
  } finally {
    db.close();
  }
}

let channel = null;
export function announce(msg) {
  if (typeof BroadcastChannel === 'undefined') return;
  channel ??= new BroadcastChannel(CHANNEL);
  channel.postMessage(msg);
}

// ---- the archive ---------------------------------------------------------------------------

// Adds an entry (archive-data.js archiveEntry) unless one with its fingerprint is there;
// drops the oldest beyond MAX_RUNS. queue: a queue record written in the same transaction
// (a ready comparison's progress moves exactly when its run is archived). Resolves to
// { id, duplicate, dropped: [names] }.
const TENSORS = ['parameters', 'optimizer', 'buffers'];

// entry.run split into its light part and its tensors.
function split(entry) {
  const light = { ...entry.run };
  const tensors = {};
  for (const k of TENSORS) {
    if (k in light) tensors[k] = light[k];
    delete light[k];
  }
  return [{ ...entry, run: light }, tensors];
}

export async function addRun(entry, { queue = null, max = MAX_RUNS } = {}) {
  const [light, tensors] = split(entry);
  const out = await transact(['archive', 'weights', 'queue'], 'readwrite', async ({ archive, weights, queue: q }) => {
    const all = await req(archive.getAll());
    const same = all.find((e) => e.fingerprint === entry.fingerprint);
    let id = same?.id;
    let dropped = [];
    if (!same) {
      id = await req(archive.add(light));
      await req(weights.put(tensors, id));
      const { drop } = bound([...all, { ...light, id }], max);
      for (const e of drop) {
        await req(archive.delete(e.id));
        await req(weights.delete(e.id));
      }
      dropped = drop.map((e) => e.name);
    }
    if (queue) await req(q.put(typeof queue === 'function' ? queue(id) : queue, QUEUE_KEY));
    return { id, duplicate: Boolean(same), dropped };
  });
  announce({ type: 'archive', ...out });
  return out;
}

export async function listRuns() {
  const all = await transact(['archive'], 'readonly', ({ archive }) => req(archive.getAll()));
  return all.sort((a, b) => a.addedAt - b.addedAt || a.id - b.id);
}

// The whole entry, tensors included (for the workers and downloads); null if gone.
export const getRun = (id) => transact(['archive', 'weights'], 'readonly', async ({ archive, weights }) => {
  const e = await req(archive.get(id));
  if (!e) return null;
  return { ...e, run: { ...e.run, ...(await req(weights.get(id))) } };
});

// Changes fields of an archived run (its name, its robustness curve), not its tensors.
export async function updateRun(id, patch) {
  await transact(['archive'], 'readwrite', async ({ archive }) => {
    const e = await req(archive.get(id));
    if (!e) throw new Error(`archive: run ${id} is no longer there`);
    await req(archive.put({ ...e, ...patch }));
  });
  announce({ type: 'archive', id });
}

export async function deleteRun(id) {
  await transact(['archive', 'weights'], 'readwrite', async ({ archive, weights }) => {
    await req(archive.delete(id));
    await req(weights.delete(id));
  });
  announce({ type: 'archive', id });
}

// ---- the queue of a ready comparison ---------------------------------------------------------

export const loadQueue = () => transact(['queue'], 'readonly', ({ queue }) => req(queue.get(QUEUE_KEY))).then((q) => q ?? null);

export async function saveQueue(q) {
  await transact(['queue'], 'readwrite', ({ queue }) => req(queue.put(q, QUEUE_KEY)));
  announce({ type: 'queue' });
}

// ---- drawings -------------------------------------------------------------------------------

export const listDrawings = () => transact(['drawings'], 'readonly', ({ drawings }) => req(drawings.getAll()));

export async function addDrawing(d) {
  const id = await transact(['drawings'], 'readwrite', ({ drawings }) => req(drawings.add(d)));
  announce({ type: 'drawings' });
  return id;
}

export async function deleteDrawing(id) {
  await transact(['drawings'], 'readwrite', ({ drawings }) => req(drawings.delete(id)));
  announce({ type: 'drawings' });
}
