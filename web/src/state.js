// state.js: widget state in the page URL. Each widget's state is plain data serialised as
// JSON under its id (`?w-2={"h":[1,2,3],"n":6}`); nothing else is stored. Values read back
// are untrusted: they are size-limited, parsed without eval, and must pass the widget's
// static validate(); whatever fails falls back to the lesson's settings with a visible notice.

export const MAX_PARAM = 4000;

// Returns { state } (an object, possibly empty) or { error } for the query parameter `key`.
export function readParam(search, key) {
  const raw = new URLSearchParams(search).get(key);
  if (raw === null) return { state: null };
  if (raw.length > MAX_PARAM) return { error: `the value is longer than ${MAX_PARAM} characters` };
  let state;
  try {
    state = JSON.parse(raw);
  } catch {
    return { error: 'the value is not valid JSON' };
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return { error: 'the value is not a JSON object' };
  return { state };
}

// Initial settings of a widget: the lesson's settings overridden by the URL's state, both
// through validate(). Returns { settings, notice } where notice explains a rejected URL value.
export function initialSettings(Widget, base, search, key) {
  const clean = Widget.validate(base);
  const { state, error } = readParam(search, key);
  if (error) return { settings: clean, notice: error };
  if (!state) return { settings: clean, notice: null };
  try {
    return { settings: Widget.validate({ ...clean, ...state }), notice: null };
  } catch (err) {
    return { settings: clean, notice: err.message };
  }
}

// The URL of the current page with `key` set to `state` (or removed when state is null).
export function urlWith(href, key, state, { hash } = {}) {
  const url = new URL(href);
  if (state === null) url.searchParams.delete(key);
  else url.searchParams.set(key, JSON.stringify(state));
  if (hash !== undefined) url.hash = hash;
  return url.href;
}

// Keeps the address bar in step without adding history entries (a slider drag would add
// hundreds). Debounced: browsers throttle replaceState calls.
let changes = null;
export function writeParam(key, state) {
  changes = { ...(changes ?? {}), [key]: state };
  if (writeParam.timer) return;
  writeParam.timer = setTimeout(flush, 150);
}

// Writes pending changes now (also called before a link is copied).
export function flush() {
  clearTimeout(writeParam.timer);
  writeParam.timer = null;
  if (!changes) return;
  let href = location.href;
  for (const [k, s] of Object.entries(changes)) href = urlWith(href, k, s);
  changes = null;
  // A sandboxed frame (opaque origin) or a page whose URL is not ours may refuse; the state
  // still lives in the widget and reaches the parent by message.
  try {
    history.replaceState(history.state, '', href);
  } catch {
    // the address bar just stays as it was
  }
}
