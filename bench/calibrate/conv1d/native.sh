#!/usr/bin/env bash
# Builds bench.cpp and bench_fft.cpp natively (g++ -O3 -march=native, as the CMake Release
# build) into build/calibrate-native; `run` runs them.
#   bash bench/calibrate/conv1d/native.sh [run [wide]]
# `run wide` times the fitting grid (84 sizes, a few minutes) into
# build/calibrate-native/conv1d-wide.txt, fit.py's input; plain `run` a quick 15-size check.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=build/calibrate-native
mkdir -p "$out"
flags=(-O3 -DNDEBUG -march=native -std=c++17 -Icore/include -Icore/src/ops)
conv1d=(core/src/ops/conv1d.cpp core/src/ops/conv1d_direct.cpp core/src/ops/conv1d_toeplitz.cpp
        core/src/ops/conv1d_fft.cpp core/src/ops/conv1d_cost.cpp core/src/ops/fft.cpp
        core/src/ops/gemm.cpp)
g++ "${flags[@]}" bench/calibrate/conv1d/bench.cpp "${conv1d[@]}" -o "$out/conv1d_bench"
g++ "${flags[@]}" bench/calibrate/conv1d/bench_fft.cpp core/src/ops/fft.cpp -o "$out/fft_bench"
if [ "${1:-}" = run ]; then
  if [ "${2:-}" = wide ]; then
    "$out/conv1d_bench" wide | tee "$out/conv1d-wide.txt"
    echo "wrote $out/conv1d-wide.txt; fit: /usr/bin/python3 bench/calibrate/conv1d/fit.py $out/conv1d-wide.txt"
  else
    "$out/conv1d_bench"
  fi
  "$out/fft_bench"
fi
