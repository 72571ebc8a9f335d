// pack-data.mjs: packs the training page's data sets by hand (web/build.mjs does it in every
// build, cached). Use: node scripts/pack-data.mjs [outDir]   (default build/data)
import path from 'node:path';
import { packData } from '../web/pack-data.mjs';

packData(process.argv[2] ? { outDir: path.resolve(process.argv[2]) } : {});
