#!/usr/bin/env bash
# Benchmark of approov-authd (docs/PERFORMANCE.md, "Sidecar: approov-authd"):
#   A  nginx static 200 (no check)                      upper bound for an HTTP server here
#   B  approov-authd alone, valid token / invalid token
#   C  HAProxy 2.6 jwt_verify answering itself           (bench/peers/haproxy/jwt.cfg)
#   D  nginx auth_request -> ideal auth endpoint (an nginx location answering 200) -> proxy_pass
#   E  nginx auth_request -> approov-authd -> proxy_pass  (deploy/nginx/nginx.conf.template)
#   F0 nginx serving the same JSON as a static file, no check (F's configuration, approov off)
#   F  nginx + ngx_http_approov_module, static file behind it (skipped if the module is not
#      built; MODULE= its path)
# Servers (nginx, authd, haproxy: one worker/thread each) pinned to CPU $SRV_CPU, wrk to
# $WRK_CPU, loopback only; rounds interleaved, medians over rounds.
#   AUTHD=build/tools/authd/approov-authd RUNS=3 DUR=5 CONN=32 bench/authd.sh
# Results: $RESULTS/authd.tsv (the table), authd-chart.tsv and authd.svg (gnuplot), RESULTS
# defaulting to build/bench-results. Needs wrk, nginx, haproxy, curl, taskset, envsubst
# (scripts/install-deps.sh bench).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
. "$HERE/peers/lib.sh"
AUTHD="${AUTHD:-$ROOT/build/tools/authd/approov-authd}"
RESULTS="${RESULTS:-$ROOT/build/bench-results}"
MODULE="${MODULE:-$ROOT/build/modules/nginx/ngx_http_approov_module.so}"
RUNS="${RUNS:-3}"; DUR="${DUR:-5}"; CONN="${CONN:-32}"
SRV_CPU="${SRV_CPU:-0}"; WRK_CPU="${WRK_CPU:-1}"
BASE="${BASE_PORT:-18200}"
P_FRONT=$BASE; P_AUTHD=$((BASE + 1)); P_IDEAL=$((BASE + 2)); P_CONTENT=$((BASE + 3))
for t in wrk nginx haproxy curl taskset envsubst; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "missing $t (scripts/install-deps.sh bench)" >&2; exit 1; }
done
[ -x "$AUTHD" ] || { echo "approov-authd not found at $AUTHD (set AUTHD=)" >&2; exit 1; }
peers_tokens
mkdir -p "$RESULTS"

WORK="$(mktemp -d /tmp/authd-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/static/tmp" "$WORK/ideal/tmp" "$WORK/authd/tmp"

