// snippets.js: the copy-paste snippets of the "Embed this" pages, from one widget's name,
// title, state and the site's address. DOM-free: the build writes them into each page (default
// state) and the page's script rewrites them for the state in its URL and its real address.

export const FRAME_HEIGHT = 600;

// Attribute values: attr() for "double-quoted", single() for 'single-quoted' (JSON reads best so).
const attr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;');
const single = (s) => String(s).replace(/&/g, '&amp;').replace(/'/g, '&#39;');

// site: the site's root URL ending in '/'; state: plain object or null (the defaults).
export function snippets({ site, name, title, state = null, height = FRAME_HEIGHT, h5p = false }) {
  const src = new URL(`embed/${encodeURIComponent(name)}.html`, site);
  if (state) src.searchParams.set('s', JSON.stringify(state));
  const label = `convlab: ${title}`;
  const json = state ? ` state='${single(JSON.stringify(state))}'` : '';
  const module = `<script type="module" src="${attr(new URL('assets/convlab-widget.js', site).href)}"></script>`;
  const element = `<convlab-widget name="${attr(name)}"${json}></convlab-widget>`;
  const list = [
    {
      id: 'iframe',
      label: 'Plain HTML (iframe that sizes itself)',
      code: `<iframe src="${attr(src.href)}"
        title="${attr(label)}" style="width:100%;border:0" height="${height}" loading="lazy"></iframe>
<script>
  window.addEventListener('message', (e) => {
    if (e.data?.type !== 'convlab:resize') return;
    for (const f of document.querySelectorAll('iframe')) if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';
  });
</script>`,
    },
    { id: 'element', label: 'Custom element (pages that run scripts)', code: `${module}\n${element}` },
    { id: 'myst', label: 'MyST (mystmd, Jupyter Book 2)', code: `:::{iframe} ${src.href}\n:width: 100%\n:title: ${label}\n:::` },
    { id: 'sphinx', label: 'MyST in Sphinx / Jupyter Book 1', code: `\`\`\`{raw} html\n${module}\n${element}\n\`\`\`` },
    { id: 'quarto', label: 'Quarto', code: `\`\`\`{=html}\n${module}\n${element}\n\`\`\`` },
    {
      id: 'lms',
      label: 'Canvas / Moodle (HTML editor; they remove scripts, so the height is fixed)',
      code: `<iframe src="${attr(src.href)}" title="${attr(label)}" width="100%" height="${height}" style="border:0" loading="lazy" allowfullscreen="allowfullscreen"></iframe>`,
    },
  ];
  if (h5p) list.push({ id: 'h5p', label: 'H5P (Moodle, Canvas, any H5P host): upload this package', code: new URL(`h5p/convlab-${name}.h5p`, site).href });
  return list;
}
