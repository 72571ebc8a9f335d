// wasm-inline.js: first module of the H5P library's bundle. H5P hosts (Moodle, H5P.com) accept
// only whitelisted file types inside a library (js, css, json, images, fonts...), and .wasm is
// not one, so the core's bytes travel inside the bundle (esbuild's binary loader) and are
// handed to load() before the custom element asks for the core; load() then never fetches.
import { load } from '../bindings/convlab.js';
import wasmBinary from 'convlab-wasm-binary';

load({ wasmBinary });
