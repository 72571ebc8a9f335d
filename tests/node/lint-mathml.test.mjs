// The lint rule against sub- and superscripts that hold only an operator name (web/lint.mjs,
// loneOperatorScripts): why it exists (KaTeX's MathML for them has the wrong number of
// children, which Firefox reports as a page error) and that it reports each with its line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import katex from 'katex';
import { lint, loneOperatorScripts } from '../../web/lint.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'fixtures');

// Children of the first <msubsup>/<msub>/<msup> in KaTeX's MathML, by a small tag walk.
function scriptChildren(tex) {
  const html = katex.renderToString(tex, { output: 'mathml' });
  const open = html.match(/<(msubsup|msub|msup)>/);
  const tags = /<(\/?)([a-z]+)[^>]*?(\/?)>/g;
  const rest = html.slice(open.index + open[0].length);
  let depth = 0;
  let children = 0;
  for (let t = tags.exec(rest); t; t = tags.exec(rest)) {
    if (t[3]) children += depth === 0 ? 1 : 0;
    else if (!t[1]) depth += 1;
    else if (depth === 0) break;
    else if (--depth === 0) children += 1;
  }
  return { tag: open[1], children };
}

test('KaTeX gives a script holding only an operator name too many MathML children; \\mathrm does not', () => {
  assert.deepEqual(scriptChildren(String.raw`x_i^{\max}`), { tag: 'msubsup', children: 4 });
  assert.deepEqual(scriptChildren(String.raw`x_{\log}`), { tag: 'msub', children: 3 });
  assert.deepEqual(scriptChildren(String.raw`x_i^{\mathrm{max}}`), { tag: 'msubsup', children: 3 });
  assert.deepEqual(scriptChildren(String.raw`x_{\max_k}`), { tag: 'msub', children: 2 });
});

test('loneOperatorScripts finds each such script with its line, and nothing else', () => {
  const src = [
    String.raw`$x_i^{\max}$ and $y_{ \min }$`,
    String.raw`$x^{\operatorname{foo}}$, $z_{\operatorname*{argmax}}$`,
    String.raw`$x_i^{\mathrm{max}}$, $\max_k x_k$, $x_{\max_k}$, $x^{a \max}$, $e^{\maxi}$, $\infty^{\infty}$`,
    String.raw`{"solution": "$\\eta < 2/\\lambda_{\\max}$, not $\\lambda_{\\mathrm{max}}$"}`,
  ].join('\n');
  const found = loneOperatorScripts({ file: 'a.md', src }).map((e) => [e.line, e.message.split(':')[0]]);
  assert.deepEqual(found, [[1, String.raw`^{\max}`], [1, String.raw`_{ \min }`], [2, String.raw`^{\operatorname{foo}}`], [2, String.raw`_{\operatorname*{argmax}}`], [4, String.raw`_{\\max}`]]);
  assert.match(loneOperatorScripts({ file: 'a.md', src })[0].message, /write \^\{\\mathrm\{max\}\}/);
  assert.match(loneOperatorScripts({ file: 'a.md', src }).at(-1).message, /write _\{\\\\mathrm\{max\}\}/, 'inside JSON, with JSON\'s two backslashes');
});

test('lint reports the pattern in a lesson, with file and line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'convlab-lint-'));
  try {
    await cp(join(fixtures, 'lessons-ok'), dir, { recursive: true });
    const baseline = (await lint(dir)).errors;
    const file = join(dir, '01-first.md');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const at = lines.length;
    lines.push('', String.raw`The largest entry, $x_i^{\max}$, wins.`, '');
    await writeFile(file, lines.join('\n'));
    const { errors } = await lint(dir);
    assert.deepEqual(errors.slice(0, baseline.length), baseline, 'the other checks report what they did before');
    assert.deepEqual(errors.slice(baseline.length).map((e) => [e.file, e.line, e.message.split(':')[0]]), [['01-first.md', at + 2, String.raw`^{\max}`]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