# A: the peers' nginx static 200.
peers_nginx_static "$WORK/static" "127.0.0.1:$P_FRONT"
# C: the peers' HAProxy jwt_verify reads its address and key (without NUL bytes) from the
# environment.
export PEER_LISTEN="127.0.0.1:$P_FRONT" HAPROXY_SECRET_B64
# D and E: the deploy recipe, plus two servers in the same nginx worker: the content
# upstream and (D only) the ideal auth endpoint.
extra_servers="    server { listen 127.0.0.1:$P_CONTENT; default_type application/json; location / { return 200 '{\"message\": \"Hello, World!\"}'; } }
    server { listen 127.0.0.1:$P_IDEAL; location / { return 200; } }
}"
render() {  # prefix authd-address: the recipe filled by envsubst, as docs/gateways/nginx.md says
  NGINX_PREFIX="$1" PROXY_LISTEN="127.0.0.1:$P_FRONT" AUTHD_ADDRESS="$2" \
    API_ADDRESS="127.0.0.1:$P_CONTENT" envsubst '${NGINX_PREFIX} ${PROXY_LISTEN} ${AUTHD_ADDRESS} ${API_ADDRESS}' \
    <"$ROOT/deploy/nginx/nginx.conf.template" |
    sed '$d' >"$1/nginx.conf"   # drop the final "}" of http {}, then add the extra servers
  printf '%s\n' "$extra_servers" >>"$1/nginx.conf"
}
render "$WORK/ideal" "127.0.0.1:$P_IDEAL"
render "$WORK/authd" "127.0.0.1:$P_AUTHD"
# F0 and F: the peers' static configuration with the module loaded, the same body served as a
# static file (a content handler: `return` answers in the rewrite phase, before any access
# check), the check on (F) or off (F0). nginx's workers read the file: world-readable.
have_module=0
if [ -f "$MODULE" ]; then
  have_module=1
  for v in module module_off; do
    mkdir -p "$WORK/$v/tmp" "$WORK/$v/www"
    printf '%s' '{"message": "Hello, World!"}' >"$WORK/$v/www/hello.json"
    printf '%s\n' "$APPROOV_BASE64_SECRET" >"$WORK/$v/secret"
    chmod 755 "$WORK" "$WORK/$v" "$WORK/$v/www"
    chmod 644 "$WORK/$v/www/hello.json"
    [ $v = module ] && onoff=on || onoff=off
    peers_nginx_static "$WORK/$v" "127.0.0.1:$P_FRONT"
    { echo "load_module $MODULE;"
      sed -e "s|^    server {|    approov_secret_file $WORK/$v/secret;\n    open_file_cache max=16 inactive=1h;\n    open_file_cache_valid 1h;\n    etag off;\n    server {|" \
          -e "s|location / { return 200 .*|approov $onoff; root $WORK/$v/www; location / { try_files /hello.json =404; }|" \
          "$WORK/$v/nginx.conf"; } >"$WORK/$v/nginx.conf.module"
    mv "$WORK/$v/nginx.conf.module" "$WORK/$v/nginx.conf"
  done
else
  echo "module not found at $MODULE (set MODULE=): F0/F skipped" >&2
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start() {  # port cmd...
  local port=$1; shift
  taskset -c "$SRV_CPU" "$@" >/dev/null 2>"$WORK/last.err" &
  PIDS+=($!)
  for _ in $(seq 100); do port_open "$port" && return 0; sleep 0.05; done
  echo "did not start: $* ($(cat "$WORK/last.err"))" >&2; exit 1
}
stop_all() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
  for port in $P_FRONT $P_AUTHD; do
    for _ in $(seq 50); do port_open "$port" || break; sleep 0.05; done
  done
}
# The peers' static config already says daemon off / master_process off.
NGINX=(nginx -e /dev/null)
NGINX_FG=(nginx -g "daemon off; master_process off;" -e /dev/null)
# Empty failure body, as deploy/nginx says: nginx cannot keep alive past a pending body.
start_authd() { start "$P_AUTHD" "$AUTHD" --listen "127.0.0.1:$P_AUTHD" --threads 1 --log-rate 0 --failure-body=; }

