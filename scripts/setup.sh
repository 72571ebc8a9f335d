#!/usr/bin/env bash
# Installs what convlab needs on a Debian 12 machine, and nothing that is already there:
# the Emscripten toolchain, xsimd, doctest, Google Benchmark, CMake, Chromium, Firefox ESR and
# WebKitGTK for the browser tests, clang with libFuzzer for the fuzzers, Fashion-MNIST (the
# second data set), PyTorch and ONNX for the export tests, and the npm dependencies.
# Idempotent and quick when nothing is missing. Run as root (as CI does) or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }
have_cmd em++ || need+=(emscripten)
have_cmd cmake || need+=(cmake)
have_cmd g++ || need+=(g++)
have_file /usr/include/xsimd/xsimd.hpp || need+=(libxsimd-dev)
have_file /usr/include/doctest/doctest.h || need+=(doctest-dev)
have_file /usr/include/benchmark/benchmark.h || need+=(libbenchmark-dev)
have_cmd chromium || need+=(chromium)
# The other two browser engines of the browser tests: Firefox (WebDriver BiDi) and WebKitGTK's
# MiniBrowser driven by WebKitWebDriver under a virtual X server.
have_cmd firefox-esr || need+=(firefox-esr)
have_cmd WebKitWebDriver || need+=(webkit2gtk-driver)
have_cmd xvfb-run || need+=(xvfb xauth)
# Coverage-guided fuzzing of the native core: clang with libFuzzer, ASan and UBSan.
have_cmd clang++ || need+=(clang)
compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null || need+=(libfuzzer-14-dev)
have_file /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz || need+=(dataset-fashion-mnist)
# The export tests run the exported PyTorch script with Debian's torch and check the exported
# ONNX file with the onnx checker (onnxruntime-web, from npm, runs it).
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1 || need+=(python3-onnx)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm dependencies: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.convlab-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
