// uplot-locale.mjs: an esbuild plugin for web/build.mjs. uPlot builds its number formatter
// from navigator.language while its module loads, and that throws when the browser reports
// a tag that is not one (WebKitGTK under the C locale says "C"): every plot, and every page
// importing uPlot, would then fail. The bundled uPlot gets the site's fixed locale instead,
// so its axis labels read like the rest of the site (web/src/lib/format.js).
import { readFile } from 'node:fs/promises';
import { LOCALE } from './src/lib/format.js';

const FILTER = /[\\/]uplot[\\/]dist[\\/]uPlot\.(esm\.)?js$/;
const PATTERN = /new Intl\.NumberFormat\(domEnv \? nav\.language : '[^']*'\)/g;

// source: uPlot's module text. Throws when uPlot no longer reads navigator.language the way
// this expects, so that an update is looked at instead of passing through unpatched.
export function fixUPlotLocale(source, file = 'uPlot') {
  const found = source.match(PATTERN)?.length ?? 0;
  if (found !== 1) throw new Error(`uplot-locale: expected one number formatter built from navigator.language in ${file}, found ${found}`);
  return source.replace(PATTERN, `new Intl.NumberFormat(${JSON.stringify(LOCALE)})`);
}

export const uplotLocale = {
  name: 'uplot-locale',
  setup(build) {
    build.onLoad({ filter: FILTER }, async ({ path }) => ({ contents: fixUPlotLocale(await readFile(path, 'utf8'), path), loader: 'js' }));
  },
};
