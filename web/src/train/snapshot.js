// snapshot.js: a training run as a downloadable JSON file and back. Parameters and momentum
// buffers travel as base64 of their little-endian float32 bytes: exact, and a third of
// decimal text. Reading a file decodes it and then checks all of it (schema.js); a file of
// version 1 (before the momentum buffers were saved) still loads, its momentum restarts.

import { checkHeader, checkRun } from './schema.js';

function toBase64(f32) {
  const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text, name) {
  let s;
  try {
    s = atob(text);
  } catch {
    throw new Error(`${name}: not base64`);
  }
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
  if (snapshot.buffers) file.buffers = encodeTensors(snapshot.buffers);
  return new Blob([JSON.stringify(file)], { type: 'application/json' });
}

// Parses and checks a downloaded run; throws an Error naming what is wrong with the file.
// limits: see checkRun.
export function fromFile(text, limits) {
  let file;
  try {
    file = JSON.parse(text);
  } catch {
    throw new Error('this file is not JSON');
  }
  checkHeader(file);
  const parameters = decodeTensors(file.parameters, 'parameters');
  // Version 2 always has the momentum buffers ([] when there were none yet); version 1 never.
  const optimizer = file.version === 1 ? undefined : decodeTensors(file.optimizer, 'optimizer');
  const buffers = file.buffers === undefined ? undefined : decodeTensors(file.buffers, 'buffers');
  return checkRun({ ...file, parameters, optimizer, buffers }, limits);
}
