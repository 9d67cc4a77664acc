#!/usr/bin/env bash
# Installs one pinned npm package for a differential test into CACHE_DIR (npm install --no-save,
# once per build tree), for the test to run with the machine's node.
#   npm-install.sh CACHE_DIR NAME@VERSION
# Exit status: 0 installed (or already there); 77 (ctest: skipped) when node or npm is missing
# or the npm registry cannot be reached at all (no route, DNS, or a TLS interception proxy
# whose CA this machine does not trust), each said on stdout; 1 for any other npm failure,
# which is a real error.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 CACHE_DIR NAME@VERSION" >&2
  exit 2
fi
cache="$1"
package="$2"
name="${package%@*}"
version="${package##*@}"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node and npm are needed (scripts/install-deps.sh test installs them)"
  exit 77
fi
mkdir -p "$cache"
installed="$(node -e 'try{console.log(require(process.argv[1]).version)}catch(e){}' \
  "$cache/node_modules/$name/package.json" 2>/dev/null || true)"
# A major version alone (structured-headers@2) accepts any installed 2.x.
if [ -n "$installed" ] && { [ "$installed" = "$version" ] || [ "${installed%%.*}" = "$version" ]; }; then
  exit 0
fi
if npm install --no-save --no-audit --no-fund --prefix "$cache" "$package" \
  >"$cache/npm-install.log" 2>&1; then
  exit 0
fi
if grep -Eq 'code (ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_[A-Z_]+)' \
  "$cache/npm-install.log"; then
  echo "SKIP: the npm registry cannot be reached from here, so $package is not installed:"
  grep -E '^npm (ERR!|error) (code|request|errno)' "$cache/npm-install.log" | head -n 3 || true
  exit 77
fi
echo "npm install $package failed:" >&2
cat "$cache/npm-install.log" >&2
exit 1
