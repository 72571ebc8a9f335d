// embed-assets.mjs: the build's embedding outputs (called by web/build.mjs after the bundles):
//   dist/embed/<name>.html          one embed page per widget: its static content is the
//                                   no-script fallback (title, still image, link to a new tab)
//   dist/embed.html                 rewritten with the same fallback (title and link only)
//   dist/embed/stills/<name>.png    the stills (stills.mjs; cached in build/stills/)
//   dist/oembed/<name>.json         oEmbed "rich" responses, discovered from the embed pages
//   dist/embed-this/<name>.html     copy-paste snippets (iframe, element, MyST, Quarto, LMS, H5P)
//   dist/assets/convlab-widget.js   the <convlab-widget> custom element (+ its .css)
//   dist/h5p/convlab-<name>.h5p     H5P packages (h5p.mjs)
//   dist/_headers                   static hosts' headers (web/headers.mjs)
// Absolute URLs (oEmbed, the build-time snippets) use $CONVLAB_SITE_URL, the address the site
// will be served from; without it they stay relative to the site root and the pages' script
// fills in the real address.

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { uplotLocale } from '../uplot-locale.mjs';
import { shell } from '../pages.mjs';
import { escapeHtml } from '../markdown/html.mjs';
import { headersFile } from '../headers.mjs';
import { snippets, FRAME_HEIGHT } from '../src/element/snippets.js';
import { renderStills, pngSize } from './stills.mjs';
import { buildH5P } from './h5p.mjs';
import { startServer } from '../serve.mjs';

// Human titles; a widget missing here is titled by its name.
export const TITLES = {
  'conv1d-slide': 'Sliding a kernel along a signal (1-D convolution)',
  toeplitz: 'The Toeplitz matrix of a convolution',
  flip: 'Cross-correlation against convolution',
  'gd-vs-sgd': 'Gradient descent against stochastic gradient descent',
  'jacobian-chain': 'The chain rule with Jacobians',
  'backprop-steps': 'Backpropagation step by step',
  'fourier-sum': 'A Fourier sum of a sampled Gaussian',
  'shift-invariance': 'Shift invariance of convolution',
  connectivity: 'Dense, locally connected and convolutional layers',
  'conv2d-explorer': '2-D convolution of a digit',
  'receptive-field': 'Receptive fields of stacked convolutions',
  'weight-sharing-grad': 'The gradient of a shared weight',
  'fft-conv': 'Convolution through the FFT',
  'conv-benchmark': 'Timing the convolution methods',
  'pooling-shift': 'Pooling and small shifts',
  'channel-counter': 'Counting the parameters of a conv layer',
  'lenet-shapes': 'The shapes through LeNet-5',
  'inception-savings': 'The savings of 1x1 convolutions (Inception)',
};
export const titleOf = (name) => TITLES[name] ?? name;

const PLACEHOLDER_SITE = 'https://convlab.invalid/';

// name null: dist/embed.html, which learns its widget from ?widget= and so, without scripts,
// can only offer the link.
function embedWidgetPage(name, { still = null, oembed = null } = {}) {
  const title = name === null ? 'An interactive convlab widget' : titleOf(name);
  const img = still ? `<img class="embed-still" style="max-width:100%;height:auto" src="stills/${name}.png" width="${still.width}" height="${still.height}" alt="${escapeHtml(title)}: the widget in its default state">\n` : '';
  const data = name === null ? '' : ` data-widget="${escapeHtml(name)}"`;
  const body = `<div id="embed" class="widget"${data}>
<div class="embed-fallback">
<p class="embed-title"><strong>${escapeHtml(title)}</strong> · convlab</p>
<p><a href="" target="_blank" rel="noopener">Open the interactive widget in a new tab</a> (this frame does not run scripts; below, a picture of it).</p>
${img}</div>
</div>`;
  const page = shell({ title: `${title} · convlab`, base: name === null ? '' : '../', body, script: 'embed.js', bodyClass: 'embed' });
  if (!oembed) return page;
  const link = `<link rel="alternate" type="application/json+oembed" href="${escapeHtml(oembed)}" title="${escapeHtml(title)}">\n`;
  return page.replace('</head>', `${link}</head>`);
}

