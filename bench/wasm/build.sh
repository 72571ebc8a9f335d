#!/usr/bin/env bash
# Builds the WebAssembly micro-benchmarks (peak.cpp, gemm_bench.cpp, activation_bench.cpp) into build/bench-wasm and
# runs them under Node: `bash bench/wasm/build.sh [run]`. Uses the same flags as the module
# (-O3 -msimd128 -msse2 -fwasm-exceptions) and reaches xsimd through a private directory holding only a link
# to it, since /usr/include must not be on Emscripten's include path.
# SINGLE_FILE embeds the .wasm, sidestepping Node 20 fetch() failing on plain file paths.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
out=build/bench-wasm
mkdir -p "$out/include"
ln -sfn /usr/include/xsimd "$out/include/xsimd"
flags=(-O3 -msimd128 -msse2 -fwasm-exceptions -std=c++17 -Icore/include -Ibench/wasm -isystem "$out/include"
       -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sSINGLE_FILE=1)
em++ "${flags[@]}" bench/wasm/peak.cpp -o "$out/peak.cjs"
em++ "${flags[@]}" bench/wasm/gemm_bench.cpp core/src/ops/gemm.cpp -o "$out/gemm_bench.cjs"
em++ "${flags[@]}" bench/wasm/activation_bench.cpp core/src/ops/activation.cpp -o "$out/activation_bench.cjs"
if [ "${1:-}" = run ]; then
  node "$out/peak.cjs"
  node "$out/gemm_bench.cjs"
  node "$out/activation_bench.cjs"
fi
