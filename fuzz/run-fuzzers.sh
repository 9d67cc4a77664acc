#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzzing build for SECONDS each, starting from its seed
# corpus (copied to a temporary directory, so the repository is never modified), and fails if
# any target finds a crash, leak, sanitizer report or broken invariant.
#   fuzz/run-fuzzers.sh BUILD_DIR SECONDS
# BUILD_DIR is configured with -DAPPROOV_BUILD_FUZZERS=ON and clang (see scripts/test-all.sh).
# A reproducer is kept in BUILD_DIR/fuzz-artifacts/; replay it with
#   BUILD_DIR/fuzz/fuzz_<target> BUILD_DIR/fuzz-artifacts/<target>/crash-...
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
BUILD="$(cd "$1" && pwd)"
SECONDS_EACH="$2"
TARGETS=(verify json base64 structured_fields signature_base jwks)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  exe="$BUILD/fuzz/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "missing $exe: configure with -DAPPROOV_BUILD_FUZZERS=ON and clang" >&2
    exit 2
  fi
  mkdir -p "$work/$t" "$BUILD/fuzz-artifacts/$t"
  cp -R "$HERE/corpus/$t/." "$work/$t/"
  dict=()
  [ -f "$HERE/$t.dict" ] && dict=("-dict=$HERE/$t.dict")
  echo "== fuzz_$t: ${SECONDS_EACH}s"
  if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    "$exe" "$work/$t" "${dict[@]}" -max_len=9000 -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-artifacts/$t/" \
    >"$work/$t.log" 2>&1; then
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)" "$work/$t.log" |
      sed "s/^/  /"
  else
    status=1
    echo "FAIL: fuzz_$t found a problem; reproducer in $BUILD/fuzz-artifacts/$t/" >&2
    tail -n 60 "$work/$t.log" >&2
  fi
done
exit $status