function embedThisPage(name, { site, height, h5p }) {
  const title = titleOf(name);
  const list = snippets({ site, name, title, height, h5p });
  const blocks = list.map((s) => `<section data-snippet="${s.id}">
<h2>${escapeHtml(s.label)}</h2>
<pre><code>${escapeHtml(s.code)}</code></pre>
<p><button type="button" class="copy-snippet">Copy</button> <span class="link-status" role="status"></span></p>
</section>`).join('\n');
  const download = h5p ? `<p><a href="../h5p/convlab-${name}.h5p" download>Download the H5P package</a> (a widget with a question; results are reported as xAPI).</p>\n` : '';
  const body = `<article id="embed-this" data-widget="${escapeHtml(name)}" data-title="${escapeHtml(title)}" data-height="${height}" data-h5p="${h5p}">
<h1>Embed “${escapeHtml(title)}”</h1>
<p>Preview: <a href="../embed/${name}.html">the embed page</a>. Fields left out of a state keep their defaults.</p>
<p id="embed-state" role="status"></p>
${download}${blocks}
<p><a href="../index.html">All lessons</a></p>
</article>`;
  return shell({ title: `Embed ${title} · convlab`, base: '../', body, script: 'embed-this.js' });
}

// The custom element and the "Embed this" script, split like the site's own bundles, and the
// element's style sheet: the site's, with the theme's :root variables moved to the shadow host.
async function bundleElement({ src, dist }) {
  await esbuild.build({
    entryPoints: { 'convlab-widget': join(src, 'element', 'convlab-widget.js'), 'embed-this': join(src, 'element', 'embed-this.js') },
    outdir: join(dist, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: true,
    chunkNames: 'element-[hash]',
    external: ['node:*'],
    plugins: [uplotLocale], // uPlot's locale fixed, as in the site's own bundles
    logLevel: 'warning',
  });
  const css = await readFile(join(dist, 'assets', 'app.css'), 'utf8');
  const host = ':host{display:block;color:var(--fg);background:var(--bg);font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}';
  await writeFile(join(dist, 'assets', 'convlab-widget.css'), `${css.replace(/:root\b/g, ':host')}\n${host}\n`);
}

export async function buildEmbedAssets({ root, dist, src }) {
  const { widgets } = await import(pathToFileURL(join(src, 'widgets', 'registry.js')).href);
  const names = Object.keys(widgets);
  const site = process.env.CONVLAB_SITE_URL ? new URL(process.env.CONVLAB_SITE_URL.replace(/\/?$/, '/')) : null;
  await bundleElement({ src, dist });
  await mkdir(join(dist, 'embed'), { recursive: true });
  const oembedHref = (name) => (site ? new URL(`oembed/${name}.json`, site).href : `../oembed/${name}.json`);
  // First without pictures (the stills are taken from these pages), then with them.
  for (const name of names) await writeFile(join(dist, 'embed', `${name}.html`), embedWidgetPage(name, { oembed: oembedHref(name) }));
  const done = existsSync(join(dist, 'wasm', 'convlab_wasm.wasm'))
    ? await renderStills({ root, dist, names, serve: (dir) => startServer({ root: dir, port: 0 }) })
    : new Set();
  const h5p = await buildH5P({ root, dist, src, titleOf });
  await mkdir(join(dist, 'oembed'), { recursive: true });
  await mkdir(join(dist, 'embed-this'), { recursive: true });
  for (const name of names) {
    const still = done.has(name) ? await pngSize(join(dist, 'embed', 'stills', `${name}.png`)) : null;
    await writeFile(join(dist, 'embed', `${name}.html`), embedWidgetPage(name, { still, oembed: oembedHref(name) }));
    const height = still ? Math.min(still.height, 1600) : FRAME_HEIGHT;
    const lms = snippets({ site: site ?? PLACEHOLDER_SITE, name, title: titleOf(name), height }).find((s) => s.id === 'lms');
    const oembed = {
      version: '1.0',
      type: 'rich',
      provider_name: 'convlab',
      title: titleOf(name),
      html: site ? lms.code : lms.code.replaceAll(PLACEHOLDER_SITE, '/'),
      width: 720,
      height,
      ...(site ? { provider_url: site.href } : {}),
      ...(still && site ? { thumbnail_url: new URL(`embed/stills/${name}.png`, site).href, thumbnail_width: still.width, thumbnail_height: still.height } : {}),
    };
    await writeFile(join(dist, 'oembed', `${name}.json`), `${JSON.stringify(oembed, null, 2)}\n`);
    await writeFile(join(dist, 'embed-this', `${name}.html`), embedThisPage(name, { site: site ?? PLACEHOLDER_SITE, height, h5p: h5p.has(name) }));
  }
  await writeFile(join(dist, 'embed.html'), embedWidgetPage(null));
  await writeFile(join(dist, '_headers'), headersFile());
  if (!site) console.log('build: oEmbed and snippets use site-relative URLs; set CONVLAB_SITE_URL to the public address to make them absolute');
}
