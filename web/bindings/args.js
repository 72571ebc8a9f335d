// args.js: what only JavaScript can check (is it a Float32Array, is it an object), and the
// typed-array intrinsics every input is read through. Ranges, shapes, names and unknown
// option keys are the core's to check (its errors already name the argument).
//
// A typed array's `length`, `buffer` and `byteOffset` are read with %TypedArray%.prototype's
// own getters, never through the object: an own `length` property (or a Proxy, or a subclass
// getter) cannot make the wrapper read past the array or copy less than it reports.

const TypedArray = Object.getPrototypeOf(Float32Array.prototype);
const getter = (key) => Object.getOwnPropertyDescriptor(TypedArray, key).get;
const lengthGetter = getter('length');
const bufferGetter = getter('buffer');
const byteOffsetGetter = getter('byteOffset');
const tagGetter = getter(Symbol.toStringTag);

// The typed array's kind ('Float32Array', ...) from its internal slot, or undefined for
// anything else (including look-alikes). Works across realms (iframes, vm contexts).
export function typedArrayKind(v) {
  try {
    return Reflect.apply(tagGetter, v, []);
  } catch {
    return undefined;
  }
}

// A fresh view of exactly the elements `a` really has: the same memory, read through the
// intrinsics, so later code sees the true length whatever `a` claims.
export function trueView(a, kind = typedArrayKind(a)) {
  const buffer = Reflect.apply(bufferGetter, a, []);
  const offset = Reflect.apply(byteOffsetGetter, a, []);
  const length = Reflect.apply(lengthGetter, a, []);
  return kind === 'Int32Array' ? new Int32Array(buffer, offset, length) : new Float32Array(buffer, offset, length);
}

export function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'Array';
  const kind = typedArrayKind(v);
  if (kind) return kind;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

export function show(list) {
  return list.map((s) => `'${s}'`).join(', ');
}

export function isFloat32Array(v) {
  return typedArrayKind(v) === 'Float32Array';
}

// A Float32Array argument -> its true view (see trueView). Plain arrays are refused.
export function floatArray(v, name, { nonEmpty = true } = {}) {
  if (!isFloat32Array(v)) throw new TypeError(`${name}: expected a Float32Array, got ${describe(v)}`);
  const view = trueView(v, 'Float32Array');
  if (nonEmpty && view.length === 0) throw new RangeError(`${name}: expected at least one element, got an empty Float32Array`);
  return view;
}

// Labels: an Int32Array (its true view), or an array / typed array of integers copied into
// a fresh Int32Array first. Ranges are the core's to check.
export function labelArray(v, name) {
  const kind = typedArrayKind(v);
  if (kind === 'Int32Array') return trueView(v, kind);
  let source;
  if (Array.isArray(v)) source = v.slice();
  else if (kind) {
    const args = [bufferGetter, byteOffsetGetter, lengthGetter].map((g) => Reflect.apply(g, v, []));
    source = Array.from(new globalThis[kind](...args));
  }
  else throw new TypeError(`${name}: expected an Int32Array of class indices, got ${describe(v)}`);
  const labels = new Int32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (typeof c !== 'number' || !Number.isInteger(c)) throw new TypeError(`${name}[${i}]: expected an integer class index, got ${describe(c)}`);
    if (c !== (c | 0)) throw new RangeError(`${name}[${i}]: expected a class index, got ${c}`);
    labels[i] = c;
  }
  return labels;
}

// An options argument: undefined / null -> {}, an object as is; the core checks its keys.
export function optionsObject(v, name = 'options') {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${name}: expected an object, got ${describe(v)}`);
  return v;
}

export function plainObject(v, name, example) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new TypeError(`${name}: expected ${example}, got ${describe(v)}`);
  }
  return v;
}

// Edit distance, for "did you mean" on the one options object the core never sees
// (load()'s, read before the module exists). Everything else is refused by the core.
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length];
}

export function refuseUnknownKeys(object, known, name = 'options') {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const best = known.reduce((a, b) => (distance(key, a) <= distance(key, b) ? a : b));
    const near = distance(key, best) <= Math.max(2, Math.floor(Math.max(key.length, best.length) / 3));
    throw new RangeError(`${name}: unknown option '${key}'; ${near ? `did you mean '${best}'?` : `expected one of ${show(known)}`}`);
  }
}

export function check(result) {
  if (result instanceof Error) throw result;
  return result;
}
