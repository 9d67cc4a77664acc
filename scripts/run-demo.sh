#!/usr/bin/env bash
# The main job: install what is missing (Debian packages), build, and start
# hello-server-token-check on 127.0.0.1:8002 (SERVER_HOSTNAME / HTTP_PORT, or a .env file,
# change that).
#
# Without APPROOV_BASE64_SECRET / APPROOV_BASE64URL_SECRET (in the environment or a .env file
# in the working directory or above) it runs in demo mode: it uses the PUBLIC Approov test
# secret, says so loudly, and prints ready-to-paste curl commands with a freshly minted valid
# token, an invalid one and none. Ctrl-C stops it.
#   scripts/run-demo.sh            BUILD_DIR=... to build elsewhere (default build-demo)
#   scripts/run-demo.sh --message-signing
#       starts hello-server-message-signing-check instead: in demo mode it makes a device key,
#       mints a token carrying its public half (ipk) and prints curl commands whose requests
#       are signed with it (RFC 9421), plus a tampered one and an unsigned one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-demo}"
SERVER=hello-server-token-check
case "${1:-}" in
  "") ;;
  --message-signing) SERVER=hello-server-message-signing-check ;;
  *) echo "usage: $0 [--message-signing]" >&2; exit 2 ;;
esac

"$ROOT/scripts/install-deps.sh" build

echo "building $SERVER (Release) in $BUILD_DIR ..." >&2
mkdir -p "$BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAPPROOV_BUILD_EXAMPLES=ON \
  -DAPPROOV_BUILD_TESTS=OFF -DAPPROOV_BUILD_BENCHMARKS=OFF -DAPPROOV_BUILD_FUZZERS=OFF \
  -DAPPROOV_BUILD_TOOLS=OFF >"$BUILD_DIR/configure.log" 2>&1 ||
  { cat "$BUILD_DIR/configure.log" >&2; exit 1; }
cmake --build "$BUILD_DIR" --target "$SERVER" -j "$(nproc)" >&2

# The server loads .env itself (from its working directory upward, like the quickstarts), so
# it runs from the caller's directory; --demo allows the public test secret only when no secret
# is configured at all. exec: Ctrl-C (SIGINT) goes straight to the server, which stops cleanly.
exec "$BUILD_DIR/examples/$SERVER" --demo
