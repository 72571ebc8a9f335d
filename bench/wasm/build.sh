#!/usr/bin/env bash
# Builds the WebAssembly micro-benchmarks (peak.cpp, gemm_bench.cpp, activation_bench.cpp) into build/bench-wasm and
# runs them under Node: `bash bench/wasm/build.sh [run]`. Uses the same flags as the module
# (-O3 -msimd128 -msse2 -fwasm-exceptions), set up in em_flags.sh (shared with bench/calibrate/).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/bench-wasm
source bench/wasm/em_flags.sh  # NODE_PATH, $out/include with the xsimd link, em_flags
flags=("${em_flags[@]}")
em++ "${flags[@]}" bench/wasm/peak.cpp -o "$out/peak.cjs"
em++ "${flags[@]}" bench/wasm/gemm_bench.cpp core/src/ops/gemm.cpp core/src/parallel/thread_pool.cpp -o "$out/gemm_bench.cjs"
em++ "${flags[@]}" bench/wasm/activation_bench.cpp core/src/ops/activation.cpp core/src/parallel/thread_pool.cpp -o "$out/activation_bench.cjs"
if [ "${1:-}" = run ]; then
  node "$out/peak.cjs"
  node "$out/gemm_bench.cjs"
  node "$out/activation_bench.cjs"
fi
