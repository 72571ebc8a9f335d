// model.js: a network design as plain data (a list of layer specs `{ type, ...fields }`, the
// input of cl.sequential) and the edits the designer makes to it. Which kinds and fields
// exist comes from the core's registry (cl.registry.layers), never from a list written
// here; nothing in this file knows a shape or checks a value the core checks. DOM-free (the
// Node tests and the worker import it).

// Limits on a design read from a URL or a file, before the core sees it: enough for any
// network of the course, small enough that a hostile link cannot make the page work hard.
export const MAX_LAYERS = 64;
export const MAX_DEPTH = 4;
const MAX_TEXT = 40;

// A field holding a sub-list of layers (a residual block's `layers`).
export const isListField = (f) => f.type === 'layers' || f.name === 'layers';

// The fields of `type` a student can set: the registry's, without those it lists only to
// refuse them precisely ('unsupported').
export function editableFields(registry, type) {
  const kind = registry.layers.find((l) => l.type === type);
  return kind ? kind.fields.filter((f) => f.type !== 'unsupported') : [];
}

// The registry states defaults as text ("1", "true", "'auto'", "kernel", "required");
// returns the value, or undefined when there is none (required) or it names another field.
export function defaultOf(field, spec = {}) {
  const d = field.default;
  if (d === 'required' || d === 'none') return undefined;
  if (d === 'true' || d === 'false') return d === 'true';
  if (/^'.*'$/.test(d)) return d.slice(1, -1);
  if (d !== '' && Number.isFinite(Number(d))) return Number(d);
  if (d in spec) return spec[d]; // stride = kernel
  return undefined;
}

// A field's value in `spec`, or its default.
export function valueOf(spec, field) {
  return field.name in spec ? spec[field.name] : defaultOf(field, spec);
}

// Values a new layer starts with for its required fields: a small layer that fits most
// inputs (the student edits them next).
const STARTERS = { out: 8, kernel: 3, layers: [] };

export function newLayer(registry, type) {
  const spec = { type };
  for (const f of editableFields(registry, type)) {
    if (f.default !== 'required') continue;
    const v = isListField(f) ? [] : STARTERS[f.name] ?? (f.type === 'boolean' ? false : 1);
    spec[f.name] = Array.isArray(v) ? [...v] : v;
  }
  return spec;
}

// ---- edits: each returns a new design; `path` is a list of indices into nested lists
// ([3] the fourth layer; [3, 1] the second layer of the fourth layer's sub-list). ----

const copy = (design) => JSON.parse(JSON.stringify(design));

// The list holding the layer at `path` (a field `listField` of the parent layer) and its index.
function locate(design, path, listField = 'layers') {
  let list = design;
  for (const i of path.slice(0, -1)) list = list[i][listField];
  return [list, path[path.length - 1]];
}

// Appends a new `type` layer to the list at `parent` (a path to a layer with a sub-list, or
// [] for the top level).
export function addLayer(design, registry, type, parent = []) {
  const out = copy(design);
  let list = out;
  for (const i of parent) list = list[i].layers;
  list.push(newLayer(registry, type));
  return out;
}

export function removeLayer(design, path) {
  const out = copy(design);
  const [list, i] = locate(out, path);
  list.splice(i, 1);
  return out;
}

// Moves the layer at `path` by `delta` places (-1 up, +1 down) within its list; a move past
// either end leaves the design as it was.
export function moveLayer(design, path, delta) {
  const out = copy(design);
  const [list, i] = locate(out, path);
  const j = i + delta;
  if (j < 0 || j >= list.length) return out;
  [list[i], list[j]] = [list[j], list[i]];
  return out;
}

// Sets field `name` of the layer at `path`; `undefined` removes it (the core's default).
export function setField(design, path, name, value) {
  const out = copy(design);
  const [list, i] = locate(out, path);
  if (value === undefined) delete list[i][name];
  else list[i][name] = value;
  return out;
}

// ---- text of an input field <-> a field value ----

// "3" -> 3, "3, 5" -> [3, 5], "same" -> 'same', "" -> undefined (the default). Anything else
// is kept as typed, so that the core refuses it naming the field.
export function parseFieldText(text, field) {
  const t = String(text).trim();
  if (t === '') return undefined;
  if (field.type === 'number' || field.type === 'positive-int') return Number.isFinite(Number(t)) ? Number(t) : t.slice(0, MAX_TEXT);
  const parts = t.split(/[\s,x×]+/).filter(Boolean);
  if (parts.length === 2 && parts.every((p) => Number.isFinite(Number(p)))) return parts.map(Number);
  if (parts.length === 1 && Number.isFinite(Number(t))) return Number(t);
  return t.slice(0, MAX_TEXT);
}

export function fieldText(value) {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

// ---- the structure of a design from outside (a URL, a run file) ----

const plain = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function checkValue(v, where, depth) {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${where}: expected a finite number`);
    return v;
  }
  if (typeof v === 'string') {
    if (v.length > MAX_TEXT) throw new Error(`${where}: text longer than ${MAX_TEXT} characters`);
    return v;
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    if (v.length > 4) throw new Error(`${where}: more than 4 numbers`);
    return [...v];
  }
  if (Array.isArray(v)) return checkList(v, where, depth + 1);
  throw new Error(`${where}: expected a number, text, true/false, [h, w] or a list of layers`);
}

function checkList(list, where, depth) {
  if (!Array.isArray(list)) throw new Error(`${where}: expected a list of layers`);
  if (depth > MAX_DEPTH) throw new Error(`${where}: layers nested more than ${MAX_DEPTH} deep`);
  if (list.length > MAX_LAYERS) throw new Error(`${where}: ${list.length} layers, more than ${MAX_LAYERS}`);
  return list.map((spec, i) => {
    const at = `${where}[${i}]`;
    if (!plain(spec)) throw new Error(`${at}: expected a layer { type, ... }`);
    if (typeof spec.type !== 'string' || spec.type.length > MAX_TEXT) throw new Error(`${at}.type: expected a layer kind's name`);
    return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, checkValue(v, `${at}.${k}`, depth)]));
  });
}

// Returns a fresh copy of a design whose structure is plain data within the limits above,
// or throws naming the place ("design[2].kernel: ..."). Kinds and values are the core's to
// check (building the network).
export function checkDesignData(design, where = 'design') {
  const out = checkList(design, where, 0);
  if (out.length === 0) throw new Error(`${where}: no layers`);
  return out;
}
