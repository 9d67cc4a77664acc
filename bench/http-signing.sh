#!/usr/bin/env bash
# HTTP benchmark of message signing: wrk on loopback against hello-server-message-signing-check
# (Boost.Beast engine, one serving thread) and against a minimal Node.js server verifying with
# the npm package http-message-signatures (bench/peers/node-message-signing), in one run, for
# a signed GET and a signed POST with a 1 KiB body. Requests are signed by `approov-token sign`
# (a device key from `keygen`, its ipk in the token; lifetime 300 s, re-signed every round, no
# replay store, so wrk may send the same signed request again). Each server is pinned to core
# $SRV_CPU, wrk (-t1 -c$CONN) to core $WRK_CPU; rounds are interleaved and the table shows
# medians over rounds. Target: ours at least 5 times the peer's throughput.
#   RUNS=3 DUR=5 bench/http-signing.sh        (~2 min; needs wrk, node and npm)
# Knobs: RUNS DUR CONN PORT SRV_CPU WRK_CPU BUILD_DIR NPM_CACHE
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
NPM_CACHE="${NPM_CACHE:-$BUILD_DIR/bench-npm}"
RUNS="${RUNS:-3}"; DUR="${DUR:-5}"; CONN="${CONN:-32}"; PORT="${PORT:-8012}"
SRV_CPU="${SRV_CPU:-0}"; WRK_CPU="${WRK_CPU:-1}"
SECRET="h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
for tool in wrk node npm curl taskset; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (scripts/install-deps.sh bench)" >&2; exit 2; }
done
cmake --build "$BUILD_DIR" --target hello-server-message-signing-check approov-token >/dev/null
OURS="$BUILD_DIR/examples/hello-server-message-signing-check"
CLI="$BUILD_DIR/tools/cli/approov-token"
mkdir -p "$NPM_CACHE"
[ -f "$NPM_CACHE/node_modules/http-message-signatures/package.json" ] ||
  npm install --no-save --no-audit --no-fund --silent --prefix "$NPM_CACHE" \
    http-message-signatures@1.0.6 >/dev/null

WORK="$(mktemp -d)"
SPID=""
stop_server() { if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi; }
trap 'stop_server; rm -rf "$WORK"' EXIT
start_server() {  # cmd...
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT already in use" >&2; exit 1; fi
  taskset -c "$SRV_CPU" "$@" >/dev/null 2>"$WORK/server.err" &
  SPID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "server did not come up: $*" >&2; cat "$WORK/server.err" >&2; exit 1
}

export APPROOV_BASE64_SECRET="$SECRET"
(cd "$WORK" && : >.env)
"$CLI" keygen --out "$WORK/device.pem" >/dev/null
TOKEN="$(cd "$WORK" && "$CLI" gen --ttl 3600 --ipk-key "$WORK/device.pem")"
printf '{"shape":"circle","pad":"%s"}' "$(head -c 997 /dev/zero | tr '\0' x)" >"$WORK/body.json"

