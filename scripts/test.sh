#!/usr/bin/env bash
# Every test tier, in order of speed: the native doctest suite (release, then under ASan and
# UBSan, then compiled to WebAssembly and run in Node), a bounded fuzzing run, the lesson lint,
# the API on the WebAssembly build in Node, and the browser tests (Chromium, Firefox, WebKit).
# Expects scripts/setup.sh and scripts/build.sh to have run (npm test does).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
mkdir -p build
exec 9>build/.native.lock
flock 9

for preset in native-release native-debug; do
  echo "== native tests ($preset)"
  [ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
  cmake --build "build/$preset" -j"$jobs"
  ctest --preset "$preset" -j"$jobs"
done

# The same doctest files compiled to WebAssembly (tests/wasm) in their own build directory;
# Chromium runs these modules too, in tests/browser/doctest-wasm.test.mjs below.
echo "== native tests on WebAssembly (Node)"
bash tests/wasm/build.sh
node tests/wasm/run-node.mjs

# Coverage-guided fuzzing of the native core (libFuzzer, ASan + UBSan), a bounded run: every
# harness for a few seconds from its committed corpus. Longer runs: tests/fuzz/README.md.
echo "== fuzzing (bounded)"
bash scripts/fuzz.sh 12

if [ -f web/lint.mjs ]; then
  echo "== lesson lint"
  node web/lint.mjs
fi

echo "== node and browser tests"
# A hung test fails after 10 minutes instead of holding CI until its limit.
node --test --test-concurrency=1 --test-timeout=600000 tests/node/ tests/browser/
