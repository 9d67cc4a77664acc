#!/usr/bin/env bash
# HTTP benchmark of replay protection: wrk on loopback against hello-server-message-signing-check
# with the in-process replay store (APPROOV_REPLAY_STORE=memory) and with a Redis store
# (redis://127.0.0.1:PORT/0, Debian's redis-server started here), in one run, rounds
# interleaved. Every request carries its own signature (approov-signed-requests writes them,
# bench/replay.lua sends each once): a repeated signature would only measure refusals. The
# server is pinned to core $SRV_CPU, wrk and redis-server to core $WRK_CPU. The table shows
# medians over rounds. Targets: Redis throughput at least 0.7 x in-process, p99 at most 0.5 ms
# more.
#   RUNS=3 DUR=5 bench/http-replay.sh        (needs wrk, redis-server, redis-cli)
# Knobs: RUNS DUR CONN THREADS N PORT REDIS_PORT SRV_CPU WRK_CPU BUILD_DIR, and REDIS_QUERY
# (appended to the store's URL, e.g. '?timeout_ms=250': on a loaded machine a Redis call can
# wait over the default 20 ms for a core, and the round then fails with refusals).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
RUNS="${RUNS:-3}"; DUR="${DUR:-5}"; CONN="${CONN:-32}"; THREADS="${THREADS:-1}"
N="${N:-150000}"; PORT="${PORT:-8013}"; REDIS_PORT="${REDIS_PORT:-6390}"; REDIS_QUERY="${REDIS_QUERY:-}"
SRV_CPU="${SRV_CPU:-0}"; WRK_CPU="${WRK_CPU:-1}"
export APPROOV_BASE64_SECRET="h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
for tool in wrk redis-server redis-cli taskset; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (scripts/install-deps.sh test)" >&2; exit 2; }
done
cmake --build "$BUILD_DIR" --target hello-server-message-signing-check approov-signed-requests >/dev/null
SERVER="$BUILD_DIR/examples/hello-server-message-signing-check"
GEN="$BUILD_DIR/bench/approov-signed-requests"

