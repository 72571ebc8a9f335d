// validate.js: small checkers for widgets' static validate(settings). Settings arrive from
// lesson files and, worse, from URLs and postMessage, so each checker accepts only plain
// finite data within bounds and throws an Error naming the field otherwise. DOM-free: the
// lint runs these in Node.

function fail(name, expected, value) {
  let shown;
  try {
    shown = JSON.stringify(value);
  } catch {
    shown = String(value);
  }
  if (shown && shown.length > 40) shown = `${shown.slice(0, 37)}...`;
  throw new Error(`"${name}" must be ${expected} (got ${shown})`);
}

export function num(value, name, { min = -1e6, max = 1e6, int = false } = {}) {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'a finite number', value);
  if (int && !Number.isInteger(value)) fail(name, 'an integer', value);
  if (value < min || value > max) fail(name, `between ${min} and ${max}`, value);
  return value;
}

export function int(value, name, opts = {}) {
  return num(value, name, { ...opts, int: true });
}

export function numArray(value, name, { minLength = 1, maxLength = 64, min = -1e6, max = 1e6 } = {}) {
  if (!Array.isArray(value)) fail(name, 'an array of numbers', value);
  if (value.length < minLength || value.length > maxLength) fail(name, `an array of ${minLength} to ${maxLength} numbers`, value);
  return value.map((v, i) => num(v, `${name}[${i}]`, { min, max }));
}

export function oneOf(value, name, choices) {
  if (!choices.includes(value)) fail(name, `one of ${choices.join(', ')}`, value);
  return value;
}

export function bool(value, name) {
  if (typeof value !== 'boolean') fail(name, 'true or false', value);
  return value;
}

// Fills missing fields from defaults, runs each field's checker, drops unknown fields.
// spec: { field: (value, name) => cleaned }.
export function validateWith(settings, defaults, spec) {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) fail('settings', 'an object', settings);
  const out = {};
  for (const [field, check] of Object.entries(spec)) {
    const has = Object.prototype.hasOwnProperty.call(settings, field);
    out[field] = check(has ? settings[field] : defaults[field], field);
  }
  return out;
}
