// headers.mjs: the HTTP headers of the site as data, read by the build (which writes
// dist/_headers for Netlify/Cloudflare-style static hosts) and by web/serve.mjs (npm start),
// so both send the same. The policy itself is csp.mjs's; frame-ancestors can only be sent as a
// header (a <meta> tag ignores it): embed pages may be framed by any site, the rest only by
// the site itself. Everything is public and sent without credentials, so any origin may read
// it: a sandboxed iframe (opaque origin, `Origin: null`) or a course page using the custom
// element fetches the modules, the .wasm and the data cross-origin.

import { CSP_HEADER, CSP_META } from './csp.mjs';

// Paths (from the site root) of the pages meant to sit inside other sites' iframes.
export const EMBED_PATHS = ['/embed.html', '/embed/*'];
// The other pages. Hosts merge every rule that matches a path (two CSP values would become two
// policies, both enforced), so page rules must not overlap: /* carries only the common headers.
export const PAGE_PATHS = ['/', '/index.html', '/train.html', '/lessons/*', '/embed-this/*'];
// Cross-origin isolated, so that the threaded module may run there (a SharedArrayBuffer needs
// it): the site's own pages. Not the embed pages, which live inside other sites' frames (a
// frame's isolation is decided by its parent, and COEP would make the parent's embedding
// depend on its headers), nor "Embed this", whose live previews frame them.
export const ISOLATED_PATHS = ['/', '/index.html', '/train.html', '/lessons/*'];
// The pthread workers' scripts and the module they import: a worker's own response decides
// its COEP, and an isolated page may start only COEP workers. Harmless elsewhere (a script
// loaded as a subresource ignores COEP).
export const WORKER_PATHS = ['/assets/*', '/wasm/*'];
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const WORKER_ISOLATION = { 'Cross-Origin-Embedder-Policy': 'require-corp' };

const COMMON = {
  'X-Content-Type-Options': 'nosniff',
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export function csp({ embed }) {
  return embed ? `${CSP_META}; frame-ancestors *` : CSP_HEADER;
}

function matches(pattern, pathname) {
  return pattern.endsWith('/*') ? pathname.startsWith(pattern.slice(0, -1)) : pathname === pattern;
}

export function isEmbedPath(pathname) {
  return EMBED_PATHS.some((p) => matches(p, pathname));
}

// The headers for one request (a URL path or a full URL).
export function headersFor(url) {
  const { pathname } = new URL(url, 'http://localhost');
  const headers = { ...COMMON, 'Content-Security-Policy': csp({ embed: isEmbedPath(pathname) }) };
  if (ISOLATED_PATHS.some((p) => matches(p, pathname))) Object.assign(headers, ISOLATION);
  else if (WORKER_PATHS.some((p) => matches(p, pathname))) Object.assign(headers, WORKER_ISOLATION);
  return headers;
}

// The text of dist/_headers.
export function headersFile() {
  const block = (path, headers) => `${path}\n${Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`;
  const parts = [block('/*', COMMON)];
  for (const p of PAGE_PATHS) {
    const isolation = ISOLATED_PATHS.includes(p) ? ISOLATION : {};
    parts.push(block(p, { 'Content-Security-Policy': csp({ embed: false }), ...isolation }));
  }
  for (const p of WORKER_PATHS) parts.push(block(p, WORKER_ISOLATION));
  for (const p of EMBED_PATHS) parts.push(block(p, { 'Content-Security-Policy': csp({ embed: true }) }));
  return `# Written by npm run build from web/headers.mjs.\n${parts.join('\n')}`;
}
