#!/usr/bin/env bash
# Installs, from Debian's archive, whatever this project needs that the machine lacks.
# Usage: scripts/install-deps.sh [build|test|bench] [--list]   (default: test)
#   build: what a default top-level configure and build need; test: + the proxies and tools
#   the tests run; bench: + what bench/*.sh need (peers, gnuplot for the charts)
# Needs root (or sudo). Services that packages would start (nginx, haproxy, caddy, redis) are kept
# from starting: the tests start their own instances on loopback ports.
set -euo pipefail
level="${1:-test}"

build_pkgs=(build-essential cmake ninja-build pkg-config libssl-dev libcurl4-openssl-dev libcli11-dev
  libboost-dev libboost-system-dev libcpp-httplib-dev libmicrohttpd-dev libhiredis-dev)
# A top-level configure builds the tests and benchmarks by default (APPROOV_BUILD_TESTS and
# APPROOV_BUILD_BENCHMARKS), which need GoogleTest, Google Benchmark and python3 (tests/cli):
# installed here so that README's plain `cmake -S . -B build` works after `build`. (Small
# packages; the alternative, a first command with -DAPPROOV_BUILD_TESTS=OFF, would leave a
# newcomer's build unable to run the tests the docs describe.)
build_pkgs+=(libgtest-dev libgmock-dev libbenchmark-dev python3)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jwt python3-yaml python3-cryptography curl
  nginx-light nginx-dev libnginx-mod-http-headers-more-filter caddy haproxy luajit wrk clang-14
  libclang-rt-14-dev llvm-14 libsimdjson-dev
  procps iproute2 valgrind git clang-format redis-server)
# envsubst fills the nginx recipe's template (as docs/gateways/nginx.md does); strace and
# systemd-analyze check the systemd unit's sandbox; groff/man render the man pages.
test_pkgs+=(gettext-base strace systemd groff-base man-db)
# bench/: the peer servers of bench/peers (Go net/http + golang-jwt, Python http.server +
# PyJWT, HAProxy jwt_verify, nginx; Node's jsonwebtoken comes from npm), taskset (util-linux),
# and gnuplot for the charts the scripts draw.
bench_pkgs=(hyperfine golang-go golang-github-golang-jwt-jwt-dev util-linux gnuplot-nox)
# Node.js and npm for the structured-field differential test (npm package structured-headers):
# Debian's packages where the machine has none. A machine whose Node.js comes from elsewhere
# (NodeSource's nodejs bundles npm and conflicts with Debian's npm package) keeps its own.
command -v node >/dev/null 2>&1 || test_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || test_pkgs+=(npm)

pkgs=("${build_pkgs[@]}")
case "$level" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac
# Node.js and npm for the differential tests against the npm `jose` package: Debian's, unless
# the machine already has a node (e.g. a newer one from another source, which brings its npm).
if [ "$level" != build ] && ! command -v node >/dev/null; then
  pkgs+=(nodejs npm)
fi

# --list: print the packages of this level and stop (tests/docs/test_install_deps.py uses it).
if [ "${2:-}" = --list ]; then printf '%s\n' "${pkgs[@]}"; exit 0; fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}" >&2
# policy-rc.d exit 101 stops Debian's postinst scripts from starting the proxies' services.
added_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  added_policy=1
fi
trap '[ $added_policy = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
