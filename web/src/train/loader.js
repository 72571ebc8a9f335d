// loader.js: fetches a packed data set (see data.js) with a progress callback, and
// decompresses its payload with the browser's DecompressionStream, so the page thread only
// copies chunks. Node's test reads the same files with zlib instead.
import { HEADER_BYTES, decodeDataset, decodeHeader } from './data.js';

// Reads a Response body, reporting (received, total) as bytes arrive.
async function readAll(response, total, onProgress) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const parts = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.length;
    onProgress(received, total);
  }
  const all = new Uint8Array(received);
  let offset = 0;
  for (const p of parts) { all.set(p, offset); offset += p.length; }
  return all;
}

async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// baseUrl: the folder holding datasets.json. Returns the catalogue ({ datasets: [...] }).
export async function loadCatalogue(baseUrl) {
  const response = await fetch(new URL('datasets.json', baseUrl));
  if (!response.ok) throw new Error(`data: fetching datasets.json failed with HTTP ${response.status} (was the site built with npm run build?)`);
  return response.json();
}

// entry: a catalogue entry. onProgress(fraction in [0, 1], text).
export async function loadDataset(baseUrl, entry, onProgress = () => {}) {
  const response = await fetch(new URL(entry.file, baseUrl));
  if (!response.ok) throw new Error(`data: fetching ${entry.file} failed with HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || entry.bytes;
  const bytes = await readAll(response, total, (got, all) => {
    onProgress(Math.min(0.95, (0.95 * got) / all), `Downloading ${entry.file}: ${(got / 1e6).toFixed(2)} of ${(all / 1e6).toFixed(2)} MB`);
  });
  const header = decodeHeader(bytes);
  const stored = bytes.subarray(HEADER_BYTES, HEADER_BYTES + header.payloadBytes);
  onProgress(0.96, 'Unpacking…');
  const payload = header.encoding === 1 ? await gunzip(stored) : stored;
  const data = decodeDataset(header, payload);
  onProgress(1, `${entry.name}: ${data.train.n} training and ${data.test.n} held-out images`);
  return data;
}

// The data set `id` of the catalogue, loaded once into `cache` (a Map), with a progress bar
// and its text.
export async function cachedDataset(cache, catalogue, baseUrl, id, bar, text) {
  if (cache.has(id)) return cache.get(id);
  const entry = catalogue.datasets.find((d) => d.id === id);
  if (!entry) throw new Error(`data set ${id} is not part of this build`);
  const data = await loadDataset(baseUrl, entry, (f, t) => { bar.value = f; text.textContent = t; });
  cache.set(id, data);
  return data;
}
