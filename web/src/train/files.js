// files.js: the page's run files: "Download run", "Load run…", and the download of a stored
// run that could not be loaded and was kept aside. Checking a file is schema.js's job
// (through snapshot.js); keeping it is the worker's, once it has accepted it.

import { el, fmt } from '../lib/dom.js';
import { fromFile, toFile } from './snapshot.js';
import { ASIDE, loadSaved } from './store.js';

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function epochsOf(run, nTrain = 8000) {
  return run.progress.epoch + run.progress.position / nTrain;
}

export function downloadRun(snapshot, nTrain) {
  saveBlob(toFile(snapshot), `convlab-${snapshot.settings.arch}-${snapshot.dataset}-epoch${fmt(epochsOf(snapshot, nTrain), 3)}.json`);
}

// The stored run kept aside, as it was (typed arrays written as plain arrays).
export async function downloadAside() {
  const record = await loadSaved(ASIDE);
  if (!record) return;
  const text = JSON.stringify(record, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
  saveBlob(new Blob([text], { type: 'application/json' }), 'convlab-run-set-aside.json');
}

// host: where the controls go. onDownload(): ask for a snapshot. onLoad(run, name): a file
// that passed its check. onRefused(name, error). limits: (dataset id) -> { nTrain }.
export function buildFileControls(host, { onDownload, onLoad, onRefused, limits }) {
  const dl = el('button', { type: 'button', text: 'Download run' });
  dl.addEventListener('click', onDownload);
  const input = el('input', { type: 'file', accept: 'application/json,.json', id: 't-upload', class: 'visually-hidden' });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    let run;
    try {
      const text = await file.text();
      let dataset;
      try { dataset = JSON.parse(text)?.settings?.dataset; } catch { /* fromFile says why */ }
      run = fromFile(text, limits(dataset));
    } catch (error) {
      onRefused(file.name, error);
      return;
    }
    onLoad(run, file.name);
  });
  const up = el('label', { for: 't-upload', class: 'button-like', text: 'Load run…' });
  host.replaceChildren(dl, input, up);
}