# CPU time (user+system, clock ticks) of every server process started for this setup: CPU per
# request is a steadier figure than req/s when other work shares the machine.
cpu_ticks() { local t=0 p; for p in "${PIDS[@]}"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
TCK=$(getconf CLK_TCK)
# one wrk run -> "rps p99ms requests non2xx sockerrs"
wrk1() {  # seconds token
  taskset -c "$WRK_CPU" wrk -t1 -c"$CONN" -d"$1"s --latency -H "Approov-Token: $2" "http://127.0.0.1:$P_FRONT/" |
    awk 'function ms(x){ if (x ~ /us$/) return x/1000; if (x ~ /ms$/) return x+0; if (x ~ /s$/) return x*1000; return x }
         /Requests\/sec/ {rps=$2} /^ +99%/ {p99=ms($2)} / requests in / {req=$1}
         /Non-2xx/ {n2=$NF} /Socket errors/ {gsub(/,/,""); se=$4+$6+$8+$10}
         END {printf "%s %.3f %d %d %d\n", rps, p99, req, n2+0, se+0}'
}
code() { curl -s -o /dev/null -w '%{http_code}' -H "Approov-Token: $1" "http://127.0.0.1:$P_FRONT/"; }
RES="$WORK/res"; mkdir -p "$RES"
measure() {  # key token expected-status
  local got; got=$(code "$2")
  [ "$got" = "$3" ] || { echo "$1: expected $3, got $got" >&2; exit 1; }
  wrk1 1 "$2" >/dev/null   # warm-up
  local c0 line c1; c0=$(cpu_ticks); line=$(wrk1 "$DUR" "$2"); c1=$(cpu_ticks)
  echo "$line $(awk -v t=$((c1 - c0)) -v n="$(echo "$line" | cut -d' ' -f3)" -v hz="$TCK" 'BEGIN{printf "%.2f", t * 1e6 / hz / n}')" >>"$RES/$1"
}

LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
START="$(date -u '+%F %H:%M UTC')"
for ((r = 1; r <= RUNS; r++)); do
  start "$P_FRONT" "${NGINX[@]}" -p "$WORK/static" -c "$WORK/static/nginx.conf"
  measure static "$TOKEN_SMALL" 200; stop_all

  # the sidecar answers on the front port for B
  start "$P_FRONT" "$AUTHD" --listen "127.0.0.1:$P_FRONT" --threads 1 --log-rate 0
  measure authd_valid "$TOKEN_SMALL" 200
  measure authd_invalid "$TOKEN_BADSIG" 401; stop_all

  start "$P_FRONT" haproxy -db -f "$PEERS_SRC/haproxy/jwt.cfg"
  measure haproxy_valid "$TOKEN_SMALL_HAPROXY" 200; stop_all

  start "$P_FRONT" "${NGINX_FG[@]}" -p "$WORK/ideal" -c "$WORK/ideal/nginx.conf"
  measure nginx_ideal "$TOKEN_SMALL" 200; stop_all

  start_authd
  start "$P_FRONT" "${NGINX_FG[@]}" -p "$WORK/authd" -c "$WORK/authd/nginx.conf"
  measure nginx_authd_valid "$TOKEN_SMALL" 200
  measure nginx_authd_invalid "$TOKEN_BADSIG" 401; stop_all

  if [ $have_module = 1 ]; then
    start "$P_FRONT" "${NGINX[@]}" -p "$WORK/module_off" -c "$WORK/module_off/nginx.conf"
    measure module_off "$TOKEN_SMALL" 200; stop_all
    start "$P_FRONT" "${NGINX[@]}" -p "$WORK/module" -c "$WORK/module/nginx.conf"
    measure module_valid "$TOKEN_SMALL" 200
    measure module_invalid "$TOKEN_BADSIG" 401; stop_all
  fi
  echo "  round $r/$RUNS done" >&2
done

med() { cut -d' ' -f"$2" "$RES/$1" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
check() {  # key expected -> "all 200"/"all 401"/problem
  awk -v E="$2" '{req+=$3; n2+=$4; se+=$5} END{
    if (se) { printf "%d socket errors", se; exit }
    if (E==200) print (n2==0 ? "all 2xx" : n2 " non-2xx!"); else print (n2==req ? "all non-2xx" : (req-n2) " 2xx!") }' "$RES/$1"
}
row() { printf '%s|%.0f|%.2f|%.1f|%s\n' "$2" "$(med "$1" 1)" "$(med "$1" 2)" "$(med "$1" 6)" "$(check "$1" "$3")"; }
ratio() { awk -v a="$(med "$1" 1)" -v b="$(med "$2" 1)" 'BEGIN{printf "%.2f", a/b}'; }

SETUPS=(  # key|label|expected status|chart label
  "static|A nginx static 200 (no check)|200|A nginx static"
  "authd_valid|B approov-authd alone, valid token|200|B authd, valid"
  "authd_invalid|B approov-authd alone, invalid signature|401|B authd, bad sig"
  "haproxy_valid|C HAProxy 2.6 jwt_verify, valid token|200|C HAProxy jwt_verify"
  "nginx_ideal|D nginx auth_request -> ideal endpoint (return 200)|200|D nginx+ideal auth"
  "nginx_authd_valid|E nginx auth_request -> approov-authd, valid|200|E nginx+authd, valid"
  "nginx_authd_invalid|E nginx auth_request -> approov-authd, invalid|401|E nginx+authd, bad sig")
if [ $have_module = 1 ]; then
  SETUPS+=("module_off|F0 nginx static file (no check)|200|F0 nginx file"
           "module_valid|F nginx + approov module, valid|200|F module, valid"
           "module_invalid|F nginx + approov module, invalid|401|F module, bad sig")
fi
rows=()
for entry in "${SETUPS[@]}"; do
  IFS='|' read -r key label exp _ <<<"$entry"
  rows+=("$(row "$key" "$label" "$exp")")
done
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "approov-authd benchmark: wrk -t1 -c$CONN -d${DUR}s, median of $RUNS interleaved rounds, servers on CPU $SRV_CPU, wrk on CPU $WRK_CPU, 127.0.0.1 ($START)"
{ echo "setup|req/s|p99 ms|server CPU us/req|answers"; printf '%s\n' "${rows[@]}"; } | column -t -s'|'
echo
echo "approov-authd alone / nginx static 200:         $(ratio authd_valid static)  (target >= 0.8)"
echo "approov-authd alone / HAProxy jwt_verify:         $(ratio authd_valid haproxy_valid)  (target >= 1.3)"
echo "nginx+approov-authd / nginx+ideal auth endpoint:  $(ratio nginx_authd_valid nginx_ideal)  (target >= 0.9)"
if [ $have_module = 1 ]; then
  echo "nginx+module / nginx static file, no check:     $(ratio module_valid module_off)  (target >= 0.9)"
  echo "nginx+module / nginx static 200 (return):        $(ratio module_valid static)"
  echo "nginx+module / nginx+auth_request+approov-authd: $(ratio module_valid nginx_authd_valid)"
fi
echo "(server CPU us/req: user+system time of the server processes, nginx and authd together for D/E, per answered request)"
echo "load average (1/5/15 min) at start: $LOAD0; at end: $LOAD1"

# ---- data files and chart ------------------------------------------------------------------
CONDITIONS="wrk -t1 -c$CONN -d${DUR}s, median of $RUNS rounds, load average $LOAD0 at start, $LOAD1 at end"
{
  echo "# bench/authd.sh, $START, $CONDITIONS"
  echo "# setup	req/s	p99 ms	server CPU us/req	answers"
  printf '%s\n' "${rows[@]}" | tr '|' '\t'
} >"$RESULTS/authd.tsv"
{
  printf '# setup\treq/s\tp99 ms\tserver CPU us/req\n'
  for entry in "${SETUPS[@]}"; do
    IFS='|' read -r key _ _ short <<<"$entry"
    printf '%s\t%s\t%s\t%s\n' "$short" "$(med "$key" 1)" "$(med "$key" 2)" "$(med "$key" 6)"
  done
} >"$RESULTS/authd-chart.tsv"
if command -v gnuplot >/dev/null; then
  gnuplot -e "data='$RESULTS/authd-chart.tsv'; out='$RESULTS/authd.svg'; subtitle='$START, $CONDITIONS'" \
    "$HERE/plot/authd.gp"
  echo "data: $RESULTS/authd.tsv, $RESULTS/authd-chart.tsv; chart: $RESULTS/authd.svg"
else
  echo "data: $RESULTS/authd.tsv, $RESULTS/authd-chart.tsv (no chart: gnuplot not installed)"
fi
