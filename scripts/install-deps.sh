#!/usr/bin/env bash
# Installs, from Debian's archive, whatever this project needs that the machine lacks.
# Usage: scripts/install-deps.sh [build|test|bench]   (default: test = build + test tools)
# Needs root (or sudo). Services that packages would start (nginx, haproxy, caddy, redis) are kept
# from starting: the tests start their own instances on loopback ports.
set -euo pipefail
level="${1:-test}"

build_pkgs=(build-essential cmake ninja-build pkg-config libssl-dev libcli11-dev
  libboost-dev libboost-system-dev libcpp-httplib-dev libmicrohttpd-dev libhiredis-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jwt python3-yaml python3-cryptography curl
  nginx-light libnginx-mod-http-headers-more-filter caddy haproxy luajit wrk clang-14 libclang-rt-14-dev llvm-14 libsimdjson-dev
  procps iproute2 valgrind git clang-format redis-server)
bench_pkgs=(hyperfine)
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
