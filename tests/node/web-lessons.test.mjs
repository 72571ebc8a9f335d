// The lesson pipeline (web/lessons.mjs) and lint (web/lint.mjs) on fixture lessons under
// tests/browser/fixtures/: math, equation numbers, cross-lesson references, widget and
// exercise directives, sanitising, and one error per kind of mistake the lint must catch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import katex from 'katex';
import { parseFrontMatter, readLessons, renderAll } from '../../web/lessons.mjs';
import { lint, teachingProblems } from '../../web/lint.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'fixtures');

async function renderOk() {
  const lessons = await readLessons(join(fixtures, 'lessons-ok'));
  return renderAll(lessons, { widgetNames: new Set(['toeplitz', 'flip', 'conv1d-slide']) });
}

test('front matter: quoted values keep #, comments are dropped, missing block is an error', () => {
  const fm = parseFrontMatter('---\ntitle: "A # b"\nnotes: 2.6-2.9 # range\n---\nbody\n');
  assert.deepEqual(fm.meta, { title: 'A # b', notes: '2.6-2.9' });
  assert.equal(fm.body, 'body\n');
  assert.equal(parseFrontMatter('no front matter').errors.length, 1);
});

test('fixture lessons render without errors', async () => {
  const { pages } = await renderOk();
  assert.deepEqual(pages.flatMap((p) => p.errors), []);
  assert.equal(pages.length, 2);
});

test('labelled display equations carry the notes number and an anchor', async () => {
  const { pages, labels } = await renderOk();
  assert.match(pages[0].html, /<div class="equation" id="eq-2\.6">/);
  assert.match(pages[0].html, /<span class="equation-number">\(2\.6\)<\/span>/);
  assert.equal(labels.get('eq:2.10').slug, '02-second');
});

test('math is KaTeX output rendered at build time; prices and escaped dollars stay text', async () => {
  const { pages } = await renderOk();
  const html = pages[0].html;
  assert.ok(html.includes(katex.renderToString('a^2 + b^2', { output: 'htmlAndMathml' })));
  assert.match(html, /a price of \$5 and \$6, and an escaped \$ sign/);
});

test('references resolve across lessons, forwards and backwards', async () => {
  const { pages } = await renderOk();
  assert.match(pages[0].html, /<a class="xref" href="02-second.html#eq-2\.10">\(2\.10\)<\/a>/);
  assert.match(pages[0].html, /<a class="xref" href="02-second.html#fig-sketch">Figure sketch<\/a>/);
  assert.match(pages[1].html, /<a class="xref" href="01-first.html#eq-2\.6">\(2\.6\)<\/a>/);
  assert.match(pages[0].html, /See <a class="xref" href="#eq-2\.6">/);
});

