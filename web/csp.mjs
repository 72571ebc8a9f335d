// csp.mjs: the one Content-Security-Policy of the site, used by the build (a <meta> tag in
// every page) and by web/serve.mjs (the HTTP header, which can also say what a meta tag
// cannot). No eval and no inline script anywhere: scripts come only from the site itself;
// 'wasm-unsafe-eval' is what lets the page compile WebAssembly. KaTeX's markup positions
// glyphs with style="" attributes, hence style-src-attr; style sheets are files only.

export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

export const CSP_META = CSP_DIRECTIVES.join('; ');
// The header adds what a meta tag ignores: only the site may frame its pages (embed pages widen
// this in headers.mjs).
export const CSP_HEADER = `${CSP_META}; frame-ancestors 'self'`;
