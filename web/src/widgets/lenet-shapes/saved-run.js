// saved-run.js: reads the training page's current run from IndexedDB (database
// 'convlab-train', store 'runs', key 'current': { settings, parameters: [{ name, shape, data }] })
// so that lenet-shapes can show trained weights. Read-only; resolves to null when there is no
// run or storage is unavailable. The names must match the training page's store.
// DOM-free at import time (the lint imports widget modules in Node).

const DB = 'convlab-train';
const STORE = 'runs';
const KEY = 'current';

export function loadSavedRun() {
  return new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') { resolve(null); return; }
    let req;
    try {
      req = indexedDB.open(DB);
    } catch {
      resolve(null);
      return;
    }
    req.onerror = () => resolve(null);
    // Opening a database the training page never created must not create it here.
    req.onupgradeneeded = () => { req.transaction.abort(); };
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) { db.close(); resolve(null); return; }
      const get = db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
      get.onsuccess = () => { db.close(); resolve(get.result ?? null); };
      get.onerror = () => { db.close(); resolve(null); };
    };
  });
}
