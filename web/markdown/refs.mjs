// refs.mjs: cross-references. `{#fig:4}` / `{#sec:name}` / `{#tab:1}` placed in text (for
// example at the end of a heading or a figure caption) define an anchor; `[@eq:2.9]`,
// `[@fig:4]`, ... link to a label defined in any lesson ("(2.9)", "Figure 4"). Equation
// labels come from math.mjs. Labels are gathered while parsing every lesson and resolved at
// render time against the global table (env.globalLabels); an unknown one is a lint error.

import { LABEL, addLabel, labelInfo } from './math.mjs';
import { escapeHtml } from './html.mjs';

const REF = /^\[@((?:eq|fig|sec|tab):[A-Za-z0-9_.-]+)\]/;
const WORDS = { fig: 'Figure', sec: 'Section', tab: 'Table' };

function ref(state, silent) {
  if (state.src[state.pos] !== '[' || state.src[state.pos + 1] !== '@') return false;
  const m = REF.exec(state.src.slice(state.pos, state.posMax));
  if (!m) return false;
  if (!silent) state.push('xref', '', 0).meta = { key: m[1] };
  state.pos += m[0].length;
  return true;
}

function anchor(state, silent) {
  if (state.src[state.pos] !== '{' || state.src[state.pos + 1] !== '#') return false;
  const end = state.src.indexOf('}', state.pos);
  if (end < 0 || end >= state.posMax) return false;
  const m = LABEL.exec(state.src.slice(state.pos, end + 1));
  if (!m || m[2] === 'eq') return false;
  if (!silent) state.push('xanchor', '', 0).meta = { info: labelInfo(m[1]) };
  state.pos = end + 1;
  return true;
}

export function refsPlugin(md) {
  md.inline.ruler.before('link', 'xref', ref);
  md.inline.ruler.before('text', 'xanchor', anchor);
  // Anchors register at parse time (core rule, after inline parsing) so references from
  // lessons parsed earlier or later resolve alike.
  md.core.ruler.push('xanchor_labels', (state) => {
    for (const t of state.tokens) {
      if (t.type !== 'inline' || !t.children) continue;
      for (const c of t.children) {
        if (c.type === 'xanchor') addLabel(state.env, c.meta.info, t.map ? t.map[0] : 0, c.meta.info.name);
      }
    }
  });
  md.renderer.rules.xanchor = (tokens, i) => `<span class="anchor" id="${escapeHtml(tokens[i].meta.info.anchor)}"></span>`;
  md.renderer.rules.xref = (tokens, i, o, env) => {
    const key = tokens[i].meta.key;
    const label = env.globalLabels?.get(key);
    if (!label) {
      const line = (tokens[i].meta.line ?? 0) + 1 + (env.lineOffset ?? 0);
      env.errors?.push({ line, message: `unresolved reference [@${key}]` });
      return `<span class="ref-error" title="unresolved reference">[@${escapeHtml(key)}]</span>`;
    }
    const text = label.kind === 'eq' ? `(${label.number})` : `${WORDS[label.kind]} ${label.number}`;
    const page = env.lesson && label.slug === env.lesson.slug ? '' : env.hrefFor(label.slug);
    return `<a class="xref" href="${escapeHtml(page)}#${escapeHtml(label.anchor)}">${escapeHtml(text)}</a>`;
  };
}
