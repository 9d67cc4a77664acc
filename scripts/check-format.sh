#!/usr/bin/env bash
# Fails if clang-format (the repo's .clang-format) would change any tracked C/C++ file.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${1:-clang-format}"
files=$(git ls-files '*.c' '*.cc' '*.cpp' '*.h' '*.hpp')
bad=()
for f in $files; do
  "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not clang-format clean: %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "clang-format clean: $(echo "$files" | wc -w) files"
