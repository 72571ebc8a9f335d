#!/usr/bin/env bash
# Builds bench.cpp natively (g++ -O3 -march=native, as the CMake Release build) into
# build/calibrate-native, and with `run` times every method on shapes.txt, writing the DATA
# lines to build/calibrate-native/conv2d-data.txt. The cost model's constants are fitted to the
# WebAssembly build (wasm.sh) and used natively as a proxy; this build is for comparison.
#   bash bench/calibrate/conv2d/native.sh [run [reps [shape names...]]]
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=build/calibrate-native
mkdir -p "$out"
g++ -O3 -DNDEBUG -march=native -std=c++17 -Icore/include -Ibench/wasm \
  bench/calibrate/conv2d/bench.cpp core/src/ops/conv2d.cpp core/src/ops/conv2d_ref.cpp \
  core/src/ops/conv2d_direct.cpp core/src/ops/conv2d_im2col.cpp core/src/ops/conv2d_fft.cpp \
  core/src/ops/im2col.cpp core/src/ops/gemm.cpp core/src/ops/fft.cpp core/src/ops/conv2d_cost.cpp \
  -o "$out/conv2d_bench"
if [ "${1:-}" = run ]; then
  shift
  reps=${1:-2}; shift || true
  shapes=$(bash bench/calibrate/conv2d/shapes.sh "$@")
  "$out/conv2d_bench" "$shapes" "$reps" fft | tee "$out/conv2d-run.txt"
  grep '^DATA' "$out/conv2d-run.txt" > "$out/conv2d-data.txt"
  echo "wrote $out/conv2d-data.txt; fit: /usr/bin/python3 bench/calibrate/conv2d/fit.py $out/conv2d-data.txt"
fi
