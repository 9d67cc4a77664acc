#!/usr/bin/env bash
# HTTP benchmark: wrk on loopback against hello-server-token-check (Boost.Beast engine, one
# serving thread) with a valid and with an invalid token, beside the peer servers of
# bench/peers (Python http.server+PyJWT, Node http+jsonwebtoken, Go net/http+golang-jwt,
# HAProxy 2.6 jwt_verify, nginx static 200) in the same run. Each server is pinned to core
# $SRV_CPU, wrk (-t1 -c$CONN) to core $WRK_CPU. Rounds are interleaved (every server once per
# round) and the table shows medians over rounds, so the machine's slow phases hit all alike.
#   RUNS=3 DUR=5 bench/http.sh          (~4 min on 2 cores; root: installs what it needs)
# Results: $RESULTS/http.tsv (the table), http-chart.tsv and http.svg (gnuplot), RESULTS
# defaulting to build/bench-results.
# Knobs: RUNS DUR CONN PORT SRV_CPU WRK_CPU BUILD_DIR RESULTS PEERS (scratch dir for the built
#        peers, default /tmp/approov-bench-peers) ONLY_OURS=1 (skip the peers)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/peers/lib.sh"
PEERS="${PEERS:-/tmp/approov-bench-peers}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-demo}"
RESULTS="${RESULTS:-$ROOT/build/bench-results}"
RUNS="${RUNS:-3}"; DUR="${DUR:-5}"; CONN="${CONN:-32}"; PORT="${PORT:-8002}"
SRV_CPU="${SRV_CPU:-0}"; WRK_CPU="${WRK_CPU:-1}"; ONLY_OURS="${ONLY_OURS:-0}"
mkdir -p "$PEERS" "$RESULTS"

# ---- install and build -------------------------------------------------------------------
"$ROOT/scripts/install-deps.sh" bench
peers_tokens
[ "$ONLY_OURS" = 1 ] || peers_build "$PEERS"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAPPROOV_BUILD_EXAMPLES=ON \
  -DAPPROOV_BUILD_TESTS=OFF -DAPPROOV_BUILD_BENCHMARKS=OFF -DAPPROOV_BUILD_FUZZERS=OFF \
  -DAPPROOV_BUILD_TOOLS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target hello-server-token-check -j "$(nproc)" >/dev/null
OURS="$BUILD_DIR/examples/hello-server-token-check"

LOAD0="$(cut -d" " -f1-3 /proc/loadavg)"  # other work on the machine skews results: reported
START="$(date -u '+%F %H:%M UTC')"
peers_nginx_static "$PEERS/nginx" "127.0.0.1:$PORT"

# ---- server lifecycle (only PIDs started here are ever killed) ----------------------------
SPID=""
stop_server() { if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi; }
RES="$(mktemp -d)"
trap 'stop_server; rm -rf "$RES"' EXIT
start_server() {  # cmd...
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT already in use" >&2; exit 1; fi
  taskset -c "$SRV_CPU" "$@" >/dev/null 2>&1 &
  SPID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "server did not come up: $*" >&2; exit 1
}
# CPU time (user+system, clock ticks) of the server and its children (nginx's worker): CPU per
# request is steadier than req/s when other work shares the machine.
cpu_ticks() {
  local t=0 p
  for p in "$SPID" $(pgrep -P "$SPID" || true); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat")))
  done
  echo "$t"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))
