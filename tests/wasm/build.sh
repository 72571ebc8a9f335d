#!/usr/bin/env bash
# Builds the doctest suite as WebAssembly (tests/wasm/CMakeLists.txt) into build/wasm-tests,
# apart from build/wasm (the shipped module, kept lean). Incremental; one build at a time.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's Emscripten runs its JS optimizer with the system's Node modules.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
mkdir -p build
exec 8>build/.wasm-tests.lock
flock 8
if [ ! -f build/wasm-tests/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm-tests -DCMAKE_BUILD_TYPE=Release -DCONVLAB_WASM_TESTS=ON >/dev/null
fi
cmake --build build/wasm-tests -j"$(nproc)" --target wasm_doctests
