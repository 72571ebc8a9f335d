// pages.mjs: the HTML shells the build writes around rendered content: lesson pages, the
// index, the embed page and the training page. Paths are relative (`base`), so dist/ works
// from any folder of any static host. Scripts are external modules only (see csp.mjs).

import { CSP_META } from './csp.mjs';
import { escapeHtml } from './markdown/html.mjs';

export function shell({ title, base, body, script = null, bodyClass = '', status = false }) {
  const js = script ? `<script type="module" src="${base}assets/${script}"></script>\n` : '';
  const core = status ? `<span id="core-status" class="core-status" role="status">Loading the WebAssembly core…</span>` : '';
  const chrome = bodyClass === 'embed' ? '' : `<header class="site-header"><div class="inner"><a class="brand" href="${base}index.html">convlab</a>${core}</div></header>
<p id="page-errors" class="page-errors" role="alert" hidden></p>\n`;
  const footer = bodyClass === 'embed' ? '' : `<footer class="site-footer"><div class="inner">convlab: convolutions computed by a C++ core compiled to WebAssembly, running in this page.</div></footer>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="${CSP_META}">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${base}assets/katex/katex.min.css">
<link rel="stylesheet" href="${base}assets/app.css">
${js}</head>
<body${bodyClass ? ` class="${bodyClass}"` : ''}>
${chrome}<main>
${body}
</main>
${footer}</body>
</html>
`;
}

export function lessonPage(page, prev, next) {
  const { lesson } = page;
  const range = lesson.meta.notes ? `<p class="notes-range">Follows the notes, ${escapeHtml(lesson.meta.notes)}.</p>\n` : '';
  const link = (p, rel, text) => (p ? `<a rel="${rel}" href="${p.lesson.slug}.html">${text}: ${escapeHtml(p.title)}</a>` : '<span></span>');
  // A lesson that opens with its own "# Title" keeps it; otherwise the front matter's title.
  const own = /^\s*<h1[^>]*>[\s\S]*?<\/h1>\n?/.exec(page.html);
  const heading = own ? own[0] : `<h1>${escapeHtml(page.title)}</h1>\n`;
  const content = own ? page.html.slice(own[0].length) : page.html;
  const body = `<article class="lesson">
${heading}${range}${content}</article>
<nav class="pager" aria-label="Lessons">${link(prev, 'prev', '← Previous')}<a href="../index.html">All lessons</a>${link(next, 'next', 'Next →')}</nav>`;
  return shell({ title: `${page.title} · convlab`, base: '../', body, script: 'lesson.js', status: true });
}

export function indexPage(pages, { train }) {
  const items = pages.map((p) => `<li><a href="lessons/${p.lesson.slug}.html"><span class="num">${p.lesson.num}</span>${escapeHtml(p.title)}</a>` +
    (p.lesson.meta.notes ? `<span class="range">Notes ${escapeHtml(p.lesson.meta.notes)}</span>` : '') + '</li>').join('\n');
  const trainLink = train ? '<p><a href="train.html">Train LeNet-5 in your browser →</a></p>\n' : '';
  const body = `<h1>Convolutions, interactively</h1>
<p>Lessons following the deep-learning lecture notes. Every number in a widget is computed by convlab's C++ core, compiled to WebAssembly and running in this page.</p>
${trainLink}<ol class="lesson-list">
${items}
</ol>`;
  return shell({ title: 'convlab lessons', base: '', body });
}

export function embedPage() {
  return shell({ title: 'convlab widget', base: '', body: '<div id="embed" class="widget"><p class="widget-loading" role="status">Loading the WebAssembly core…</p></div>', script: 'embed.js', bodyClass: 'embed' });
}

export function trainPage(fragment) {
  return shell({ title: 'Train LeNet-5 · convlab', base: '', body: fragment, script: 'train.js', status: true });
}
