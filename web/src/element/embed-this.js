// embed-this.js: the "Embed this" page of one widget (dist/embed-this/<name>.html?s=<state>).
// The build wrote the snippets for the defaults and a placeholder address; this fills in the
// site's real address and the state from the URL (size-limited and parsed like any URL state,
// never evaluated), and wires the Copy buttons.

import { readParam } from '../state.js';
import { snippets } from './snippets.js';

function main() {
  const page = document.getElementById('embed-this');
  const { widget: name, title, height, h5p } = page.dataset;
  const { state, error } = readParam(location.search, 's');
  const note = document.getElementById('embed-state');
  if (error) note.textContent = `The link's state was ignored (${error}); the snippets use the defaults.`;
  else if (state) note.textContent = `The snippets open the widget in this state: ${JSON.stringify(state)}`;
  const site = new URL('../', location.href);
  for (const s of snippets({ site, name, title, state: error ? null : state, height: Number(height), h5p: h5p === 'true' })) {
    const code = document.querySelector(`[data-snippet="${s.id}"] code`);
    if (code) code.textContent = s.code;
  }
  for (const btn of document.querySelectorAll('button.copy-snippet')) {
    btn.addEventListener('click', async () => {
      const code = btn.closest('[data-snippet]').querySelector('code');
      const status = btn.nextElementSibling;
      try {
        await navigator.clipboard.writeText(code.textContent);
        status.textContent = 'Copied.';
      } catch {
        getSelection().selectAllChildren(code);
        status.textContent = 'Selected: copy it with the keyboard.';
      }
    });
  }
}

main();
document.documentElement.dataset.ready = 'true';
