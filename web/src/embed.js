// embed.js: one widget alone, for an iframe: embed.html?widget=<name>&s=<JSON state>.
// postMessage protocol with the parent page (any origin; messages carry only plain data,
// and incoming state passes the widget's validate() like a URL would):
//   out  {type:'convlab:state', widget, state}   after loading and after every change
//   out  {type:'convlab:resize', height}          whenever the content height changes
//   out  {type:'convlab:error', widget, message}  when a set-state was rejected
//   in   {type:'convlab:set-state', state}        replaces the state (missing fields keep theirs)

import { loadCore } from './core.js';
import { mountWidget } from './mount.js';
import { urlWith } from './state.js';
import { showError } from './ui.js';

const KEY = 's';

function post(message) {
  if (window.parent !== window) window.parent.postMessage(message, '*');
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
}

async function main() {
  const host = document.getElementById('embed');
  const name = new URLSearchParams(location.search).get('widget') ?? '';
  host.dataset.widget = name;
  document.title = `${name || 'widget'} · convlab`;
  watchHeight();
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
    makeLink: (state) => urlWith(location.href, KEY, state),
    onState: (state) => post({ type: 'convlab:state', widget: name, state }),
  });
  if (!mounted) return;
  const { Widget, instance, publish } = mounted;
  post({ type: 'convlab:state', widget: name, state: instance.getState() });
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.data?.type !== 'convlab:set-state') return;
    try {
      const incoming = event.data.state;
      if (incoming === null || typeof incoming !== 'object' || Array.isArray(incoming)) throw new Error('"state" must be an object');
      const clean = Widget.validate({ ...instance.getState(), ...incoming });
      instance.setState(clean);
      publish(instance.getState());
    } catch (err) {
      post({ type: 'convlab:error', widget: name, message: err.message });
    }
  });
}

main().finally(() => {
  document.documentElement.dataset.ready = 'true';
});
