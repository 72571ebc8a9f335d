#!/usr/bin/env bash
# Builds the WebAssembly modules (Emscripten preset: convlab_wasm, and convlab_wasm_mt with
# threads) and the web front end into dist/.
# Incremental: CMake and the bundler skip what has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Emscripten runs its JS optimizer with the system's Node modules.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
jobs=$(nproc)
# One build at a time in this tree (several developers or scripts may call it at once).
mkdir -p build
exec 9>build/.build.lock
flock 9

if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake --preset wasm >/dev/null
fi
cmake --build build/wasm -j"$jobs"

if [ -f web/build.mjs ]; then
  node web/build.mjs
fi
