#!/usr/bin/env bash
# Differential test of message signing against the npm package http-message-signatures:
# installs it (npm install --no-save, once, pinned) into CACHE_DIR under the build tree, then
# runs differential.mjs with the machine's node (18, Debian 12's, or newer).
#   run-differential.sh SIGNING_TOOL CACHE_DIR
# Exit code 77 (ctest: skipped) when node or npm is not installed or the registry cannot be
# reached (tests/support/npm-install.sh).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SIGNING_TOOL CACHE_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
tool="$1"
cache="$2"
# 1.0.6 runs on node 18 and 20 (its only dependency, structured-headers 2, needs node >= 18).
"$HERE/../support/npm-install.sh" "$cache" http-message-signatures@1.0.6
exec node "$HERE/differential.mjs" "$tool" "$cache"
