// convlab-widget.js: the <convlab-widget> custom element, for pages that may run scripts
// (Jupyter Book / MyST, Quarto, Sphinx, plain HTML):
//   <script type="module" src="https://…/assets/convlab-widget.js"></script>
//   <convlab-widget name="toeplitz" state='{"h":[1,2,3],"n":6}'></convlab-widget>
// The widget lives in a shadow root with the site's style sheet (convlab-widget.css, beside this
// module): the host page's styles do not reach it and its styles do not leak into the page.
// The element is a block sized by its content. Its `state` attribute (and property) reflects the
// widget's state; setting it passes the widget's validate() like a URL would (a rejected value
// changes nothing and fires `error`). Every change, by the user or by a new `state`, fires
// `change` with detail.state. All elements of a page share this module, so one core (one load()).
// The host page's URL is never read or written.

import { loadCore } from '../core.js';
import { mountWidget } from '../mount.js';
import { showError } from '../ui.js';
import { el } from '../lib/dom.js';

const STYLES = new URL('convlab-widget.css', import.meta.url).href;
const SITE = new URL('../', import.meta.url);

function parseState(text) {
  if (text === null || text.trim() === '') return {};
  const state = JSON.parse(text);
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new Error('the "state" attribute must be a JSON object');
  return state;
}

export class ConvlabWidget extends HTMLElement {
  static observedAttributes = ['state'];

  #mounted = null;
  #reflected = null;
  #started = false;

  connectedCallback() {
    if (this.#started) return;
    this.#started = true;
    this.#mount();
  }

  get state() {
    return this.#mounted ? this.#mounted.instance.getState() : parseState(this.getAttribute('state'));
  }

  set state(value) {
    this.setAttribute('state', JSON.stringify(value));
  }

  async #mount() {
    const root = this.attachShadow({ mode: 'open' });
    const host = el('div', { class: 'widget', part: 'widget' }, el('p', { class: 'widget-loading', role: 'status', text: 'Loading the WebAssembly core…' }));
    root.append(el('link', { rel: 'stylesheet', href: STYLES }), host);
    const name = this.getAttribute('name') ?? '';
    let base;
    let cl;
    try {
      base = parseState(this.getAttribute('state'));
      cl = await loadCore();
    } catch (err) {
      showError(host, `The "${name}" widget could not be shown.`, err);
      return;
    }
    const mounted = await mountWidget(host, {
      name,
      base,
      key: 's',
      cl,
      search: '',
      write: () => {},
      embedThis: false,
      makeLink: (state) => {
        const url = new URL(`embed/${encodeURIComponent(name)}.html`, SITE);
        url.searchParams.set('s', JSON.stringify(state));
        return url.href;
      },
      onState: (state) => this.#changed(state),
    });
    if (!mounted) return;
    this.#mounted = mounted;
    this.#reflect(mounted.instance.getState());
    this.dispatchEvent(new CustomEvent('ready', { detail: { state: mounted.instance.getState() } }));
  }

  attributeChangedCallback(attr, old, value) {
    if (!this.#mounted || value === this.#reflected) return;
    const { Widget, instance } = this.#mounted;
    try {
      instance.setState(Widget.validate({ ...instance.getState(), ...parseState(value) }));
    } catch (err) {
      this.#reflect(instance.getState());
      this.dispatchEvent(new CustomEvent('error', { detail: { message: err.message } }));
      return;
    }
    this.#changed(instance.getState());
  }

  #changed(state) {
    this.#reflect(state);
    this.dispatchEvent(new CustomEvent('change', { detail: { state }, bubbles: true }));
  }

  #reflect(state) {
    this.#reflected = JSON.stringify(state);
    this.setAttribute('state', this.#reflected);
  }
}

if (!customElements.get('convlab-widget')) customElements.define('convlab-widget', ConvlabWidget);
