// stills.mjs: a PNG of each widget in its default state, for the no-script fallback of its
// embed page. Rendered from the built embed pages in headless Chromium (playwright-core) and
// cached in build/stills/ under a hash of everything that draws the widget, so a rebuild only
// renders the widgets that changed. Without Chromium it returns what the cache has and says so.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

// How the stills are taken; part of the cache key.
const SHOT = '720 wide, full page';

async function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

// The widget's own folder, the shared widget code, the theme and the core.
async function sourceHash(root, name) {
  const w = join(root, 'web', 'src', 'widgets');
  const files = [
    ...(await filesUnder(join(w, name))), ...(await filesUnder(join(w, '_lib'))), ...(await filesUnder(join(w, '_lessons'))),
    ...(await filesUnder(join(root, 'web', 'src', 'theme'))), join(root, 'web', 'src', 'mount.js'), join(root, 'build', 'wasm', 'convlab_wasm.wasm'),
  ];
  const hash = createHash('sha256').update(`${SHOT}\n`);
  for (const f of files) if (existsSync(f)) hash.update(f.slice(root.length)).update(await readFile(f));
  return hash.digest('hex').slice(0, 16);
}

// Writes dist/embed/stills/<name>.png for each name it can; returns the set of names written.
export async function renderStills({ root, dist, names, serve }) {
  const cache = join(root, 'build', 'stills');
  const out = join(dist, 'embed', 'stills');
  await mkdir(cache, { recursive: true });
  await mkdir(out, { recursive: true });
  const keyed = await Promise.all(names.map(async (name) => ({ name, file: join(cache, `${name}-${await sourceHash(root, name)}.png`) })));
  const missing = keyed.filter((k) => !existsSync(k.file));
  if (missing.length) {
    try {
      await render(missing, dist, serve);
    } catch (err) {
      console.warn(`build: warning: no still images for ${missing.map((m) => m.name).join(', ')} (${err.message.split('\n')[0]}); their no-script fallbacks show no picture`);
    }
  }
  // Stills of older sources are dropped, so the cache holds one per widget.
  const current = new Set(keyed.map((k) => k.file));
  for (const f of await readdir(cache)) {
    if (f.endsWith('.png') && !current.has(join(cache, f)) && names.some((n) => f.startsWith(`${n}-`) && /^[0-9a-f]{16}\.png$/.test(f.slice(n.length + 1)))) await rm(join(cache, f));
  }
  const done = new Set();
  const rendered = missing.filter((m) => existsSync(m.file)).length;
  for (const { name, file } of keyed) {
    if (!existsSync(file)) continue;
    await cp(file, join(out, `${name}.png`));
    done.add(name);
  }
  console.log(`build: still images: ${done.size} of ${names.length} (${rendered} rendered now, ${done.size - rendered} from build/stills/)`);
  return done;
}

async function render(list, dist, serve) {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing`);
  const server = await serve(dist);
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    // A short viewport: a full-page shot is then exactly as tall as the widget.
    const context = await browser.newContext({ viewport: { width: 720, height: 100 } });
    // Two at a time: the machine is shared; each page is small.
    const queue = [...list];
    await Promise.all([0, 1].map(async () => {
      const page = await context.newPage();
      for (let item = queue.shift(); item; item = queue.shift()) {
        await page.goto(`${server.url}embed/${item.name}.html`);
        await page.waitForSelector('html[data-ready="true"]', { timeout: 30000 });
        await page.evaluate(() => document.fonts.ready);
        await page.waitForTimeout(200);
        await page.screenshot({ path: item.file, fullPage: true });
      }
      await page.close();
    }));
  } finally {
    await browser.close();
    await server.close();
  }
}

// Width and height of a PNG, from its IHDR chunk.
export async function pngSize(file) {
  const b = await readFile(file);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