test('raw HTML is escaped, never passed through', async () => {
  const { pages } = await renderOk();
  assert.ok(!pages[0].html.includes('<script>'));
  assert.match(pages[0].html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test('widget fences become placeholders with escaped JSON settings and stable ids', async () => {
  const { pages } = await renderOk();
  assert.match(pages[0].html, /<div class="widget" data-widget="toeplitz" data-settings="\{&quot;h&quot;:\[1,2,3\],&quot;n&quot;:4\}" id="w-1">/);
  assert.match(pages[0].html, /data-widget="flip" data-settings="\{\}" id="w-second"/);
  assert.deepEqual(pages[0].widgets.map((w) => w.id), ['w-1', 'w-second']);
});

test('exercises: numeric ones get a checked form, others a solution on demand', async () => {
  const { pages } = await renderOk();
  const html = pages[0].html;
  assert.match(html, /<section class="exercise" id="ex-one" data-answer="2" data-tolerance="0.001">/);
  assert.match(html, /<label for="ex-one-input">Your answer<\/label>/);
  assert.match(html, /<details class="exercise-hint"><summary>Hint<\/summary>/);
  assert.match(html, /<details class="exercise-solution"><summary>Show solution<\/summary>/);
});

test('lint passes the good fixtures', async () => {
  const { errors, lessons, widgets } = await lint(join(fixtures, 'lessons-ok'));
  assert.deepEqual(errors, []);
  assert.equal(lessons, 2);
  assert.equal(widgets, 3);
});

test('lint reports every kind of mistake with its line', async () => {
  const { errors } = await lint(join(fixtures, 'lessons-bad'));
  const has = (file, line, pattern) =>
    assert.ok(errors.some((e) => e.file === file && e.line === line && pattern.test(e.message)),
      `expected ${file}:${line} ${pattern}; got\n${errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n')}`);
  has('01-bad.md', 5, /^KaTeX: /);
  has('01-bad.md', 7, /^KaTeX: /);
  has('01-bad.md', 9, /label \{#eq:9\.1\} defined twice/);
  has('01-bad.md', 11, /unexpected text after closing \$\$/);
  has('01-bad.md', 13, /unresolved reference \[@eq:99\.9\]/);
  has('01-bad.md', 15, /unknown widget "no-such-widget"/);
  has('01-bad.md', 19, /"n" must be between 1 and 16/);
  has('01-bad.md', 23, /unknown setting\(s\) colour/);
  has('01-bad.md', 27, /invalid JSON/);
  has('01-bad.md', 31, /"answer" must be a finite number/);
  has('01-bad.md', 1, /missing a "## Exercises" section/);
  has('02-nofront.md', 1, /missing front matter/);
  has('02-nofront.md', 1, /a lesson needs at least one widget/);
  has('02-nofront.md', 3, /never closed/);
});

test('lint: a numeric exercise without a hint or a worked solution is rejected', async () => {
  const { errors } = await lint(join(fixtures, 'lessons-bad'));
  const at = (line) => errors.filter((e) => e.file === '01-bad.md' && e.line === line).map((e) => e.message);
  assert.deepEqual(at(37).filter((m) => /numeric exercise/.test(m)), [
    'exercise "bare": a numeric exercise needs a "hint" (Markdown)',
    'exercise "bare": a numeric exercise needs a "solution" (Markdown)',
  ]);
  assert.deepEqual(at(41), ['exercise "half": a numeric exercise needs a "solution" (Markdown)'], 'a blank solution is no solution');
});

test('lint: a lesson without further reading, or with a reading section without a link, is rejected', async () => {
  const { errors } = await lint(join(fixtures, 'lessons-bad'));
  assert.ok(errors.some((e) => e.file === '01-bad.md' && e.line === 1 && e.message === 'missing a "## Further reading" section'));
  // 03-nolinks.md has the heading; its only link sits inside a code block and does not count.
  assert.ok(errors.some((e) => e.file === '03-nolinks.md' && e.line === 5 && /"## Further reading" section has no link/.test(e.message)));
  assert.ok(!errors.some((e) => e.file === '03-nolinks.md' && /missing a "## Further reading"/.test(e.message)));
});

test('lint: the teaching checks accept a complete lesson', () => {
  const src = '---\ntitle: T\n---\n\n```exercise\n{"id": "a", "question": "Q", "answer": 1, "hint": "H", "solution": "S"}\n```\n\n' +
    '```exercise\n{"id": "b", "question": "Prove it.", "solution": "S"}\n```\n\n## Further reading\n\n- [d2l.ai](https://d2l.ai/)\n';
  assert.deepEqual(teachingProblems(src), []);
  assert.deepEqual(teachingProblems(src.replace(', "hint": "H"', '')).map((e) => e.line), [5]);
});

test('a KaTeX error renders as a red source box, not a blank page', async () => {
  const lessons = await readLessons(join(fixtures, 'lessons-bad'));
  const { pages } = renderAll(lessons, {});
  assert.match(pages[0].html, /<code class="math-error" title="[^"]*">\\frac\{1\}\{<\/code>/);
  assert.match(pages[0].html, /Unresolved <span class="ref-error"/);
});
