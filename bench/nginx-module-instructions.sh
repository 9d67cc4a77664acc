#!/usr/bin/env bash
# Instructions per request of nginx (user space, valgrind's callgrind: exact and repeatable,
# unlike req/s on a shared machine) for docs/PERFORMANCE.md, "nginx module":
#   return   nginx `return 200` (the peers' static 200, no check)
#   static   the same body as a static file (a content handler), no check
#   module   the same static file behind ngx_http_approov_module, valid token
# Each setup answers N1 and then N2 keep-alive requests in two runs; the difference divided by
# N2 - N1 removes start-up and shutdown. Note: under valgrind OpenSSL uses no SHA extensions,
# so the HMAC costs more instructions here than on a CPU with SHA-NI.
#   MODULE=build/modules/nginx/ngx_http_approov_module.so bench/nginx-module-instructions.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
MODULE="${MODULE:-$ROOT/build/modules/nginx/ngx_http_approov_module.so}"
N1="${N1:-200}"; N2="${N2:-1200}"
PORT="${PORT:-18290}"
for t in valgrind callgrind_annotate nginx python3; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "missing $t" >&2; exit 1; }
done
[ -f "$MODULE" ] || { echo "module not found at $MODULE (set MODULE=)" >&2; exit 1; }
SECRET='h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=='
BODY='{"message": "Hello, World!"}'

WORK="$(mktemp -d /tmp/ngx-instr.XXXXXX)"
VPID=""
cleanup() { [ -n "$VPID" ] && kill "$VPID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/tmp" "$WORK/www"
chmod 755 "$WORK" "$WORK/www"
printf '%s' "$BODY" >"$WORK/www/hello.json"
chmod 644 "$WORK/www/hello.json"
printf '%s\n' "$SECRET" >"$WORK/secret"

conf() {  # setup -> nginx.conf
  local content
  case $1 in
    return) content="location / { return 200 '$BODY'; }" ;;
    static) content="root $WORK/www; location / { try_files /hello.json =404; }" ;;
    module) content="approov on; root $WORK/www; location / { try_files /hello.json =404; }" ;;
  esac
  cat >"$WORK/nginx.conf" <<EOF
load_module $MODULE;
worker_processes 1; daemon off; master_process off;
pid $WORK/nginx.pid; error_log $WORK/error.log warn;
events { worker_connections 1024; }
http {
    access_log off; keepalive_requests 1000000; etag off;
    client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
    uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
    open_file_cache max=16 inactive=1h; open_file_cache_valid 1h;
    approov_secret_file $WORK/secret;
    server { listen 127.0.0.1:$PORT; default_type application/json; $content }
}
EOF
}

# A keep-alive client sending exactly N requests with a valid token (the public test secret).
cat >"$WORK/client.py" <<'EOF'
import base64, hashlib, hmac, http.client, json, sys, time
port, n, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
b64 = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
p = b64(json.dumps({"exp": 4708683205.891912}, separators=(",", ":")).encode())
token = h + "." + p + "." + b64(hmac.new(base64.b64decode(secret), (h + "." + p).encode(),
                                         hashlib.sha256).digest())
for _ in range(300):  # wait for nginx under valgrind
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.connect()
        break
    except OSError:
        time.sleep(0.1)
for _ in range(n):
    c.request("GET", "/", headers={"Approov-Token": token})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
EOF

instructions() {  # setup requests -> total Ir
  conf "$1"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" nginx -p "$WORK" -c "$WORK/nginx.conf" \
    -e "$WORK/error.log" >/dev/null 2>&1 &
  VPID=$!
  python3 "$WORK/client.py" "$PORT" "$2" "$SECRET"
  kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=""
  awk '/^summary:/ {print $2; exit}' "$WORK/cg.out"
}

echo "nginx user-space instructions per request (callgrind, (I($N2) - I($N1)) / $((N2 - N1)))"
declare -A ir
for s in return static module; do
  a=$(instructions $s "$N1"); b=$(instructions $s "$N2")
  ir[$s]=$(( (b - a) / (N2 - N1) ))
  printf '%-8s %8d\n' "$s" "${ir[$s]}"
done
echo "module - static (the check): $(( ir[module] - ir[static] ))"
