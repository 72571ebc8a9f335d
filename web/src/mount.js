// mount.js: turns one placeholder into a live widget. Loads the widget's module from the
// registry, merges the lesson's settings with the URL's state through the widget's static
// validate(), builds it inside an error boundary, and wires the state to the URL (and to
// whoever listens: the embed page forwards it to its parent). Used by lesson and embed pages.

import { widgets } from './widgets/registry.js';
import { initialSettings, writeParam, flush } from './state.js';
import { copyLink, notice, showError } from './ui.js';
import { el } from './lib/dom.js';

// host: the element to fill; name: widget name; base: settings from the lesson (or {});
// key: its query parameter; makeLink(state): URL reopening a state; onState(state): listener;
// search: the query string state is read from (the page's; '' when the page's URL is not ours,
// as for the custom element); write(key, state): keeps it there (writeParam; a no-op likewise);
// embedThis: whether the toolbar links to the widget's "Embed this" page (not inside embeds).
// Resolves to { Widget, instance, publish } or null when the widget failed (an error box
// shows); publish(state) writes the URL and tells onState, as a change inside the widget does.
export async function mountWidget(host, { name, base, key, cl, makeLink, onState = () => {}, search = location.search, write = writeParam, embedThis = true }) {
  const title = `The "${name}" widget could not be shown.`;
  try {
    const loader = Object.prototype.hasOwnProperty.call(widgets, name) ? widgets[name] : null;
    if (!loader) throw new Error(`There is no widget named "${name}". Known: ${Object.keys(widgets).join(', ')}.`);
    const Widget = (await loader()).default;
    const { settings, notice: rejected } = initialSettings(Widget, base, search, key);
    const body = el('div', { class: 'widget-body' });
    const parts = [];
    if (rejected) parts.push(notice(`the link's settings for this widget were ignored (${rejected}); showing the defaults.`));
    parts.push(body);
    let instance = null;
    const publish = (state) => {
      write(key, state);
      onState(state);
    };
    const toolbar = copyLink(() => {
      flush();
      return makeLink(instance.getState());
    });
    if (embedThis) toolbar.append(embedThisLink(name, () => instance.getState()));
    parts.push(toolbar);
    host.replaceChildren(...parts);
    host.classList.add('widget-ready');
    const ctx = {
      cl,
      id: key,
      state: { get: () => settings, set: (s) => write(key, s) },
      onChange: (s) => publish(s ?? instance.getState()),
    };
    instance = new Widget(body, settings, ctx);
    if (rejected) write(key, instance.getState());
    return { Widget, instance, publish };
  } catch (err) {
    showError(host, title, err);
    return null;
  }
}

// A link to dist/embed-this/<name>.html with the current state filled in when it is followed.
// This module is bundled into dist/assets/, so the page is found from its own URL.
function embedThisLink(name, getState) {
  const link = el('a', { class: 'embed-this', href: new URL(`../embed-this/${name}.html`, import.meta.url).href, text: 'Embed this' });
  const refresh = () => {
    const url = new URL(link.href);
    url.searchParams.set('s', JSON.stringify(getState()));
    link.href = url.href;
  };
  link.addEventListener('pointerdown', refresh);
  link.addEventListener('focus', refresh);
  return link;
}
