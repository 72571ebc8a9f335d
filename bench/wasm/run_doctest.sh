#!/usr/bin/env bash
# Builds native doctest files (tests/native/test_<op>.cpp) for WebAssembly with the module's
# flags (-O3 -msimd128 -msse2 -fwasm-exceptions) against the whole core, and runs them under
# Node: `bash bench/wasm/run_doctest.sh gemm dense activation loss`. The fixtures are read
# from the real file system (NODERAWFS). A check that the SIMD128 path computes what the
# native one does; the project's own test tiers are scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
out=build/doctest-wasm
mkdir -p "$out/include"
ln -sfn /usr/include/xsimd "$out/include/xsimd"
ln -sfn /usr/include/doctest "$out/include/doctest"
flags=(-O3 -msimd128 -msse2 -fwasm-exceptions -std=c++17 -Icore/include -isystem "$out/include"
       -Itests/native)
[ -f "$out/main.o" ] || em++ "${flags[@]}" -c tests/native/main.cpp -o "$out/main.o"
mapfile -t core < <(find core/src -name '*.cpp' | sort)
status=0
for op in "$@"; do
  em++ "${flags[@]}" -DCONVLAB_FIXTURES_DIR="\"$PWD/tests/fixtures\"" -sNODERAWFS=1 \
    -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node -sSINGLE_FILE=1 \
    "$out/main.o" "tests/native/test_$op.cpp" "${core[@]}" -o "$out/test_$op.cjs"
  echo "== test_$op (WebAssembly)"
  node "$out/test_$op.cjs" || status=1
done
exit $status
