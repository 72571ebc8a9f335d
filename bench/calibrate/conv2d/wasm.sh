#!/usr/bin/env bash
# Builds bench.cpp with the WebAssembly module's flags (bench/wasm/em_flags.sh) into
# build/calibrate-wasm, and with `run` times every method on shapes.txt under Node, writing
# the DATA lines fit.py reads to build/calibrate-wasm/conv2d-data.txt.
#   bash bench/calibrate/conv2d/wasm.sh [run [reps [shape names...]]]
# reps: rounds per shape, each >= 20 ms CPU per method and pass (default 2, as fitted);
# shape names pick rows of shapes.txt (default all; all 27 take ~10 minutes).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=build/calibrate-wasm
source bench/wasm/em_flags.sh  # NODE_PATH, $out/include with the xsimd link, em_flags
em++ "${em_flags[@]}" bench/calibrate/conv2d/bench.cpp core/src/ops/conv2d.cpp \
  core/src/ops/conv2d_ref.cpp core/src/ops/conv2d_direct.cpp core/src/ops/conv2d_im2col.cpp \
  core/src/ops/conv2d_fft.cpp core/src/ops/im2col.cpp core/src/ops/gemm.cpp core/src/ops/fft.cpp \
  core/src/ops/conv2d_cost.cpp \
  -o "$out/conv2d_bench.cjs"
if [ "${1:-}" = run ]; then
  shift
  reps=${1:-2}; shift || true
  shapes=$(bash bench/calibrate/conv2d/shapes.sh "$@")
  node "$out/conv2d_bench.cjs" "$shapes" "$reps" fft | tee "$out/conv2d-run.txt"
  grep '^DATA' "$out/conv2d-run.txt" > "$out/conv2d-data.txt"
  echo "wrote $out/conv2d-data.txt; fit: /usr/bin/python3 bench/calibrate/conv2d/fit.py $out/conv2d-data.txt"
fi
