# em_flags.sh: the em++ setup every WebAssembly benchmark shares, sourced (not run) from the
# repository root with $out set to a build directory: bench/wasm/build.sh and
# bench/calibrate/*/wasm.sh. Sets NODE_PATH for Emscripten's JS optimizer and the array
# em_flags: the module's flags (-O3 -msimd128 -msse2 -fwasm-exceptions), xsimd reached through
# $out/include, a private directory holding only a link to it (/usr/include must not be on
# Emscripten's include path), a Node-only single-file output (SINGLE_FILE embeds the .wasm,
# sidestepping Node 20 fetch() failing on plain file paths).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
mkdir -p "$out/include"
ln -sfn /usr/include/xsimd "$out/include/xsimd"
em_flags=(-O3 -msimd128 -msse2 -fwasm-exceptions -std=c++17 -Icore/include -Ibench/wasm -isystem "$out/include"
          -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -sSINGLE_FILE=1)
