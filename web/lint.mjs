// lint.mjs: `node web/lint.mjs [lessons-dir]`, run by scripts/test.sh. Renders every lesson
// through the same pipeline as the build (web/lessons.mjs) and fails on an unknown widget,
// widget settings its validate() rejects or does not know, an unresolved reference, a KaTeX
// error, a bad exercise, or a lesson without a widget, "## Summary" or "## Exercises".
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
