#!/usr/bin/env bash
# Builds bench.cpp and bench_fft.cpp with the WebAssembly module's flags
# (bench/wasm/em_flags.sh) into build/calibrate-wasm; `run` runs them under Node.
#   bash bench/calibrate/conv1d/wasm.sh [run [wide]]
# `run wide` times the fitting grid (84 sizes, a few minutes) into
# build/calibrate-wasm/conv1d-wide.txt, fit.py's input; plain `run` a quick 15-size check.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=build/calibrate-wasm
source bench/wasm/em_flags.sh  # NODE_PATH, $out/include with the xsimd link, em_flags
conv1d=(core/src/ops/conv1d.cpp core/src/ops/conv1d_direct.cpp core/src/ops/conv1d_toeplitz.cpp
        core/src/ops/conv1d_fft.cpp core/src/ops/conv1d_cost.cpp core/src/ops/fft.cpp
        core/src/ops/gemm.cpp)
em++ "${em_flags[@]}" -Icore/src/ops bench/calibrate/conv1d/bench.cpp "${conv1d[@]}" -o "$out/conv1d_bench.cjs"
em++ "${em_flags[@]}" -Icore/src/ops bench/calibrate/conv1d/bench_fft.cpp core/src/ops/fft.cpp -o "$out/fft_bench.cjs"
if [ "${1:-}" = run ]; then
  if [ "${2:-}" = wide ]; then
    node "$out/conv1d_bench.cjs" wide | tee "$out/conv1d-wide.txt"
    echo "wrote $out/conv1d-wide.txt; fit: /usr/bin/python3 bench/calibrate/conv1d/fit.py $out/conv1d-wide.txt"
  else
    node "$out/conv1d_bench.cjs"
  fi
  node "$out/fft_bench.cjs"
fi
