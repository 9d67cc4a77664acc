#!/usr/bin/env bash
# Instructions and heap allocations per message-signing check, counted by valgrind (callgrind:
# deterministic, unlike time on a shared machine). For each case of signing_cases.hpp it runs
# approov-signing-loop with N=1 and N=1+ITERS and divides the difference by ITERS, which
# cancels start-up (key generation, signing, the first parse of the device's ipk).
#   bench/callgrind-signing.sh [BUILD_DIR]      (default: build; ITERS=200 by default)
# Columns: the check's instructions, its floor's (one bare OpenSSL ECDSA P-256 verify of the
# same signature base: SHA-256 + ECDSA_do_verify), their ratio (target: at most 1.10), and the
# check's heap allocations per operation, the project's own (must be 0) and OpenSSL's (made by
# ECDSA_do_verify, in the floor too). Exits 1 if a check allocated through operator new or a
# ratio is over the target.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
ITERS="${ITERS:-200}"
LOOP="$BUILD/bench/approov-signing-loop"
[ -x "$LOOP" ] || { echo "no $LOOP: build with -DAPPROOV_BUILD_BENCHMARKS=ON" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

instructions() {  # WHAT CASE N -> total instructions of the run
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$LOOP" "$@" 2>&1 |
    awk '/Collected :/ {print $NF}'
}
allocations() {  # WHAT CASE N -> "own openssl" allocations of the N iterations
  "$LOOP" "$@" 2>&1 >/dev/null | awk '/^allocations:/ {print $3, $5}'
}
per_op() {
  awk -v a="$1" -v b="$2" -v n="$ITERS" 'BEGIN { printf "%.0f", (b - a) / n }'
}

printf '%-6s %14s %14s %7s %11s %15s %15s\n' case "instr/check" "floor instr" ratio \
  "own allocs" "openssl allocs" "floor openssl"
status=0
for c in get post; do
  c1="$(instructions check "$c" 1)"; cn="$(instructions check "$c" $((ITERS + 1)))"
  f1="$(instructions floor "$c" 1)"; fn="$(instructions floor "$c" $((ITERS + 1)))"
  [ -n "$c1" ] && [ -n "$cn" ] && [ -n "$f1" ] && [ -n "$fn" ] ||
    { echo "valgrind run of $c failed" >&2; exit 1; }
  check="$(per_op "$c1" "$cn")"
  floor="$(per_op "$f1" "$fn")"
  read -r own ssl <<<"$(allocations check "$c" "$ITERS")"
  read -r _ fssl <<<"$(allocations floor "$c" "$ITERS")"
  ratio="$(awk -v v="$check" -v f="$floor" 'BEGIN { printf "%.3f", v / f }')"
  printf '%-6s %14s %14s %7s %11s %15s %15s\n' "$c" "$check" "$floor" "$ratio" \
    "$(per_op 0 "$own")" "$(per_op 0 "$ssl")" "$(per_op 0 "$fssl")"
  [ "$own" = 0 ] || { echo "FAIL: $c: the check allocated through operator new" >&2; status=1; }
  awk -v r="$ratio" 'BEGIN { exit !(r > 1.10) }' &&
    { echo "FAIL: $c: ratio $ratio over the 1.10 target" >&2; status=1; }
done
exit $status