# A wrk script for one signed request (headers from `approov-token sign`, made now).
make_script() {  # case -> $WORK/case.lua
  local args=(sign --key "$WORK/device.pem" --method GET --url "http://127.0.0.1:$PORT/"
    --header "Approov-Token: $TOKEN" --ttl 300)
  local lua="$WORK/$1.lua"
  if [ "$1" = post ]; then
    args=(sign --key "$WORK/device.pem" --method POST --url "http://127.0.0.1:$PORT/"
      --header "Approov-Token: $TOKEN" --header "Content-Type: application/json"
      --body-file "$WORK/body.json" --ttl 300)
  fi
  (cd "$WORK" && "$CLI" "${args[@]}") >"$WORK/$1.headers"
  {
    echo "wrk.method = \"$([ "$1" = post ] && echo POST || echo GET)\""
    echo "wrk.headers[\"Approov-Token\"] = \"$TOKEN\""
    if [ "$1" = post ]; then
      echo "wrk.headers[\"Content-Type\"] = \"application/json\""
      printf 'wrk.body = [==[%s]==]\n' "$(cat "$WORK/body.json")"
    fi
    while IFS= read -r line; do
      printf 'wrk.headers[ [==[%s]==] ] = [==[%s]==]\n' "${line%%: *}" "${line#*: }"
    done <"$WORK/$1.headers"
  } >"$lua"
}
code() {  # case -> HTTP status of one request as wrk sends it
  local h=(-H "Approov-Token: $TOKEN")
  while IFS= read -r line; do h+=(-H "$line"); done <"$WORK/$1.headers"
  if [ "$1" = post ]; then
    curl -s -o /dev/null -w '%{http_code}' "${h[@]}" -H 'Content-Type: application/json' \
      --data-binary @"$WORK/body.json" "http://127.0.0.1:$PORT/"
  else
    curl -s -o /dev/null -w '%{http_code}' "${h[@]}" "http://127.0.0.1:$PORT/"
  fi
}
# CPU time (user+system, clock ticks) of the server: CPU per request is steadier than req/s
# when other work shares the machine.
cpu_ticks() { awk '{print $14+$15}' "/proc/$SPID/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
wrk1() {  # case -> "rps non2xx cpu_us_per_request"
  local t0 t1 out
  t0="$(cpu_ticks)"
  out="$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONN" -d"$DUR"s -s "$WORK/$1.lua" "http://127.0.0.1:$PORT/")"
  t1="$(cpu_ticks)"
  awk -v t="$(( (t1 - t0) * TICK_US ))" '/Requests\/sec/ {r=$2} /requests in/ {q=$1}
    /Non-2xx/ {n=$NF} END {printf "%s %s %.1f\n", r, (n==""?0:n), t / q}' <<<"$out"
}

declare -A RPS CPU
LOAD0="$(cut -d" " -f1-3 /proc/loadavg)"
for round in $(seq "$RUNS"); do
  for c in get post; do make_script "$c"; done
  for server in ours node; do
    if [ "$server" = ours ]; then
      start_server env HTTP_PORT="$PORT" HTTP_THREADS=1 "$OURS"
    else
      start_server env PORT="$PORT" NODE_PATH="$NPM_CACHE/node_modules" node \
        "$ROOT/bench/peers/node-message-signing/server.js"
    fi
    for c in get post; do
      [ "$(code "$c")" = 200 ] || { echo "$server: the signed $c request is not accepted" >&2; exit 1; }
      read -r rps non2xx cpu <<<"$(wrk1 "$c")"
      [ "$non2xx" = 0 ] || { echo "$server $c: $non2xx non-2xx answers" >&2; exit 1; }
      RPS["$server.$c"]="${RPS["$server.$c"]:-} $rps"
      CPU["$server.$c"]="${CPU["$server.$c"]:-} $cpu"
    done
    stop_server
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "machine load before: $LOAD0, after: $(cut -d" " -f1-3 /proc/loadavg); $RUNS rounds of ${DUR}s, wrk -t1 -c$CONN"
printf '%-6s %12s %12s %7s %14s %14s %7s\n' case "ours req/s" "node req/s" ratio \
  "ours CPU us/r" "node CPU us/r" ratio
status=0
for c in get post; do
  o="$(echo "${RPS["ours.$c"]}" | median)"; n="$(echo "${RPS["node.$c"]}" | median)"
  oc="$(echo "${CPU["ours.$c"]}" | median)"; nc="$(echo "${CPU["node.$c"]}" | median)"
  r="$(awk -v o="$o" -v n="$n" 'BEGIN { printf "%.1f", o / n }')"
  rc="$(awk -v o="$oc" -v n="$nc" 'BEGIN { printf "%.1f", n / o }')"
  printf '%-6s %12s %12s %7s %14s %14s %7s\n' "$c" "$o" "$n" "$r" "$oc" "$nc" "$rc"
  awk -v r="$r" 'BEGIN { exit !(r < 5) }' && { echo "below the 5x target: $c" >&2; status=1; }
done
exit $status
