// store.js: the run kept across reloads, in IndexedDB (available to the page and to the
// worker alike: the worker saves the run it trains, the page reads it back at start-up and
// after a worker died). One record, 'current'; a stored run that fails its check is moved
// to 'aside', so that it is neither lost nor loaded again.
//
// Runs also go to the compare panel's archive (compare/db.js): a finished run when it is
// saved with its final evaluation, and a run that is replaced (a reset, or a new run's first
// save over it), as it was last saved. Archiving happens here, where every run passes, whichever path replaced it. A
// failed archive write is announced on the compare channel (the panel shows it); it does
// not stop the run being saved.

import { archiveEntry, droppedNote, hasFinalEval } from './compare/archive-data.js';
import { checkRun } from './schema.js';
import { addRun, announce } from './compare/db.js';

const DB = 'convlab-train';
const STORE = 'runs';
export const CURRENT = 'current';
export const ASIDE = 'aside';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function transact(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

// Resolves to the stored record or null; never rejects (storage may be disabled).
export async function loadSaved(key = CURRENT) {
  try {
    return (await transact('readonly', (s) => s.get(key))) ?? null;
  } catch {
    return null;
  }
}

// The settings and step count of the run last seen in CURRENT (undefined: not read yet).
let known;
const identity = (r) => (r ? { settings: JSON.stringify(r.settings), steps: r.progress?.steps ?? 0 } : null);
const sameRun = (a, b) => a && b && a.settings === b.settings && b.steps >= a.steps;

async function archive(snapshot) {
  if (!snapshot?.progress || !(snapshot.progress.steps > 0)) return;
  try {
    // Checked as any stored run is (a run kept aside must not reach the archive); the
    // position bound is the data set's, unknown here, so only its type is checked.
    const run = checkRun(snapshot, { nTrain: 1e6 });
    const entry = archiveEntry(run, { heldOut: run.heldOut ?? 2000 });
    const { dropped } = await addRun(entry);
    if (dropped.length) announce({ type: 'archive-note', message: droppedNote(dropped) });
  } catch (error) {
    announce({ type: 'archive-error', message: `A run could not be archived: ${error?.message ?? error}` });
  }
}

export async function save(snapshot, key = CURRENT) {
  if (key === CURRENT) {
    const next = identity(snapshot);
    if (known === undefined) known = identity(await loadSaved());
    if (known && !sameRun(known, next)) await archive(await loadSaved());
  }
  await transact('readwrite', (s) => s.put({ ...snapshot, savedAt: Date.now() }, key));
  if (key === CURRENT) {
    known = identity(snapshot);
    if (hasFinalEval(snapshot)) await archive(snapshot);
  }
}

// archive: keep a run that is being cleared (a reset) in the archive first.
export async function clearSaved(key = CURRENT, { archive: keep = true } = {}) {
  if (key === CURRENT && keep) {
    const old = await loadSaved();
    if (old) await archive(old); // a finished run is there already: the same fingerprint
    known = null;
  }
  try {
    await transact('readwrite', (s) => s.delete(key));
  } catch {
    // nothing saved, nothing to clear
  }
}

// Moves a stored run that cannot be loaded to ASIDE (replacing an older one there).
export async function setAside(record) {
  try {
    await transact('readwrite', (s) => {
      s.put(record, ASIDE);
      return s.delete(CURRENT);
    });
  } catch {
    await clearSaved(CURRENT, { archive: false });
  }
}
