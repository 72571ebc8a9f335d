// fences.mjs: the two directives of a lesson, both fenced blocks with a JSON body.
//   ```widget toeplitz            (optionally: ```widget toeplitz id=band)
//   {"h": [1, 2, 3], "n": 6}
//   ```
// becomes <div class="widget" data-widget="toeplitz" data-settings='...' id="w-1">, mounted
// in the browser; ```exercise {"id", "question", "answer"|"solution", ...}``` becomes a
// question with a numeric check or a solution shown on demand. Problems go to env.errors.

import { escapeHtml } from './html.mjs';

const ID = /^[A-Za-z0-9_.+-]{1,60}$/;
const EXERCISE_KEYS = new Set(['id', 'question', 'answer', 'tolerance', 'hint', 'solution']);

function parseJson(body, what) {
  const text = body.trim();
  if (!text) return { value: {} };
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: `${what}: the body must be a JSON object` };
    return { value };
  } catch (err) {
    return { error: `${what}: invalid JSON (${err.message})` };
  }
}

function renderWidget(token, env, info, line) {
  const m = /^widget\s+([a-z0-9-]+)(?:\s+id=([A-Za-z0-9_-]+))?\s*$/.exec(info);
  const k = env.widgets.length + 1;
  if (!m) {
    env.errors.push({ line, message: `cannot read widget directive "${info}" (expected: widget <name> [id=<id>])` });
    return errorBox(`bad widget directive: ${info}`);
  }
  const [, name, explicitId] = m;
  const id = `w-${explicitId ?? k}`;
  const { value: settings, error } = parseJson(token.content, `widget ${name}`);
  if (error) {
    env.errors.push({ line, message: error });
    return errorBox(error);
  }
  if (env.widgetNames && !env.widgetNames.has(name)) {
    env.errors.push({ line, message: `unknown widget "${name}" (known: ${[...env.widgetNames].join(', ')})` });
  }
  if (env.widgets.some((w) => w.id === id)) env.errors.push({ line, message: `widget id "${id}" used twice` });
  env.widgets.push({ id, name, settings, line });
  const json = escapeHtml(JSON.stringify(settings));
  return `<div class="widget" data-widget="${name}" data-settings="${json}" id="${id}">` +
    `<p class="widget-loading" role="status">Loading the ${escapeHtml(name)} widget…</p></div>\n`;
}

function renderExercise(token, env, md, line) {
  const { value: ex, error } = parseJson(token.content, 'exercise');
  const problems = [];
  if (error) problems.push(error);
  else {
    for (const key of Object.keys(ex)) if (!EXERCISE_KEYS.has(key)) problems.push(`exercise: unknown field "${key}"`);
    if (typeof ex.id !== 'string' || !ID.test(ex.id)) problems.push('exercise: "id" must be 1-60 letters, digits or . + - _');
    else if (env.exercises.includes(ex.id)) problems.push(`exercise: id "${ex.id}" used twice`);
    if (typeof ex.question !== 'string' || !ex.question.trim()) problems.push('exercise: "question" (Markdown text) is required');
    const numeric = ex.answer !== undefined;
    if (numeric && !(typeof ex.answer === 'number' && Number.isFinite(ex.answer))) problems.push('exercise: "answer" must be a finite number');
    if (!numeric && typeof ex.solution !== 'string') problems.push('exercise: give a numeric "answer" or a Markdown "solution"');
    if (ex.tolerance !== undefined && !(typeof ex.tolerance === 'number' && ex.tolerance >= 0)) problems.push('exercise: "tolerance" must be a number >= 0');
    for (const f of ['hint', 'solution']) if (ex[f] !== undefined && typeof ex[f] !== 'string') problems.push(`exercise: "${f}" must be Markdown text`);
  }
  if (problems.length) {
    for (const message of problems) env.errors.push({ line, message });
    return errorBox(problems[0]);
  }
  env.exercises.push(ex.id);
  const id = `ex-${ex.id}`;
  const question = md.render(ex.question, env);
  let html = `<section class="exercise" id="${id}"`;
  if (ex.answer !== undefined) html += ` data-answer="${ex.answer}" data-tolerance="${ex.tolerance ?? 1e-3}"`;
  html += `>\n<div class="exercise-question">${question}</div>\n`;
  if (ex.answer !== undefined) {
    html += `<form class="exercise-form"><label for="${id}-input">Your answer</label>` +
      `<input id="${id}-input" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">` +
      `<button type="submit">Check</button></form>\n<p class="exercise-feedback" aria-live="polite"></p>\n`;
  }
  if (ex.hint) html += `<details class="exercise-hint"><summary>Hint</summary>${md.render(ex.hint, env)}</details>\n`;
  if (ex.solution) html += `<details class="exercise-solution"><summary>Show solution</summary>${md.render(ex.solution, env)}</details>\n`;
  return `${html}</section>\n`;
}

function errorBox(message) {
  return `<div class="widget-error" role="alert"><strong>This block could not be rendered.</strong> ${escapeHtml(message)}</div>\n`;
}

export function fencesPlugin(md) {
  const fallback = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, i, opts, env, self) => {
    const token = tokens[i];
    const info = token.info.trim();
    const line = (token.map ? token.map[0] : 0) + 1 + (env.lineOffset ?? 0);
    if (env.widgets && /^widget(\s|$)/.test(info)) return renderWidget(token, env, info, line);
    if (env.exercises && info === 'exercise') return renderExercise(token, env, md, line);
    return fallback(tokens, i, opts, env, self);
  };
}
