#!/usr/bin/env bash
# Differential test of message signing against the npm package http-message-signatures:
# installs it (npm install --no-save, once, pinned) into CACHE_DIR under the build tree, then
# runs differential.mjs with the machine's node (18, Debian 12's, or newer).
#   run-differential.sh SIGNING_TOOL CACHE_DIR
# Exit code 77 (ctest: skipped) when node or npm is not installed.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SIGNING_TOOL CACHE_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
tool="$1"
cache="$2"
# 1.0.6 runs on node 18 and 20 (its only dependency, structured-headers 2, needs node >= 18).
package="http-message-signatures@1.0.6"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node and npm are needed (scripts/install-deps.sh test installs them)"
  exit 77
fi
mkdir -p "$cache"
installed="$(node -e 'try{console.log(require(process.argv[1]).version)}catch(e){}' \
  "$cache/node_modules/http-message-signatures/package.json" 2>/dev/null || true)"
if [ "$installed" != "${package##*@}" ]; then
  if ! npm install --no-save --no-audit --no-fund --prefix "$cache" "$package" \
    >"$cache/npm-install.log" 2>&1; then
    echo "npm install $package failed:" >&2
    cat "$cache/npm-install.log" >&2
    exit 1
  fi
fi
exec node "$HERE/differential.mjs" "$tool" "$cache"
