// lessons.mjs: the one Markdown pipeline that both web/build.mjs (writes dist/) and
// web/lint.mjs (fails `npm test`) run, so what the lint checks is exactly what ships.
// It reads lessons/NN-slug.md, renders math with KaTeX at build time, numbers equations with
// the notes' labels, resolves cross-references across all lessons, and turns `widget` and
// `exercise` fences into placeholders the browser runtime mounts. It never touches the DOM
// and never runs widget code; checking widget settings is the lint's job (lint.mjs).

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { mathPlugin, renderTex } from './markdown/math.mjs';
import { refsPlugin } from './markdown/refs.mjs';
import { fencesPlugin } from './markdown/fences.mjs';

export const LESSON_FILE = /^(\d\d)-([a-z0-9-]+)\.md$/;

// A markdown-it with raw HTML disabled: lesson text can never inject markup or scripts.
export function createMarkdown() {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: true });
  // Smart quotes yes, but not the (c) -> © / +- -> ± replacements: lessons enumerate (a), (b), (c).
  md.disable('replacements');
  md.use(mathPlugin).use(refsPlugin).use(fencesPlugin);
  // Links may only point to http(s), relative paths and anchors (markdown-it already refuses
  // javascript:, vbscript:, file: and most data: URLs; this keeps outside links explicit).
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((t, i, o, e, s) => s.renderToken(t, i, o));
  md.renderer.rules.link_open = (tokens, i, opts, env, self) => {
    const href = tokens[i].attrGet('href') ?? '';
    if (/^https?:/i.test(href)) tokens[i].attrSet('rel', 'noopener noreferrer');
    return defaultLinkOpen(tokens, i, opts, env, self);
  };
  return md;
}

// Front matter: a `---` block of `key: value` lines (values may be "quoted"; # starts a
// comment outside quotes). Deliberately not YAML: nothing nested is needed.
export function parseFrontMatter(src) {
  const meta = {};
  const errors = [];
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(src);
  if (!m) return { meta, body: src, bodyLine: 0, errors: [{ line: 1, message: 'missing front matter (--- title: ... ---)' }] };
  m[1].split(/\r?\n/).forEach((line, k) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(t);
    if (!kv) {
      errors.push({ line: k + 2, message: `front matter: cannot read "${t}"` });
      return;
    }
    let v = kv[2];
    const q = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(v);
    if (q) v = q[1] !== undefined ? q[1].replace(/\\(.)/g, '$1') : q[2];
    else v = v.replace(/\s+#.*$/, '').trim();
    meta[kv[1]] = v;
  });
  const bodyLine = m[0].split('\n').length - 1;
  return { meta, body: src.slice(m[0].length), bodyLine, errors };
}

// Reads every lessons/NN-slug.md, in order. Other files (README.md, assets/) are ignored.
export async function readLessons(dir) {
  const names = (await readdir(dir)).filter((f) => LESSON_FILE.test(f)).sort();
  const lessons = [];
  for (const file of names) {
    const [, num, slug] = LESSON_FILE.exec(file);
    const src = await readFile(join(dir, file), 'utf8');
    const fm = parseFrontMatter(src);
    lessons.push({ file, num, slug: `${num}-${slug}`, src, ...fm });
  }
  return lessons;
}

// Parses every lesson once to collect its labels, then renders each with the global table.
// Returns { pages: [{ lesson, html, title, widgets, exercises, errors }], labels }.
// errors: [{ file, line, message }], lines counted in the .md file. `widgetNames` (a Set)
// enables the unknown-widget check; pass null to skip it.
export function renderAll(lessons, { widgetNames = null, hrefFor = (slug) => `${slug}.html` } = {}) {
  const md = createMarkdown();
  const labels = new Map();
  const parsed = lessons.map((lesson) => {
    const env = { lesson, labels: new Map(), errors: [], widgets: [], exercises: [], lineOffset: lesson.bodyLine };
    const tokens = md.parse(lesson.body, env);
    for (const [key, label] of env.labels) {
      const prior = labels.get(key);
      if (prior) env.errors.push({ line: label.line, message: `label {#${key}} already defined in ${prior.slug}.md` });
      else labels.set(key, { ...label, slug: lesson.slug });
    }
    return { lesson, env, tokens };
  });
  const pages = parsed.map(({ lesson, env, tokens }) => {
    env.globalLabels = labels;
    env.hrefFor = hrefFor;
    env.widgetNames = widgetNames;
    const html = md.renderer.render(tokens, md.options, env);
    const errors = [...lesson.errors, ...env.errors].map((e) => ({ file: lesson.file, ...e }));
    errors.push(...structureErrors(lesson, tokens, env).map((e) => ({ file: lesson.file, ...e })));
    return { lesson, html, title: lesson.meta.title ?? lesson.slug, widgets: env.widgets, exercises: env.exercises, errors };
  });
  return { pages, labels };
}

// Every lesson: a title, at least one widget, and "## Summary" then "## Exercises" sections.
function structureErrors(lesson, tokens, env) {
  const errors = [];
  if (!lesson.meta.title) errors.push({ line: 1, message: 'front matter has no title' });
  const h2 = [];
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open' && t.tag === 'h2') h2.push(tokens[i + 1].content.replace(/\s*\{#[^}]*\}\s*$/, '').trim());
  });
  for (const name of ['Summary', 'Exercises']) {
    if (!h2.includes(name)) errors.push({ line: 1, message: `missing a "## ${name}" section` });
  }
  if (env.widgets.length === 0) errors.push({ line: 1, message: 'a lesson needs at least one widget' });
  return errors;
}

export { renderTex };
