// html.mjs: escaping text for HTML, the one helper every page writer and markdown renderer
// shares (pages.mjs, math, fences, refs), kept apart so that none of them imports another's
// rendering code to get it.

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
