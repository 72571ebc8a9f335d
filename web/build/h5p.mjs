// h5p.mjs: dist/h5p/convlab-<name>.h5p, H5P packages for LMSs' H5P activities (Moodle, Canvas
// through H5P.com, WordPress...). A package is a zip of h5p.json, content/content.json and the
// content type library H5P.ConvlabWidget-1.0/ (web/h5p/: library.json, semantics.json, the
// classic script that mounts the widget and asks the question), to which the build adds a
// self-contained (unsplit) bundle of the custom element with the core's .wasm inlined
// (wasm-inline.js says why) and its style sheet, in assets/ as on the site.
// Exercise answers are computed here with plain loops from the widget's validated defaults.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { uplotLocale } from '../uplot-locale.mjs';
import JSZip from 'jszip';

const LIB = 'H5P.ConvlabWidget-1.0';

function convolveRef(f, h) {
  const out = new Array(f.length + h.length - 1).fill(0);
  for (let t = 0; t < f.length; t++) for (let k = 0; k < h.length; k++) out[t + k] += f[t] * h[k];
  return out;
}

// The packaged widgets: each with a state and a question whose answer follows from it.
export const H5P_WIDGETS = {
  toeplitz: (Widget) => {
    const s = Widget.validate({ h: [1, 2, 3], n: 6 });
    return {
      state: { h: s.h, n: s.n },
      question: `For the signal f = [${s.f.join(', ')}] and kernel h = [${s.h.join(', ')}] of the widget, what is (f ∗ h)[3] (full convolution, indices from 0)? Compute it by hand from H's row 3, then compare with the widget.`,
      answer: convolveRef(s.f, s.h)[3],
      tolerance: 0.001,
    };
  },
};

async function addDir(zip, dir, prefix, keep = () => true) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await addDir(zip, path, `${prefix}${entry.name}/`, keep);
    else if (keep(entry.name)) zip.file(`${prefix}${entry.name}`, await readFile(path));
  }
}

// Returns the set of widget names packaged.
export async function buildH5P({ root, dist, src, titleOf }) {
  const wasm = join(dist, 'wasm', 'convlab_wasm.wasm');
  if (!existsSync(wasm)) {
    console.warn('build: warning: no H5P packages (the .wasm is missing)');
    return new Set();
  }
  const tmp = await mkdtemp(join(tmpdir(), 'convlab-h5p-'));
  try {
    const entry = [join(root, 'web', 'h5p', 'wasm-inline.js'), join(src, 'element', 'convlab-widget.js')];
    await esbuild.build({
      stdin: { contents: entry.map((f) => `import ${JSON.stringify(f)};`).join('\n'), resolveDir: root, loader: 'js' },
      outfile: join(tmp, 'assets', 'convlab-widget.js'),
      alias: { 'convlab-wasm-binary': wasm },
      loader: { '.wasm': 'binary' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
      minify: true,
      external: ['node:*'],
      plugins: [uplotLocale], // uPlot's locale fixed, as in the site's own bundles
      logLevel: 'warning',
    });
    const lib = { 'assets/convlab-widget.js': await readFile(join(tmp, 'assets', 'convlab-widget.js')) };
    lib['assets/convlab-widget.css'] = await readFile(join(dist, 'assets', 'convlab-widget.css'));
    await mkdir(join(dist, 'h5p'), { recursive: true });
    const done = new Set();
    for (const [name, exercise] of Object.entries(H5P_WIDGETS)) {
      const Widget = (await import(pathToFileURL(join(src, 'widgets', name, 'index.js')).href)).default;
      const { state, question, answer, tolerance } = exercise(Widget);
      const zip = new JSZip();
      zip.file('h5p.json', JSON.stringify({
        title: `convlab: ${titleOf(name)}`,
        language: 'und',
        mainLibrary: 'H5P.ConvlabWidget',
        embedTypes: ['div', 'iframe'],
        license: 'U',
        preloadedDependencies: [{ machineName: 'H5P.ConvlabWidget', majorVersion: 1, minorVersion: 0 }],
      }, null, 2));
      zip.file('content/content.json', JSON.stringify({ widget: name, state: JSON.stringify(state), question, answer, tolerance }, null, 2));
      // The library's own files; wasm-inline.js is already in the bundle.
      await addDir(zip, join(root, 'web', 'h5p'), `${LIB}/`, (f) => f !== 'wasm-inline.js');
      for (const [path, bytes] of Object.entries(lib)) zip.file(`${LIB}/${path}`, bytes);
      const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
      await writeFile(join(dist, 'h5p', `convlab-${name}.h5p`), bytes);
      done.add(name);
    }
    return done;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
