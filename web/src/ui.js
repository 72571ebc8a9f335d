// ui.js: the page-level pieces every entry shares: the error box that replaces a failing
// widget (the rest of the page stays), the notice shown when a link's values were rejected,
// and the "copy link" control. No widget logic here.

import { el } from './lib/dom.js';

export function errorBox(title, err) {
  const message = err instanceof Error ? err.message : String(err);
  return el('div', { class: 'widget-error', role: 'alert' }, el('strong', { text: title }), ' ', el('span', { text: message }));
}

export function showError(host, title, err) {
  console.error(`${title}`, err);
  host.replaceChildren(errorBox(title, err));
  host.classList.add('widget-failed');
}

export function notice(text) {
  return el('p', { class: 'notice', role: 'status' }, el('strong', { text: 'Note: ' }), el('span', { text }));
}

// A "Copy link" button; `makeLink()` returns the URL that reopens the current state. The
// link also appears in a read-only field, so it can be copied by hand where the clipboard
// API is unavailable (plain http, iframes without permission).
export function copyLink(makeLink) {
  const field = el('input', { class: 'link-field', type: 'text', readonly: true, 'aria-label': 'Link to this state', hidden: true });
  const status = el('span', { class: 'link-status', role: 'status' });
  const btn = el('button', { type: 'button', class: 'copy-link', text: 'Copy link' });
  btn.addEventListener('click', async () => {
    const link = makeLink();
    field.value = link;
    field.hidden = false;
    try {
      await navigator.clipboard.writeText(link);
      status.textContent = 'Link copied.';
    } catch {
      field.select();
      status.textContent = 'Select the link and copy it.';
    }
  });
  return el('div', { class: 'widget-toolbar' }, btn, status, field);
}
