// build-hook.mjs: the training page's part of web/build.mjs: packs the data sets (cached in
// build/data by scripts/pack-data.mjs, so rebuilds are fast) and copies them to dist/data/.
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packData } from '../../../scripts/pack-data.mjs';

export default async function trainBuildHook({ dist, root }) {
  const cache = join(root, 'build', 'data');
  const catalogue = packData({ root, outDir: cache, log: (m) => console.log(`build: ${m}`) });
  await mkdir(join(dist, 'data'), { recursive: true });
  for (const file of ['datasets.json', ...catalogue.datasets.map((d) => d.file)]) {
    await cp(join(cache, file), join(dist, 'data', file));
  }
}
