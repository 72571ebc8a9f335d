// format.js: how the site writes numbers and dates for people, one way everywhere and
// independent of the browser's locale. navigator.language is not always a valid language
// tag (WebKitGTK reports "C" under the C locale, and Intl throws on it), and a page should
// not read "1.234" in one browser and "1,234" in another. So nothing here asks for a locale:
// counts get "," between thousands, dates are written year-month-day.

// The one locale handed to a library that insists on one (see web/uplot-locale.mjs).
export const LOCALE = 'en-US';

// A count with thousands separators, rounded to an integer: 1234567 -> "1,234,567".
export function formatCount(x) {
  if (typeof x !== 'number') throw new TypeError(`formatCount: x must be a number, got ${typeof x}`);
  if (!Number.isFinite(x)) return String(x);
  const n = Math.round(x);
  const digits = Math.abs(n).toFixed(0);
  return `${n < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

const two = (v) => String(v).padStart(2, '0');

// A moment (a Date or milliseconds since 1970) in the reader's time zone, to the minute:
// "2026-12-03 14:05". An invalid moment gives "an unknown time".
export function formatDate(when) {
  const d = when instanceof Date ? when : new Date(when);
  if (when === null || when === undefined || Number.isNaN(d.getTime())) return 'an unknown time';
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
