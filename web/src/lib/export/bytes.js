// bytes.js: tensors as the bytes both file formats store (float32, little-endian, as ONNX's
// raw_data and the PyTorch script's base64 strings expect), written through a DataView so the
// order does not depend on the machine's.

export function float32Bytes(data) {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  return bytes;
}

export function base64(bytes) {
  let text = '';
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(text);
}
