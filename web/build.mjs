// build.mjs: writes the static site into dist/ (run by scripts/build.sh after the wasm build).
//   dist/index.html, dist/lessons/NN-slug.html   lessons rendered at build time (lessons.mjs)
//   dist/embed.html, dist/train.html             one widget for iframes; the training page
//   dist/assets/                                 esbuild bundles (ES modules, split), app.css,
//                                                KaTeX's CSS and fonts (no CDN)
//   dist/wasm/convlab_wasm.wasm                  the core, copied from build/wasm, and the
//   dist/wasm/convlab_wasm_mt.{js,wasm,worker.js} threaded module beside it
// Lesson problems are printed as warnings here (pages still render, with error boxes);
// web/lint.mjs is what fails on them.

import { cp, lstat, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { readLessons, renderAll } from './lessons.mjs';
import { embedPage, indexPage, lessonPage, trainPage } from './pages.mjs';
import { uplotLocale } from './uplot-locale.mjs';
import { packData } from './pack-data.mjs';
import { buildEmbedAssets } from './build/embed-assets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.CONVLAB_DIST ?? join(root, 'dist');
const src = join(root, 'web', 'src');
const wasmDir = join(root, 'build', 'wasm');

async function buildPages(lessonsDir, { train }) {
  const { widgets } = await import(pathToFileURL(join(src, 'widgets', 'registry.js')).href);
  const lessons = await readLessons(lessonsDir);
  const { pages } = renderAll(lessons, { widgetNames: new Set(Object.keys(widgets)) });
  await mkdir(join(dist, 'lessons'), { recursive: true });
  for (const [i, page] of pages.entries()) {
    for (const e of page.errors) console.warn(`build: warning: lessons/${e.file}:${e.line}: ${e.message}`);
    await writeFile(join(dist, 'lessons', `${page.lesson.slug}.html`), lessonPage(page, pages[i - 1], pages[i + 1]));
  }
  // Lesson assets (images, small data); scripts beside them (answer checkers) stay out of dist/.
  const assets = join(lessonsDir, 'assets');
  if (existsSync(assets)) await copyAssets(assets, join(dist, 'lessons', 'assets'));
  await writeFile(join(dist, 'index.html'), indexPage(pages, { train }));
  await writeFile(join(dist, 'embed.html'), embedPage());
  return pages.length;
}

const SCRIPT = /\.(py|mjs|js|sh)$/i;

// Copies lesson assets as plain files: a symbolic link is replaced by its target's content
// when the target lies inside the repository, and refused otherwise, so that dist/ (which
// is served) never holds a link that could lead out of it.
export async function copyAssets(from, to, repo = root) {
  const top = await realpath(repo);
  await mkdir(to, { recursive: true });
  for (const name of (await readdir(from)).sort()) {
    if (SCRIPT.test(name)) continue;
    let source = join(from, name);
    if ((await lstat(source)).isSymbolicLink()) {
      const target = await realpath(source);
      if (!target.startsWith(top + sep)) throw new Error(`build: ${relative(repo, source)} is a symbolic link out of the repository (to ${target}); refusing to copy it`);
      source = target;
    }
    if ((await stat(source)).isDirectory()) await copyAssets(source, join(to, name), repo);
    else await cp(source, join(to, name));
  }
}

// The wasm glue is imported by web/bindings/convlab.js and bundled; only the .wasm is copied.
async function bundle(train) {
  const entryPoints = { lesson: join(src, 'lesson.js'), embed: join(src, 'embed.js') };
  if (train) {
    entryPoints.train = join(src, 'train', 'main.js');
    if (existsSync(join(src, 'train', 'worker.js'))) entryPoints['train-worker'] = join(src, 'train', 'worker.js');
    if (existsSync(join(src, 'train', 'compare', 'worker.js'))) entryPoints['compare-worker'] = join(src, 'train', 'compare', 'worker.js');
  }
  await esbuild.build({
    entryPoints,
    outdir: join(dist, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: true,
    // Chunks sit beside the entries, so every module's import.meta.url finds ../wasm/ alike.
    chunkNames: '[name]-[hash]',
    // The bindings reach node:fs only when running under Node; browsers never take that path.
    external: ['node:*'],
    plugins: [uplotLocale],
    logLevel: 'warning',
  });
  const styles = [join(src, 'theme', 'main.css')];
  for (const name of (await readdir(join(src, 'widgets'))).sort()) {
    const file = join(src, 'widgets', name, 'style.css');
    if (existsSync(file)) styles.push(file);
  }
  if (train && existsSync(join(src, 'train', 'style.css'))) styles.push(join(src, 'train', 'style.css'));
  await esbuild.build({
    stdin: { contents: styles.map((f) => `@import ${JSON.stringify(f)};`).join('\n'), resolveDir: root, loader: 'css' },
    outfile: join(dist, 'assets', 'app.css'),
    bundle: true,
    minify: true,
    logLevel: 'warning',
  });
}

async function copyStatic() {
  const katex = join(root, 'node_modules', 'katex', 'dist');
  await mkdir(join(dist, 'assets', 'katex'), { recursive: true });
  await cp(join(katex, 'katex.min.css'), join(dist, 'assets', 'katex', 'katex.min.css'));
  // woff2 is enough for every browser that runs WebAssembly SIMD.
  await mkdir(join(dist, 'assets', 'katex', 'fonts'), { recursive: true });
  for (const f of await readdir(join(katex, 'fonts'))) {
    if (f.endsWith('.woff2')) await cp(join(katex, 'fonts', f), join(dist, 'assets', 'katex', 'fonts', f));
  }
  const wasm = join(wasmDir, 'convlab_wasm.wasm');
  if (existsSync(wasm)) {
    await mkdir(join(dist, 'wasm'), { recursive: true });
    await cp(wasm, join(dist, 'wasm', 'convlab_wasm.wasm'));
    // The threaded module, loaded at run time on cross-origin isolated pages (threads.js).
    for (const f of ['convlab_wasm_mt.js', 'convlab_wasm_mt.wasm', 'convlab_wasm_mt.worker.js']) {
      if (existsSync(join(wasmDir, f))) await cp(join(wasmDir, f), join(dist, 'wasm', f));
    }
  } else {
    console.warn('build: warning: build/wasm/convlab_wasm.wasm is missing; widgets will show an error box');
  }
}

// The training page: its fragment (web/src/train/page.html, inside <main>) and its data
// sets, packed into build/data (a cache dist/'s clean leaves alone) and copied to dist/data/.
async function buildTrain() {
  const page = join(src, 'train', 'page.html');
  const fragment = existsSync(page) ? await readFile(page, 'utf8') : '<div id="train"></div>';
  await writeFile(join(dist, 'train.html'), trainPage(fragment));
  const cache = join(root, 'build', 'data');
  const catalogue = packData({ root, outDir: cache, log: (m) => console.log(`build: ${m}`) });
  await mkdir(join(dist, 'data'), { recursive: true });
  for (const file of ['datasets.json', ...catalogue.datasets.map((d) => d.file)]) {
    await cp(join(cache, file), join(dist, 'data', file));
  }
}

export async function build({ lessonsDir = join(root, 'lessons') } = {}) {
  const t0 = Date.now();
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const train = existsSync(join(src, 'train', 'main.js'));
  const n = await buildPages(lessonsDir, { train });
  await bundle(train);
  await copyStatic();
  if (train) await buildTrain();
  await buildEmbedAssets({ root, dist, src });
  const size = (await stat(join(dist, 'assets', 'lesson.js'))).size;
  console.log(`build: ${n} lesson(s) into ${relative(process.cwd(), dist) || '.'}/ in ${Date.now() - t0} ms (lesson.js ${Math.round(size / 1024)} kB)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build({ lessonsDir: process.argv[2] });
}
