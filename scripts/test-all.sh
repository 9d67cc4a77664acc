#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the sanitizer build of the unit
# tests, a short libFuzzer run of every fuzz target, then the whole ctest suite (unit, CLI,
# C API, consumption, example servers, sidecar, real nginx/Caddy/HAProxy).
#   scripts/test-all.sh            FUZZ_SECONDS=0 skips the fuzzing run
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-$(nproc)}"
FUZZ_SECONDS="${FUZZ_SECONDS:-15}"

scripts/install-deps.sh test

echo "== sanitizer build (ASan + UBSan) =="
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAPPROOV_SANITIZE=ON \
  -DAPPROOV_BUILD_EXAMPLES=OFF -DAPPROOV_BUILD_BENCHMARKS=OFF -DAPPROOV_WERROR=ON >/dev/null
cmake --build build-asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L sanitize --output-on-failure -j "$JOBS"
# The Redis replay store too: its tests start a real redis-server (hence not `sanitize`).
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -R "^redis\." --output-on-failure -j "$JOBS"

if [ "$FUZZ_SECONDS" != 0 ] && command -v clang++-14 >/dev/null; then
  echo "== libFuzzer (clang 14), ${FUZZ_SECONDS}s per target =="
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DAPPROOV_BUILD_FUZZERS=ON -DAPPROOV_BUILD_TESTS=OFF \
    -DAPPROOV_BUILD_EXAMPLES=OFF -DAPPROOV_BUILD_BENCHMARKS=OFF -DAPPROOV_BUILD_TOOLS=OFF \
    -DAPPROOV_BUILD_NGINX_MODULE=OFF >/dev/null
  cmake --build build-fuzz -j "$JOBS"
  fuzz/run-fuzzers.sh build-fuzz "$FUZZ_SECONDS"
fi

echo "== full build and test suite =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DAPPROOV_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"
