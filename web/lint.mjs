// lint.mjs: `node web/lint.mjs [lessons-dir]`, run by scripts/test.sh. Renders every lesson
// through the same pipeline as the build (web/lessons.mjs) and fails on an unknown widget,
// widget settings its validate() rejects or does not know, an unresolved reference, a KaTeX
// error, a bad exercise, or a lesson without a widget, "## Summary" or "## Exercises". On top of
// what the build checks it enforces the teaching structure (teachingProblems below): every
// numeric exercise carries a hint and a worked solution, and every lesson ends with a
// "## Further reading" section holding at least one link.
// It loads widget modules in Node only to call their static validate(); nothing is drawn.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve, relative } from 'node:path';
import { readLessons, renderAll } from './lessons.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export async function lint(dir = join(here, '..', 'lessons')) {
  const { widgets } = await import(pathToFileURL(join(here, 'src', 'widgets', 'registry.js')).href);
  const names = new Set(Object.keys(widgets));
  const lessons = await readLessons(dir);
  const { pages } = renderAll(lessons, { widgetNames: names });
  const errors = pages.flatMap((p) => p.errors);
  for (const page of pages) {
    for (const e of teachingProblems(page.lesson.src)) errors.push({ file: page.lesson.file, ...e });
  }
  for (const page of pages) {
    for (const w of page.widgets) {
      if (!names.has(w.name)) continue;
      const problem = await checkSettings(widgets[w.name], w.settings);
      if (problem) errors.push({ file: page.lesson.file, line: w.line, message: `widget ${w.name}: ${problem}` });
    }
  }
  // Scripts that KaTeX turns into invalid MathML (see loneOperatorScripts).
  for (const lesson of lessons) errors.push(...loneOperatorScripts(lesson));
  return { lessons: pages.length, widgets: pages.reduce((n, p) => n + p.widgets.length, 0), errors };
}

const FENCE_OPEN = /^(`{3,}|~{3,})\s*(.*)$/;
const LINK = /\[[^\]]+\]\([^)\s]+\)/;

// Scans a lesson's source (line numbers as in the file) outside code fences. A student who gets
// a numeric exercise wrong must be able to learn from it, hence the hint and solution; malformed
// exercise JSON is left to the renderer, which already reports it.
export function teachingProblems(src) {
  const problems = [];
  const lines = src.split('\n');
  let fence = null;
  let reading = null;
  let inReading = false;
  lines.forEach((text, i) => {
    const line = i + 1;
    if (fence) {
      const close = /^(`{3,}|~{3,})\s*$/.exec(text);
      if (close && close[1][0] === fence.marker[0] && close[1].length >= fence.marker.length) {
        if (fence.info === 'exercise') problems.push(...exerciseProblems(fence.body.join('\n'), fence.line));
        fence = null;
      } else fence.body.push(text);
      return;
    }
    const open = FENCE_OPEN.exec(text);
    if (open) {
      fence = { marker: open[1], info: open[2].trim(), line, body: [] };
      return;
    }
    if (/^#{1,2}\s/.test(text)) {
      inReading = /^##\s+Further reading\s*(\{#[^}]*\})?\s*$/.test(text);
      if (inReading) reading = { line, links: 0 };
    } else if (inReading && LINK.test(text)) reading.links += 1;
  });
  if (!reading) problems.push({ line: 1, message: 'missing a "## Further reading" section' });
  else if (reading.links === 0) problems.push({ line: reading.line, message: 'the "## Further reading" section has no link' });
  return problems;
}

function exerciseProblems(body, line) {
  let ex;
  try {
    ex = JSON.parse(body);
  } catch {
    return [];
  }
  if (ex === null || typeof ex !== 'object' || ex.answer === undefined) return [];
  const missing = ['hint', 'solution'].filter((f) => typeof ex[f] !== 'string' || !ex[f].trim());
  return missing.map((f) => ({ line, message: `exercise "${ex.id}": a numeric exercise needs a "${f}" (Markdown)` }));
}

async function checkSettings(loader, settings) {
  let Widget;
  try {
    Widget = (await loader()).default;
  } catch (err) {
    return `its module does not load in Node (${err.message}); widget modules must not touch the DOM at import time`;
  }
  if (typeof Widget?.validate !== 'function') return 'the module has no static validate(settings)';
  try {
    const clean = Widget.validate(settings);
    const unknown = Object.keys(settings).filter((k) => !(k in clean));
    if (unknown.length) return `unknown setting(s) ${unknown.join(', ')} (known: ${Object.keys(clean).join(', ')})`;
  } catch (err) {
    return `invalid settings: ${err.message}`;
  }
  return null;
}

// KaTeX writes a sub- or superscript holding only an operator name (x_i^{\max}, x_{\log},
// x^{\operatorname{foo}}) as two MathML nodes without a row around them, so the <msubsup>
// gets four children and Firefox reports invalid markup; \mathrm{max} is one node.
const OPERATOR_NAMES = 'arcsin|arccos|arctan|arctg|arcctg|arg|ch|cos|cosec|cosh|cot|cotg|coth|csc|ctg|cth|deg|det|dim|exp|gcd|hom|inf|ker|lg|lim|liminf|limsup|ln|log|max|min|Pr|sec|sh|sin|sinh|sup|tan|tanh|tg|th';
// One or two backslashes: inside an exercise's JSON a TeX command is written \\max.
const LONE_OPERATOR = new RegExp(String.raw`[\^_]\s*\{\s*(\\{1,2})(?:(${OPERATOR_NAMES})|operatorname\*?\s*\{([^{}]*)\})\s*\}`, 'g');

export function loneOperatorScripts({ file, src }) {
  return src.split('\n').flatMap((text, i) => [...text.matchAll(LONE_OPERATOR)].map((m) => ({
    file,
    line: i + 1,
    message: `${m[0]}: a script holding only an operator name becomes invalid MathML (Firefox reports it); write ${m[0][0]}{${m[1]}mathrm{${m[2] ?? m[3].trim()}}}`,
  })));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const { lessons, widgets, errors } = await lint(dir);
  for (const e of errors) console.error(`${relative(process.cwd(), join(dir ?? join(here, '..', 'lessons'), e.file))}:${e.line}: ${e.message}`);
  console.log(`lint: ${lessons} lesson(s), ${widgets} widget(s), ${errors.length} error(s)`);
  if (errors.length) process.exit(1);
}
