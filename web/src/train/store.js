// store.js: the run kept across reloads, in IndexedDB (available to the page and to the
// worker alike: the worker saves the run it trains, the page reads it back at start-up and
// after a worker died). One record, 'current'; a stored run that fails its check is moved
// to 'aside', so that it is neither lost nor loaded again.

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

export async function save(snapshot, key = CURRENT) {
  await transact('readwrite', (s) => s.put({ ...snapshot, savedAt: Date.now() }, key));
}

export async function clearSaved(key = CURRENT) {
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
    await clearSaved();
  }
}