WORK="$(mktemp -d)"
SPID=""; RPID=""
stop_server() { if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi; }
cleanup() {
  stop_server
  if [ -n "$RPID" ]; then kill "$RPID" 2>/dev/null || true; wait "$RPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT" "$REDIS_PORT"; do up "$p" && { echo "port $p already in use" >&2; exit 1; }; done

# A Redis as docs/REPLAY.md recommends (no persistence, noeviction).
taskset -c "$WRK_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
  --appendonly no --maxmemory-policy noeviction --dir "$WORK" --logfile "$WORK/redis.log" &
RPID=$!
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "signing $N requests..." >&2
"$GEN" "$N" "127.0.0.1:$PORT" "$WORK/requests.bin"
(cd "$WORK" && : >.env)

start_server() {  # store
  (cd "$WORK" && exec taskset -c "$SRV_CPU" env HTTP_PORT="$PORT" HTTP_THREADS="$THREADS" \
    APPROOV_REPLAY_STORE="$1" APPROOV_REPLAY_FAIL=closed "$SERVER") >/dev/null 2>"$WORK/server.err" &
  SPID=$!
  for _ in $(seq 100); do up "$PORT" && return 0; sleep 0.1; done
  echo "server did not come up" >&2; cat "$WORK/server.err" >&2; exit 1
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
wrk1() {  # -> "rps p50_ms p99_ms non2xx server_cpu_us_per_request redis_cpu_us_per_request"
  local s0 s1 r0 r1 out
  s0="$(cpu_ticks "$SPID")"; r0="$(cpu_ticks "$RPID")"
  out="$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONN" -d"$DUR"s --latency -s "$ROOT/bench/replay.lua" \
    "http://127.0.0.1:$PORT/" -- "$WORK/requests.bin")"
  s1="$(cpu_ticks "$SPID")"; r1="$(cpu_ticks "$RPID")"
  awk -v s="$(( (s1 - s0) * TICK_US ))" -v r="$(( (r1 - r0) * TICK_US ))" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /Requests\/sec/ {rps=$2} /requests in/ {q=$1} /Non-2xx/ {n=$NF}
    $1 == "50%" {p50=ms($2)} $1 == "99%" {p99=ms($2)}
    END {printf "%s %.3f %.3f %s %.1f %.1f\n", rps, p50, p99, (n==""?0:n), s/q, r/q}' <<<"$out"
}

declare -A RPS P50 P99 SCPU RCPU
LOAD0="$(cut -d" " -f1-3 /proc/loadavg)"
for round in $(seq "$RUNS"); do
  for store in memory redis; do
    if [ "$store" = redis ]; then
      redis-cli -p "$REDIS_PORT" flushall >/dev/null
      start_server "redis://127.0.0.1:$REDIS_PORT/0$REDIS_QUERY"
    else
      start_server memory
    fi
    read -r rps p50 p99 non2xx scpu rcpu <<<"$(wrk1)"
    stop_server
    # A non-2xx answer is a replay (N too small for this rate: wrk went round the file) or a
    # refusal with replay_store_unavailable (a Redis call over its timeout, 20 ms unless
    # REDIS_QUERY says otherwise, then the back-off); either way the round measured something
    # else. The server's log says which.
    if [ "$non2xx" != 0 ]; then
      echo "round $round $store: $non2xx non-2xx answers; the server said:" >&2
      grep -v '^approov: rejected ' "$WORK/server.err" >&2 || true
      grep -o 'rejected reason=[a-z_]*' "$WORK/server.err" | sort | uniq -c >&2 || true
      exit 1
    fi
    echo "round $round $store: $rps req/s, p50 $p50 ms, p99 $p99 ms, server CPU $scpu us/r," \
      "redis CPU $rcpu us/r, load $(cut -d" " -f1 /proc/loadavg)" >&2
    RPS[$store]="${RPS[$store]:-} $rps"; P50[$store]="${P50[$store]:-} $p50"
    P99[$store]="${P99[$store]:-} $p99"; SCPU[$store]="${SCPU[$store]:-} $scpu"
    RCPU[$store]="${RCPU[$store]:-} $rcpu"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "machine load before: $LOAD0, after: $(cut -d" " -f1-3 /proc/loadavg); $RUNS rounds of ${DUR}s," \
  "wrk -t1 -c$CONN, server HTTP_THREADS=$THREADS on core $SRV_CPU, wrk and redis-server on core $WRK_CPU," \
  "redis URL options: ${REDIS_QUERY:-none}"
printf '%-7s %10s %8s %8s %16s %16s\n' store "req/s" "p50 ms" "p99 ms" "server CPU us/r" "redis CPU us/r"
for s in memory redis; do
  printf '%-7s %10s %8s %8s %16s %16s\n' "$s" "$(echo "${RPS[$s]}" | median)" \
    "$(echo "${P50[$s]}" | median)" "$(echo "${P99[$s]}" | median)" \
    "$(echo "${SCPU[$s]}" | median)" "$(echo "${RCPU[$s]}" | median)"
done
ratio="$(awk -v r="$(echo "${RPS[redis]}" | median)" -v m="$(echo "${RPS[memory]}" | median)" 'BEGIN {printf "%.2f", r / m}')"
added="$(awk -v r="$(echo "${P99[redis]}" | median)" -v m="$(echo "${P99[memory]}" | median)" 'BEGIN {printf "%.3f", r - m}')"
echo "redis / memory throughput: $ratio (target >= 0.7); p99 added: $added ms (target <= 0.5)"
status=0
awk -v r="$ratio" 'BEGIN { exit !(r < 0.7) }' && { echo "throughput below target" >&2; status=1; }
awk -v a="$added" 'BEGIN { exit !(a > 0.5) }' && { echo "p99 above target" >&2; status=1; }
exit $status
