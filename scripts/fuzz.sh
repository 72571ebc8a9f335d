#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang++, ASan + UBSan) into build/fuzz and runs
# each for a bounded time: scripts/fuzz.sh [seconds-per-harness] (default 15: about a minute
# and a half for the six). Each run starts from the committed seed corpus
# tests/fuzz/corpus/<name> (read-only: new inputs go to build/fuzz/corpus/<name>) with its
# dictionary; a crash, a sanitizer finding or a failed comparison stops the script with the
# reproducer's path (build/fuzz/crash-*), which then becomes a case in
# tests/native/test_limits.cpp. Longer runs: tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
# A fixed seed makes the bounded run explore the same inputs each time (a finding reproduces);
# FUZZ_SEED=0 lets libFuzzer pick one, for exploring.
seed="${FUZZ_SEED:-1}"
mkdir -p build
exec 9>build/.fuzz.lock
flock 9
if [ ! -f build/fuzz/CMakeCache.txt ]; then
  CXX=clang++ cmake -S tests/fuzz -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build/fuzz -j"$(nproc)" >/dev/null
for name in conv1d fft conv2d pool2d dense sequential; do
  mkdir -p "build/fuzz/corpus/$name"
  echo "fuzz_$name: ${seconds}s"
  ( cd build/fuzz &&
    "./fuzz_$name" -seed="$seed" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
      -dict="../../tests/fuzz/corpus/$name.dict" -print_final_stats=0 \
      "corpus/$name" "../../tests/fuzz/corpus/$name" 2>"fuzz_$name.log" ) || {
    echo "fuzz_$name FAILED; its log: build/fuzz/fuzz_$name.log" >&2
    tail -n 40 "build/fuzz/fuzz_$name.log" >&2
    exit 1
  }
  grep -E "^#[0-9]+[[:space:]]+DONE" "build/fuzz/fuzz_$name.log" | tail -n 1 || true
done
echo "fuzz: all harnesses ran ${seconds}s without a finding"