code() { curl -s -o /dev/null -w '%{http_code}' -H "Approov-Token: $1" "http://127.0.0.1:$PORT/"; }
# one wrk run -> "rps p50ms p99ms requests non2xx sockerrs"
wrk1() {
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONN" -d"$1"s --latency -H "Approov-Token: $2" "http://127.0.0.1:$PORT/" |
    awk 'function ms(x){ if (x ~ /us$/) return x/1000; if (x ~ /ms$/) return x+0; if (x ~ /s$/) return x*1000; return x }
         /Requests\/sec/ {rps=$2} /^ +50%/ {p50=ms($2)} /^ +99%/ {p99=ms($2)} / requests in / {req=$1}
         /Non-2xx/ {n2=$NF} /Socket errors/ {gsub(/,/,""); se=$4+$6+$8+$10}
         END {printf "%s %.3f %.3f %d %d %d\n", rps, p50, p99, req, n2+0, se+0}'
}
declare -a LABELS=()
load() {  # key label token expected(200|401): one measured wrk run appended to $RES/<key>
  local key="$1" label="$2" tok="$3" exp="$4" got
  LABELS+=("$key|$label|$exp")
  got=$(code "$tok"); [ "$got" = "$exp" ] || { echo "$label: expected $exp, got $got" >&2; echo "0 0 0 0 0 0 0 WRONG$got" >>"$RES/$key"; return; }
  local c0 line c1; c0=$(cpu_ticks); line=$(wrk1 "$DUR" "$tok"); c1=$(cpu_ticks)
  awk -v l="$line" -v c=$((c1 - c0)) -v t="$TICK_US" 'BEGIN{split(l, f, " ");
    printf "%s %.2f\n", l, (f[4] > 0 ? c * t / f[4] : 0)}' >>"$RES/$key"
}
suite() {  # key name valid invalid cmd...
  local key="$1" name="$2" valid="$3" invalid="$4"; shift 4
  start_server "$@"
  wrk1 1 "$valid" >/dev/null; wrk1 1 "$invalid" >/dev/null   # warm-up
  if [ "$key" = nginx ]; then load nginx "$name" "$valid" 200
  else
    load "$key.valid" "$name, valid token" "$valid" 200
    [ -n "$invalid" ] && load "$key.invalid" "$name, invalid signature" "$invalid" 401
  fi
  stop_server
}
for ((r = 1; r <= RUNS; r++)); do
  LABELS=()
  suite ours "approov-cpp hello-server-token-check (Beast, 1 thread)" "$TOKEN_SMALL" "$TOKEN_BADSIG" \
    env -u APPROOV_BASE64URL_SECRET HTTP_PORT="$PORT" SERVER_HOSTNAME=127.0.0.1 HTTP_THREADS=1 "$OURS"
  if [ "$ONLY_OURS" != 1 ]; then
    suite go "go1.19 net/http+golang-jwt v4" "$TOKEN_SMALL" "$TOKEN_BADSIG" \
      env HTTP_PORT="$PORT" GOMAXPROCS=1 "$PEERS/bin/go-peer"
    suite haproxy "haproxy 2.6 jwt_verify" "$TOKEN_SMALL_HAPROXY" "$TOKEN_BADSIG" \
      env PEER_LISTEN="127.0.0.1:$PORT" HAPROXY_SECRET_B64="$HAPROXY_SECRET_B64" \
      haproxy -db -f "$PEERS_SRC/haproxy/jwt.cfg"
    suite node "node http+jsonwebtoken (KeyObject)" "$TOKEN_SMALL" "$TOKEN_BADSIG" \
      env HTTP_PORT="$PORT" NODE_PATH="$PEERS/node/node_modules" node "$PEERS_SRC/node/server.js"
    suite python "python3 http.server+PyJWT (HTTP/1.0)" "$TOKEN_SMALL" "" \
      env HTTP_PORT="$PORT" /usr/bin/python3 "$PEERS_SRC/python/server.py"  # Debian's, with PyJWT
    suite nginx "nginx static 200 (no check, upper bound)" "$TOKEN_SMALL" "$TOKEN_BADSIG" \
      nginx -p "$PEERS/nginx" -c "$PEERS/nginx/nginx.conf" -e "$PEERS/nginx/error.log"
  fi
  echo "  round $r/$RUNS done" >&2
done

# ---- table --------------------------------------------------------------------------------
med() { cut -d' ' -f"$2" "$RES/$1" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]+0}'; }
rps_of() { [ -f "$RES/$1" ] && med "$1" 1 || echo 0; }
p99_of() { [ -f "$RES/$1" ] && med "$1" 3 || echo 0; }
rows=()
for entry in "${LABELS[@]}"; do
  IFS='|' read -r key label exp <<<"$entry"
  f="$RES/$key"
  if grep -q WRONG "$f"; then rows+=("$label|WRONG STATUS|||||||"); continue; fi
  kind=valid; [ "$exp" = 401 ] && kind=invalid
  go_rps=$(rps_of "go.$kind"); ha_rps=$(rps_of "haproxy.$kind")
  rows+=("$(awk -v L="$label" -v E="$exp" -v rps="$(med "$key" 1)" -v p50="$(med "$key" 2)" -v p99="$(med "$key" 3)" \
      -v go="$go_rps" -v ha="$ha_rps" -v cpu="$(med "$key" 7)" \
      -v tot="$(awk '{req+=$4; n2+=$5; se+=$6} END{print req, n2, se}' "$f")" 'BEGIN{
      split(tot, t, " "); req=t[1]; n2=t[2]; se=t[3];
      ok = (E==200) ? (n2==0 ? "all 200" : n2 " non-2xx") : (n2==req ? "all 401" : (req-n2) " 2xx!");
      printf "%s|%.0f|%.2f|%.2f|%.1f|%s|%s|%s|%d", L, rps, p50, p99, cpu,
        (go>0 ? sprintf("%.2fx", rps/go) : "-"), (ha>0 ? sprintf("%.2fx", rps/ha) : "-"), ok, se }')")
