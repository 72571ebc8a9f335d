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
  return { ...COMMON, 'Content-Security-Policy': csp({ embed: isEmbedPath(pathname) }) };
}

// The text of dist/_headers.
export function headersFile() {
  const block = (path, headers) => `${path}\n${Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`;
  const parts = [block('/*', COMMON)];
  for (const p of PAGE_PATHS) parts.push(block(p, { 'Content-Security-Policy': csp({ embed: false }) }));
  for (const p of EMBED_PATHS) parts.push(block(p, { 'Content-Security-Policy': csp({ embed: true }) }));
  return `# Written by npm run build from web/headers.mjs.\n${parts.join('\n')}`;
}
