// math.mjs: markdown-it rules for `$...$` (inline) and `$$...$$` (display) math, rendered by
// KaTeX at build time with throwOnError, so a TeX mistake becomes a lint error with a line
// number instead of a blank page. A display equation may carry a label after its closing
// `$$`, e.g. `$$ ... $$ {#eq:2.9}`: it renders numbered "(2.9)" with the anchor id "eq-2.9".
// Errors never throw out of rendering: the source shows in a red box and env.errors grows.

import katex from 'katex';
import { escapeHtml } from './html.mjs';

export const LABEL = /^\{#((eq|fig|sec|tab):([A-Za-z0-9_.-]+))\}$/;

// trust: false (KaTeX's default) keeps \href, \url, \htmlClass and friends out.
export function renderTex(tex, { displayMode = false, tag = null } = {}) {
  const body = tag ? `${tex}\n\\tag{${tag}}` : tex;
  return katex.renderToString(body, { displayMode, throwOnError: true, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
}

export function labelInfo(key) {
  const m = LABEL.exec(`{#${key}}`);
  return m ? { key, kind: m[2], name: m[3], anchor: key.replace(':', '-') } : null;
}

function mathBlock(state, startLine, endLine, silent) {
  let pos = state.bMarks[startLine] + state.tShift[startLine];
  let max = state.eMarks[startLine];
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  if (state.src.slice(pos, pos + 2) !== '$$') return false;
  if (silent) return true;
  pos += 2;
  let line = startLine;
  let tex = '';
  let rest = null;
  for (;;) {
    const text = state.src.slice(pos, max);
    const close = findClose(text);
    if (close >= 0) {
      tex += text.slice(0, close);
      rest = text.slice(close + 2).trim();
      break;
    }
    tex += text + '\n';
    line++;
    if (line >= endLine) break;
    pos = state.bMarks[line] + state.tShift[line];
    max = state.eMarks[line];
  }
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = tex.trim();
  token.map = [startLine, line + 1];
  token.meta = { label: null, problem: null };
  if (rest === null) token.meta.problem = 'display math opened with $$ is never closed';
  else if (rest) {
    const m = LABEL.exec(rest);
    if (!m) token.meta.problem = `unexpected text after closing $$: "${rest}" (only a label like {#eq:2.9} may follow)`;
    else if (m[2] !== 'eq') token.meta.problem = `a display equation takes an {#eq:...} label, not {#${m[1]}}`;
    else {
      token.meta.label = labelInfo(m[1]);
      addLabel(state.env, token.meta.label, startLine, m[3]);
    }
  }
  state.line = line + 1;
  return true;
}

// Index of the first unescaped `$$` in text, or -1.
function findClose(text) {
  for (let i = 0; i < text.length - 1; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '$' && text[i + 1] === '$') return i;
  }
  return -1;
}

export function addLabel(env, info, line, number) {
  if (!env.labels) return;
  const where = line + 1 + (env.lineOffset ?? 0);
  if (env.labels.has(info.key)) env.errors.push({ line: where, message: `label {#${info.key}} defined twice` });
  else env.labels.set(info.key, { ...info, number, line: where });
}

// Pandoc's rule: `$` opens when followed by a non-space, closes when preceded by a non-space
// and not followed by a digit, so "costs $5 and $6" stays text.
function mathInline(state, silent) {
  const src = state.src;
  let pos = state.pos;
  if (src[pos] !== '$') return false;
  const display = src[pos + 1] === '$';
  const open = display ? 2 : 1;
  const start = pos + open;
  if (start >= state.posMax || /\s/.test(src[start])) return false;
  for (let i = start; i < state.posMax; i++) {
    if (src[i] === '\\') { i++; continue; }
    if (src[i] !== '$') continue;
    if (display) {
      if (src[i + 1] !== '$') continue;
    } else if (/\s/.test(src[i - 1]) || /\d/.test(src[i + 1] ?? '')) continue;
    if (!silent) {
      const token = state.push('math_inline', 'math', 0);
      token.content = src.slice(start, i);
      token.meta = { display };
    }
    state.pos = i + open;
    return true;
  }
  return false;
}

function lineOf(env, token) {
  return (token.map ? token.map[0] : token.meta?.line ?? 0) + 1 + (env.lineOffset ?? 0);
}

function renderSafely(env, token, opts) {
  try {
    return renderTex(token.content, opts);
  } catch (err) {
    env.errors?.push({ line: lineOf(env, token), message: `KaTeX: ${err.message}` });
    return `<code class="math-error" title="${escapeHtml(err.message)}">${escapeHtml(token.content)}</code>`;
  }
}

export function mathPlugin(md) {
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.inline.ruler.after('escape', 'math_inline', mathInline);
  // Inline tokens carry no line map; give each child its block's line for error messages.
  md.core.ruler.push('math_lines', (state) => {
    for (const t of state.tokens) {
      if (t.type !== 'inline' || !t.children) continue;
      for (const c of t.children) c.meta = { ...(c.meta ?? {}), line: t.map ? t.map[0] : 0 };
    }
  });
  md.renderer.rules.math_inline = (tokens, i, o, env) =>
    renderSafely(env, tokens[i], { displayMode: tokens[i].meta.display });
  md.renderer.rules.math_block = (tokens, i, o, env) => {
    const t = tokens[i];
    if (t.meta.problem) env.errors?.push({ line: lineOf(env, t), message: t.meta.problem });
    const label = t.meta.label;
    const html = renderSafely(env, t, { displayMode: true });
    if (!label) return `<div class="equation"><div class="equation-math">${html}</div></div>\n`;
    // The number sits beside the math rather than in KaTeX's \tag, whose absolutely placed
    // number overlaps a wide equation on a narrow screen; this way the math scrolls alone.
    return `<div class="equation" id="${escapeHtml(label.anchor)}"><div class="equation-math">${html}</div>` +
      `<span class="equation-number">(${escapeHtml(label.name)})</span></div>\n`;
  };
}
