// dom.js: the few DOM helpers widgets share: element creation and labelled, keyboard-usable
// controls (native inputs, so arrows, Tab and Enter work without extra code). Every control
// has a visible <label>. Number formatting lives here too; no arithmetic on results does.

let uid = 0;
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// el('div', { class: 'x', onclick: fn }, child, 'text', ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

export function fmt(x, digits = 4) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(digits)));
}

// A range input with its label and the current value beside it.
export function slider({ label, min, max, step = 1, value, onInput, format = String }) {
  const id = nextId('ctl');
  const input = el('input', { id, type: 'range', min, max, step, value });
  const out = el('output', { for: id, text: format(value) });
  input.addEventListener('input', () => {
    out.textContent = format(Number(input.value));
    onInput(Number(input.value));
  });
  const root = el('div', { class: 'ctl ctl-slider' }, el('label', { for: id, text: label }), input, out);
  return {
    root,
    input,
    set(v, { min: lo, max: hi } = {}) {
      if (lo !== undefined) input.min = lo;
      if (hi !== undefined) input.max = hi;
      input.value = v;
      out.textContent = format(v);
    },
  };
}

export function select({ label, options, value, onChange }) {
  const id = nextId('ctl');
  const input = el('select', { id }, options.map(([v, text]) => el('option', { value: v, text })));
  input.value = value;
  input.addEventListener('change', () => onChange(input.value));
  return { root: el('div', { class: 'ctl' }, el('label', { for: id, text: label }), input), input, set(v) { input.value = v; } };
}

export function checkbox({ label, checked, onChange }) {
  const id = nextId('ctl');
  const input = el('input', { id, type: 'checkbox' });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { root: el('div', { class: 'ctl ctl-check' }, input, el('label', { for: id, text: label })), input, set(v) { input.checked = v; } };
}

export function button({ label, onClick, title }) {
  return el('button', { type: 'button', title, onclick: onClick, text: label });
}

// A text field holding a comma-separated list of numbers. `check(list)` returns the cleaned
// list or throws; the message shows under the field and the last good value stays.
export function numberList({ label, value, check, onChange }) {
  const id = nextId('ctl');
  const input = el('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false' });
  const msg = el('span', { class: 'ctl-msg', role: 'status' });
  const show = (list) => { input.value = list.map((v) => fmt(v, 6)).join(', '); };
  show(value);
  input.addEventListener('change', () => {
    const parts = input.value.split(/[\s,;]+/).filter(Boolean).map(Number);
    try {
      const list = check(parts);
      msg.textContent = '';
      input.removeAttribute('aria-invalid');
      onChange(list);
    } catch (err) {
      msg.textContent = err.message;
      input.setAttribute('aria-invalid', 'true');
    }
  });
  return { root: el('div', { class: 'ctl ctl-list' }, el('label', { for: id, text: label }), input, msg), input, set: show };
}

// A result line whose raw numbers are also kept in data-result (JSON), for tests and readers.
export function result(label) {
  const value = el('span', { class: 'result-value' });
  const root = el('p', { class: 'result' }, el('span', { class: 'result-label', text: label }), ' ', value);
  return {
    root,
    set(text, raw) {
      value.textContent = text;
      root.dataset.result = JSON.stringify(raw);
    },
  };
}
