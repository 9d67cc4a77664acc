#!/usr/bin/env bash
# Differential test of the structured-field parser/serializer (approov::sf) against the npm
# package structured-headers: installs it (npm install --no-save, once) into CACHE_DIR under
# the build tree, then runs differential.mjs with the machine's node.
#   run-differential.sh SF_TOOL CACHE_DIR
# Exit code 77 (ctest: skipped) when node or npm is not installed.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SF_TOOL CACHE_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
tool="$1"
cache="$2"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node and npm are needed (scripts/install-deps.sh test installs them)"
  exit 77
fi
mkdir -p "$cache"
if [ ! -f "$cache/node_modules/structured-headers/package.json" ]; then
  if ! npm install --no-save --no-audit --no-fund --prefix "$cache" structured-headers@2 \
    >"$cache/npm-install.log" 2>&1; then
    echo "npm install structured-headers@2 failed:" >&2
    cat "$cache/npm-install.log" >&2
    exit 1
  fi
fi
exec node "$HERE/differential.mjs" "$tool" "$cache" "$HERE/data"
