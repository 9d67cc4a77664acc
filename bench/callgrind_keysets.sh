#!/usr/bin/env bash
# Instructions per keyset token verify (ES256, RS256 2048-bit, EdDSA) beside the floor of the
# same signature (bench/keyset_cases.hpp), counted by valgrind's callgrind: deterministic,
# unlike time on a shared machine. Runs approov-verify-loop with N=1 and N=1+ITERS and divides
# the difference by ITERS, which cancels start-up costs (key set-up, the first use of a key).
#   bench/callgrind_keysets.sh [BUILD_DIR]      (default: build; ITERS=100 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
ITERS="${ITERS:-100}"
LOOP="$BUILD/bench/approov-verify-loop"
[ -x "$LOOP" ] || { echo "no $LOOP: build with -DAPPROOV_BUILD_BENCHMARKS=ON" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$LOOP" "$@" 2>&1 |
    awk '/Collected :/ {print $NF}'
}
per_op() {  # per_op WHAT CASE
  local a b
  a="$(instructions "$1" "$2" 1)"
  b="$(instructions "$1" "$2" $((ITERS + 1)))"
  [ -n "$a" ] && [ -n "$b" ] || { echo "valgrind run of $1 $2 failed" >&2; exit 1; }
  awk -v a="$a" -v b="$b" -v n="$ITERS" 'BEGIN { printf "%.0f", (b - a) / n }'
}

printf '%-8s %14s %14s %8s\n' case "instr/op" "floor instr" ratio
for c in es256 rs256 eddsa; do
  v="$(per_op verify "$c")"
  f="$(per_op floor "$c")"
  printf '%-8s %14s %14s %8s\n' "$c" "$v" "$f" \
    "$(awk -v v="$v" -v f="$f" 'BEGIN { printf "%.3f", v / f }')"
done
