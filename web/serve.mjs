// serve.mjs: a tiny static server for dist/ on 127.0.0.1 (`npm start`; the browser tests
// start it on a random port through startServer). Port from $PORT or 8080, trying the next
// ones when busy. Sends the site's Content-Security-Policy header, correct MIME types
// (application/wasm matters for streaming compilation), and never serves outside dist/:
// neither through the path nor through a symbolic link that leads out of it.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP_HEADER } from './csp.mjs';
import { headersFor } from './headers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
// CONVLAB_DIST points the server (and web/build.mjs) at another output folder.
export const DIST = process.env.CONVLAB_DIST ?? join(here, '..', 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
  '.bin': 'application/octet-stream',
};

const inside = (root, file) => file === root || file.startsWith(root + sep);

async function resolveFile(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = normalize(join(root, path));
  if (!inside(root, file)) return null;
  try {
    // The real location, links resolved, must still be inside the (real) root.
    const real = await realpath(file);
    if (!inside(await realpath(root), real)) return null;
    const s = await stat(real);
    if (s.isDirectory()) {
      const index = await realpath(join(real, 'index.html'));
      return inside(await realpath(root), index) && (await stat(index)).isFile() ? index : null;
    }
    return s.isFile() ? real : null;
  } catch {
    return null;
  }
}

function handler(root, csp) {
  return async (req, res) => {
    const headers = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
    if (csp) Object.assign(headers, headersFor(req.url));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = await resolveFile(root, pathname);
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

// Starts serving `root`. port 0 picks a free random port; csp: null sends no policy (the
// browser tests' stand-in for another site). Returns { url, port, close }.
export async function startServer({ root = DIST, port = 0, tries = 20, csp = CSP_HEADER } = {}) {
  const server = createServer(handler(normalize(root), csp));
  for (let k = 0; ; k++) {
    try {
      const bound = await listen(server, port === 0 ? 0 : port + k);
      return { url: `http://127.0.0.1:${bound}/`, port: bound, close: () => new Promise((r) => server.close(r)) };
    } catch (err) {
      if (err.code !== 'EADDRINUSE' || port === 0 || k + 1 >= tries) throw err;
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startServer({ port: Number.isInteger(port) && port > 0 ? port : 8080 });
  console.log(`convlab is served at ${url} (Ctrl-C stops)`);
}
