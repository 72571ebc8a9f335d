// lesson.js: the runtime of a lesson page. The build already rendered the text and math;
// this wires the exercises, loads the WebAssembly core (a status line shows progress), and
// mounts every widget placeholder, each in its own error boundary. When all have settled,
// <html data-ready> is set (the browser tests wait for it).

import { loadCore } from './core.js';
import { mountWidget } from './mount.js';
import { initExercises } from './exercise.js';
import { urlWith } from './state.js';
import { showError } from './ui.js';

async function main() {
  initExercises(document);
  const status = document.getElementById('core-status');
  const hosts = [...document.querySelectorAll('.widget[data-widget]')];
  let cl;
  try {
    cl = await loadCore();
    if (status) {
      status.textContent = `WebAssembly core ${cl.version}${cl.simd ? ' (SIMD)' : ''} ready`;
      status.classList.add('ready');
    }
  } catch (err) {
    if (status) {
      status.textContent = `The WebAssembly core did not load: ${err.message}`;
      status.classList.add('failed');
    }
    for (const host of hosts) showError(host, 'The WebAssembly core did not load, so this widget cannot run.', err);
    return;
  }
  await Promise.all(hosts.map((host) => {
    let base;
    try {
      base = JSON.parse(host.dataset.settings || '{}');
    } catch (err) {
      showError(host, 'This widget\'s settings are not valid JSON.', err);
      return null;
    }
    const key = host.id;
    return mountWidget(host, {
      name: host.dataset.widget,
      base,
      key,
      cl,
      makeLink: (state) => urlWith(location.href, key, state, { hash: key }),
    });
  }));
}

window.addEventListener('error', (event) => {
  const bar = document.getElementById('page-errors');
  if (bar) {
    bar.hidden = false;
    bar.textContent = `Something on this page failed: ${event.message}`;
  }
});

main().finally(() => {
  document.documentElement.dataset.ready = 'true';
});
