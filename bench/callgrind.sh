#!/usr/bin/env bash
# Instructions and heap allocations per operation, counted by valgrind (deterministic, unlike
# time on a shared machine). For every case of bench_cases.hpp it runs approov-verify-loop
# with N=1 and N=1+ITERS and divides the difference by ITERS, which cancels start-up costs.
#   bench/callgrind.sh [BUILD_DIR]      (default: build; ITERS=1000 by default)
# Results: $RESULTS/callgrind.tsv and, with gnuplot, callgrind.svg (instructions per verify
# beside the floor), RESULTS defaulting to BUILD_DIR/bench-results.
# Note: valgrind's simulated CPU has no SHA extensions, so OpenSSL takes its AVX2/SSSE3
# SHA-256 path here even on a CPU with SHA-NI; see docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
ITERS="${ITERS:-1000}"
RESULTS="${RESULTS:-$BUILD/bench-results}"
LOOP="$BUILD/bench/approov-verify-loop"
[ -x "$LOOP" ] || { echo "no $LOOP: build with -DAPPROOV_BUILD_BENCHMARKS=ON" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

# Instructions executed by one run (callgrind's "Collected" total).
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$LOOP" "$@" 2>&1 |
    awk '/Collected :/ {print $NF}'
}
# Heap allocations of one run (malloc, new, OpenSSL: memcheck sees them all).
allocations() {
  valgrind --tool=memcheck --leak-check=no "$LOOP" "$@" 2>&1 |
    awk '/total heap usage:/ {gsub(",", "", $5); print $5}'
}
per_op() {  # per_op FUNCTION WHAT CASE
  local a b
  a="$($1 "$2" "$3" 1)"
  b="$($1 "$2" "$3" $((ITERS + 1)))"
  [ -n "$a" ] && [ -n "$b" ] || { echo "valgrind run of $2 $3 failed" >&2; exit 1; }
  awk -v a="$a" -v b="$b" -v n="$ITERS" 'BEGIN { printf "%.0f", (b - a) / n }'
}

printf '%-8s %-7s %14s %14s %8s %10s\n' case work "instr/op" "floor instr" ratio "allocs/op"
status=0
START="$(date -u '+%F %H:%M UTC')"
mkdir -p "$RESULTS"
TSV="$RESULTS/callgrind.tsv"
{
  echo "# bench/callgrind.sh, $START, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), ITERS=$ITERS"
  printf '# case\twork\tinstructions/op\tfloor instructions/op\tratio\theap allocations/op\n'
} >"$TSV"
for c in small large badsig bind; do
  work=verify
  [ "$c" = bind ] && work=check
  v="$(per_op instructions verify "$c")"
  f="$(per_op instructions floor "$c")"
  a="$(per_op allocations verify "$c")"
  [ "$a" = 0 ] || status=1
  ratio="$(awk -v v="$v" -v f="$f" 'BEGIN { printf "%.2f", v / f }')"
  printf '%-8s %-7s %14s %14s %8s %10s\n' "$c" "$work" "$v" "$f" "$ratio" "$a"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$work" "$v" "$f" "$ratio" "$a" >>"$TSV"
done
if command -v gnuplot >/dev/null; then
  gnuplot -e "data='$TSV'; out='$RESULTS/callgrind.svg'; subtitle='$START, valgrind $(valgrind --version | sed 's/valgrind-//'), $ITERS iterations'" \
    bench/plot/callgrind.gp
  echo "data: $TSV; chart: $RESULTS/callgrind.svg"
else
  echo "data: $TSV (no chart: gnuplot not installed)"
fi
[ $status = 0 ] || echo "FAIL: a verify allocated on the heap" >&2
exit $status
