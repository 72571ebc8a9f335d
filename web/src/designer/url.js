// url.js: a design in a link: `#design=<base64url of its JSON>` (UTF-8, no padding). The JSON
// is the design as the student set it (fields left at their defaults are absent), so a
// LeNet-5 link is about 300 characters. Decoding treats the text as hostile: length, base64,
// JSON and the design's structure (model.js) are checked, each failure named. DOM-free
// apart from the `location` / `history` helpers at the end.

import { checkDesignData } from './model.js';

export const HASH_KEY = 'design';
// Longer links than this are refused before decoding (MAX_LAYERS layers of a few fields fit).
export const MAX_ENCODED = 12000;

function toBase64Url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('design link: not base64url text');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let s;
  try {
    s = atob(b64);
  } catch {
    throw new Error('design link: not base64url text');
  }
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function encodeDesign(design) {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(design)));
}

// Returns the checked design, or throws an Error naming what is wrong with the link.
export function decodeDesign(text) {
  if (typeof text !== 'string' || text.length === 0) throw new Error('design link: empty');
  if (text.length > MAX_ENCODED) throw new Error(`design link: ${text.length} characters, more than ${MAX_ENCODED}`);
  let json;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(text));
  } catch (error) {
    throw error.message.startsWith('design link') ? error : new Error('design link: not UTF-8 text');
  }
  let design;
  try {
    design = JSON.parse(json);
  } catch {
    throw new Error('design link: not JSON');
  }
  return checkDesignData(design);
}

// The encoded design of a location hash ("#design=...&x=1"), or null when it has none.
export function designTextOfHash(hash) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  return params.get(HASH_KEY);
}

// The hash with the design set (or removed, for null), other entries kept.
export function hashWithDesign(hash, design) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  if (design) params.set(HASH_KEY, encodeDesign(design));
  else params.delete(HASH_KEY);
  const s = params.toString();
  return s ? `#${s}` : '';
}

// Replaces the page's hash without a history entry per edit.
export function writeDesignToLocation(design) {
  const hash = hashWithDesign(location.hash, design);
  if (hash !== location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
}
