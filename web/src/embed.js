// embed.js: one widget alone, for an iframe: embed/<name>.html?s=<JSON state> (or
// embed.html?widget=<name>&s=...). The page's static content is the no-script fallback (title,
// still image, link); it is replaced as soon as this runs. Works with an opaque origin
// (sandbox="allow-scripts"): nothing here touches storage, and the URL is written only if allowed.
// postMessage protocol with the parent page (documented in lessons/README.md; messages carry
// only the widget's name, its state and sizes, never anything from the parent or the user):
//   out  {type:'convlab:state', widget, state}   after loading and after every change
//   out  {type:'convlab:resize', height}          whenever the content height changes
//   out  {type:'convlab:error', widget, message}  when a message was rejected
//   out  {type:'convlab:hello', widget, origin}   answer to a hello: the channel is locked
//   in   {type:'convlab:set-state', state}        replaces the state (missing fields keep theirs)
//   in   {type:'convlab:hello'}                   locks the channel to the sender's origin: from
//        then on messages go only to that origin and only its messages are read

import { loadCore } from './core.js';
import { mountWidget } from './mount.js';
import { urlWith } from './state.js';
import { showError } from './ui.js';
import { el } from './lib/dom.js';

const KEY = 's';
// '*' until a parent says hello; then its origin (the browser's event.origin, not a claim).
let target = '*';

function post(message) {
  if (window.parent !== window) window.parent.postMessage(message, target);
}

function watchHeight() {
  let last = -1;
  const report = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      post({ type: 'convlab:resize', height });
    }
  };
  new ResizeObserver(report).observe(document.documentElement);
  report();
  return () => {
    last = -1;
    report();
  };
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Reads messages from the parent window only, of a known shape; hands set-state to apply().
function listen(name, apply, resend) {
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !isObject(event.data)) return;
    if (target !== '*' && event.origin !== target) return;
    const { type } = event.data;
    if (type === 'convlab:hello') {
      // An opaque parent (origin "null") cannot be addressed by origin; it stays '*'.
      if (target === '*' && event.origin !== 'null') target = event.origin;
      post({ type: 'convlab:hello', widget: name, origin: target });
      resend();
    } else if (type === 'convlab:set-state') {
      try {
        if (!isObject(event.data.state)) throw new Error('"state" must be an object');
        apply(event.data.state);
      } catch (err) {
        post({ type: 'convlab:error', widget: name, message: err.message });
      }
    }
  });
}

async function main() {
  const host = document.getElementById('embed');
  const name = new URLSearchParams(location.search).get('widget') ?? host.dataset.widget ?? '';
  host.dataset.widget = name;
  document.title = `${name || 'widget'} · convlab`;
  host.replaceChildren(el('p', { class: 'widget-loading', role: 'status', text: 'Loading the WebAssembly core…' }));
  const resendHeight = watchHeight();
  let cl;
  try {
    cl = await loadCore();
  } catch (err) {
    showError(host, 'The WebAssembly core did not load.', err);
    return;
  }
  const mounted = await mountWidget(host, {
    name,
    base: {},
    key: KEY,
    cl,
    embedThis: false,
    makeLink: (state) => urlWith(location.href, KEY, state),
    onState: (state) => post({ type: 'convlab:state', widget: name, state }),
  });
  if (!mounted) return;
  const { Widget, instance, publish } = mounted;
  const sendState = () => post({ type: 'convlab:state', widget: name, state: instance.getState() });
  sendState();
  listen(name, (incoming) => {
    instance.setState(Widget.validate({ ...instance.getState(), ...incoming }));
    publish(instance.getState());
  }, () => {
    resendHeight();
    sendState();
  });
}

main().finally(() => {
  document.documentElement.dataset.ready = 'true';
});
