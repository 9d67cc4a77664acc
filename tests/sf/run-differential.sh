#!/usr/bin/env bash
# Differential test of the structured-field parser/serializer (approov::sf) against the npm
# package structured-headers: installs it (npm install --no-save, once) into CACHE_DIR under
# the build tree, then runs differential.mjs with the machine's node.
#   run-differential.sh SF_TOOL CACHE_DIR
# Exit code 77 (ctest: skipped) when node or npm is not installed or the registry cannot be
# reached (tests/support/npm-install.sh).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SF_TOOL CACHE_DIR" >&2
  exit 2
fi
HERE="$(cd "$(dirname "$0")" && pwd)"
tool="$1"
cache="$2"
"$HERE/../support/npm-install.sh" "$cache" structured-headers@2
exec node "$HERE/differential.mjs" "$tool" "$cache" "$HERE/data"
