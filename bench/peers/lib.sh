# bench/peers/lib.sh: the peer servers for bench/http.sh and bench/authd.sh (sourced). Each
# peer is this project's own small program or configuration (see bench/peers/README.md).
PEERS_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The test data as shell variables (bench/peers/tokens.py), secret exported for the servers.
peers_tokens() {
  eval "$(python3 "$PEERS_SRC/tokens.py")"
  export APPROOV_BASE64_SECRET
}

# peers_build SCRATCH: the Go peer built against Debian's golang-jwt (GOPATH mode, no network)
# into SCRATCH/bin/go-peer, and jsonwebtoken installed from npm into SCRATCH/node.
peers_build() {
  local scratch="$1"
  mkdir -p "$scratch/bin" "$scratch/node" "$scratch/gocache"
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$scratch/gocache" GOFLAGS= \
    go build -o "$scratch/bin/go-peer" "$PEERS_SRC/go/main.go"
  if [ ! -d "$scratch/node/node_modules/jsonwebtoken" ]; then
    cp "$PEERS_SRC/node/package.json" "$scratch/node/package.json"
    (cd "$scratch/node" && npm install --no-audit --no-fund --silent >/dev/null)
  fi
}

# peers_nginx_static PREFIX HOST:PORT: PREFIX/nginx.conf for nginx's static 200.
peers_nginx_static() {
  mkdir -p "$1/tmp"
  PEER_PREFIX="$1" PEER_LISTEN="$2" envsubst '${PEER_PREFIX} ${PEER_LISTEN}' \
    <"$PEERS_SRC/nginx/static.conf.template" >"$1/nginx.conf"
}

# How each peer starts on 127.0.0.1:$PORT, once peers_tokens and peers_build have run:
#   Go       env HTTP_PORT=$PORT GOMAXPROCS=1 SCRATCH/bin/go-peer
#   Node     env HTTP_PORT=$PORT NODE_PATH=SCRATCH/node/node_modules node $PEERS_SRC/node/server.js
#   Python   env HTTP_PORT=$PORT /usr/bin/python3 $PEERS_SRC/python/server.py  (Debian's, with PyJWT)
#   HAProxy  env PEER_LISTEN=127.0.0.1:$PORT HAPROXY_SECRET_B64=... haproxy -db -f $PEERS_SRC/haproxy/jwt.cfg
#   nginx    nginx -p PREFIX -c PREFIX/nginx.conf -e PREFIX/error.log   (after peers_nginx_static)
