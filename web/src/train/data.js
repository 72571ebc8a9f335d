// data.js: the packed data-set format of the training page, written at build time by
// web/pack-data.mjs and read by the worker, the page and the Node test. Pure data
// handling (bytes in, bytes out); nothing here touches the network or the DOM. Decompression
// is left to the caller (DecompressionStream in the browser, zlib in Node).
//
// Layout, little-endian, a 64-byte header then the payload:
//   0  "CLDS"            magic
//   4  u32 version       1
//   8  u32 nTrain        examples in the training part (they come first)
//  12  u32 nTest         examples in the held-out part (they follow)
//  16  u32 height, 20 u32 width, 24 u32 classes
//  28  u32 encoding      0 = raw payload, 1 = gzip payload
//  32  u32 payloadBytes  stored payload length
//  36  u32 splitSeed     seed of the split (documentation; the split is already applied)
//  40  24 bytes          data-set id, ASCII, NUL-padded
//  64  payload           labels u8[n] then pixels u8[n * height * width], n = nTrain + nTest,
//                        pixel = round(255 * intensity), 0 = background (ink is bright)

export const HEADER_BYTES = 64;
const MAGIC = 'CLDS';

// Builds the header for a payload. Returns a Uint8Array of HEADER_BYTES.
export function encodeHeader({ nTrain, nTest, height, width, classes, encoding, payloadBytes, splitSeed, id }) {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  for (let i = 0; i < 4; i++) header[i] = MAGIC.charCodeAt(i);
  const fields = [1, nTrain, nTest, height, width, classes, encoding, payloadBytes, splitSeed >>> 0];
  fields.forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  for (let i = 0; i < Math.min(24, id.length); i++) header[40 + i] = id.charCodeAt(i) & 0x7f;
  return header;
}

export function decodeHeader(bytes) {
  if (bytes.length < HEADER_BYTES) throw new Error('data set: file shorter than its header');
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MAGIC) throw new Error(`data set: bad magic "${magic}", expected "${MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const u = (o) => view.getUint32(o, true);
  if (u(4) !== 1) throw new Error(`data set: unsupported version ${u(4)}`);
  let id = '';
  for (let i = 40; i < 64 && bytes[i] !== 0; i++) id += String.fromCharCode(bytes[i]);
  return {
    nTrain: u(8), nTest: u(12), height: u(16), width: u(20), classes: u(24),
    encoding: u(28), payloadBytes: u(32), splitSeed: u(36), id,
  };
}

// Turns a header and its decompressed payload into the data set used everywhere else:
// { id, height, width, classes, train: { n, labels: Uint8Array, pixels: Uint8Array },
//   test: { ... } }. Pixels stay bytes (an eighth of the float size) until a batch is built.
export function decodeDataset(header, payload) {
  const { nTrain, nTest, height, width } = header;
  const n = nTrain + nTest;
  const size = height * width;
  if (payload.length !== n * (1 + size)) {
    throw new Error(`data set: payload has ${payload.length} bytes, expected ${n * (1 + size)}`);
  }
  const labels = payload.subarray(0, n);
  const pixels = payload.subarray(n);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= header.classes) throw new Error(`data set: label ${labels[i]} at ${i} out of range`);
  }
  return {
    id: header.id, height, width, classes: header.classes, splitSeed: header.splitSeed,
    train: { n: nTrain, labels: labels.subarray(0, nTrain), pixels: pixels.subarray(0, nTrain * size) },
    test: { n: nTest, labels: labels.subarray(nTrain), pixels: pixels.subarray(nTrain * size) },
  };
}

// Class names shown by the views.
export const CLASS_NAMES = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'],
};