done
echo
echo "wrk -t1 -c$CONN -d${DUR}s, median of $RUNS interleaved rounds, server on CPU $SRV_CPU, wrk on CPU $WRK_CPU, 127.0.0.1 ($(date -u +%F))"
{ echo "server, token|req/s|p50 ms|p99 ms|CPU us/req|vs Go|vs HAProxy|statuses|sock errs"; printf '%s\n' "${rows[@]}"; } | column -t -s'|'
echo "(CPU us/req: user+system time of the server process(es) per request during the measured run)"
LOAD1="$(cut -d" " -f1-3 /proc/loadavg)"
echo "load average (1/5/15 min) at start: $LOAD0; at end: $LOAD1"

# ---- data files and chart ------------------------------------------------------------------
# http.tsv: the table above; http-chart.tsv: one row per server (valid and invalid side by
# side, "-" where not measured) for bench/plot/http.gp, which draws http.svg: req/s, p99 and
# the server's CPU time per request (the steadiest of the three when the machine is shared).
CONDITIONS="wrk -t1 -c$CONN -d${DUR}s, median of $RUNS rounds, load average $LOAD0 at start, $LOAD1 at end"
{
  echo "# bench/http.sh, $START, $CONDITIONS"
  echo "# server, token	req/s	p50 ms	p99 ms	CPU us/req	vs Go	vs HAProxy	statuses	sock errs"
  printf '%s\n' "${rows[@]}" | tr '|' '\t'
} >"$RESULTS/http.tsv"
value() {  # KEY COLUMN: the median, or "-" when not measured (or answered wrongly)
  if [ -f "$RES/$1" ] && ! grep -q WRONG "$RES/$1"; then med "$1" "$2"; else echo -; fi
}
{
  printf '# server\tvalid req/s\tinvalid req/s\tvalid p99 ms\tinvalid p99 ms'
  printf '\tvalid CPU us/req\tinvalid CPU us/req\n'
  for entry in "ours|approov-cpp" "go|Go" "haproxy|HAProxy" "node|Node.js" "python|Python" \
               "nginx|nginx static (no check)"; do
    IFS='|' read -r key short <<<"$entry"
    valid="$key.valid"; [ "$key" = nginx ] && valid=nginx
    [ -f "$RES/$valid" ] || continue
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$short" "$(value "$valid" 1)" \
      "$(value "$key.invalid" 1)" "$(value "$valid" 3)" "$(value "$key.invalid" 3)" \
      "$(value "$valid" 7)" "$(value "$key.invalid" 7)"
  done
} >"$RESULTS/http-chart.tsv"
if command -v gnuplot >/dev/null; then
  gnuplot -e "data='$RESULTS/http-chart.tsv'; out='$RESULTS/http.svg'; subtitle='$START, $CONDITIONS'" \
    "$ROOT/bench/plot/http.gp"
  echo "data: $RESULTS/http.tsv, $RESULTS/http-chart.tsv; chart: $RESULTS/http.svg"
else
  echo "data: $RESULTS/http.tsv, $RESULTS/http-chart.tsv (no chart: gnuplot not installed)"
fi
# Targets (issue 3): ours >= 2x Go's req/s and >= HAProxy's, p99 below both, per token kind.
if [ "$ONLY_OURS" != 1 ]; then
  for kind in valid invalid; do
    o=$(rps_of "ours.$kind"); g=$(rps_of "go.$kind"); h=$(rps_of "haproxy.$kind")
    op=$(p99_of "ours.$kind"); gp=$(p99_of "go.$kind"); hp=$(p99_of "haproxy.$kind")
    oc=$([ -f "$RES/ours.$kind" ] && med "ours.$kind" 7 || echo 0)
    gc=$([ -f "$RES/go.$kind" ] && med "go.$kind" 7 || echo 0)
    hc=$([ -f "$RES/haproxy.$kind" ] && med "haproxy.$kind" 7 || echo 0)
    awk -v k="$kind" -v o="$o" -v g="$g" -v h="$h" -v op="$op" -v gp="$gp" -v hp="$hp" \
        -v oc="$oc" -v gc="$gc" -v hc="$hc" 'BEGIN{
      printf "target (%s token): req/s >= 2x Go %s, >= HAProxy %s, p99 below both %s", k,
        (o >= 2*g ? "MET" : "MISSED"), (o >= h ? "MET" : "MISSED"), (op < gp && op < hp ? "MET" : "MISSED");
      if (oc > 0) printf "; server CPU per request %.1f us vs Go %.1f us (%.2fx less), HAProxy %.1f us (%.2fx less)",
        oc, gc, gc / oc, hc, hc / oc;
      printf "\n" }'
  done
fi
