// core.js: loads the WebAssembly core once per page through the public API (web/bindings),
// telling it where the build put the .wasm (dist/wasm/, beside dist/assets/ holding this
// bundle). Every number a widget shows comes from the object this resolves to.

import { load } from '../bindings/convlab.js';

let core = null;

export function loadCore() {
  core ??= load({ wasmUrl: new URL('../wasm/convlab_wasm.wasm', import.meta.url).href });
  return core;
}
