// store.js: keeps the current run across reloads (IndexedDB: settings, parameters, momentum
// buffers, curves, position) and turns a run into a downloadable JSON file and back.
// Parameters and momentum buffers travel in the file as base64 of their little-endian
// float32 bytes: exact, and a third of decimal text. Files of version 1 (before the momentum
// buffers were saved) still load; such a run restarts its momentum.

import { SNAPSHOT_VERSIONS } from './recipe.js';

const DB = 'convlab-train';
const STORE = 'runs';
const KEY = 'current';

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

// Resolves to the saved snapshot or null; never rejects (storage may be disabled).
export async function loadSaved() {
  try {
    return (await transact('readonly', (s) => s.get(KEY))) ?? null;
  } catch {
    return null;
  }
}

export async function save(snapshot) {
  await transact('readwrite', (s) => s.put({ ...snapshot, savedAt: Date.now() }, KEY));
}

export async function clearSaved() {
  try {
    await transact('readwrite', (s) => s.delete(KEY));
  } catch {
    // nothing saved, nothing to clear
  }
}

function toBase64(f32) {
  const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text, name) {
  const s = atob(text);
  if (s.length % 4 !== 0) throw new Error(`${name}: not a whole number of float32 values`);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

// [{ name, shape, data }] -> [{ name, shape, base64 }] and back; `field` names the list in
// errors.
function encodeTensors(list) {
  return list.map((p) => ({ name: p.name, shape: p.shape, base64: toBase64(Float32Array.from(p.data)) }));
}

function decodeTensors(list, field) {
  if (!Array.isArray(list)) throw new Error(`${field}: missing`);
  return list.map((p, i) => {
    if (typeof p?.name !== 'string' || !Array.isArray(p.shape) || typeof p.base64 !== 'string') throw new Error(`${field}[${i}]: expected { name, shape, base64 }`);
    const data = fromBase64(p.base64, `${field}[${i}]`);
    if (data.length !== p.shape.reduce((a, b) => a * b, 1)) throw new Error(`${field}[${i}] (${p.name}): ${data.length} values for shape [${p.shape}]`);
    return { name: p.name, shape: p.shape, data };
  });
}

export function toFile(snapshot) {
  const file = { ...snapshot, parameters: encodeTensors(snapshot.parameters) };
  if (snapshot.optimizer) file.optimizer = encodeTensors(snapshot.optimizer);
  return new Blob([JSON.stringify(file)], { type: 'application/json' });
}

// Parses a downloaded run; throws an Error saying what is wrong with the file.
export function fromFile(text) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    throw new Error('this file is not JSON');
  }
  if (file?.format !== 'convlab-train-run') throw new Error('this file is not a convlab training run (format field missing)');
  if (!SNAPSHOT_VERSIONS.includes(file.version)) throw new Error(`unsupported run file version ${file.version}`);
  const parameters = decodeTensors(file.parameters, 'parameters');
  // Version 2 always has the momentum buffers ([] when there were none yet); version 1 never.
  if (file.version === 1) return { ...file, parameters, optimizer: undefined };
  return { ...file, parameters, optimizer: decodeTensors(file.optimizer, 'optimizer') };
}
