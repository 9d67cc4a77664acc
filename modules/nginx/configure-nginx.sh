#!/usr/bin/env bash
# Prepares a dynamic-module build against the distribution's nginx: runs the configure script
# of nginx's module source tree (Debian's nginx-dev: /usr/share/nginx/src) with the exact flags
# that nginx was built with (its conf_flags, which include --with-compat), so that the
# generated ngx_auto_config.h, and with it the module's binary-compatibility signature
# (NGX_MODULE_SIGNATURE), match the nginx that will load the module. nginx refuses to load a
# module whose signature differs ("is not binary compatible").
#   configure-nginx.sh NGINX_SRC MODULE_DIR OBJS_DIR
# Writes only below OBJS_DIR and OBJS_DIR.src (configure writes into its working directory,
# so it runs in a directory of symbolic links to the system tree, which stays untouched).
set -euo pipefail
src=$1 module=$2 objs=$3
[ -f "$src/conf_flags" ] && [ -x "$src/configure" ] || {
  echo "configure-nginx.sh: $src is not nginx's module source tree (Debian: nginx-dev)" >&2
  exit 1
}
work="$objs.src"
rm -rf "$work" "$objs"
mkdir -p "$work"
for f in auto configure src; do ln -s "$src/$f" "$work/$f"; done
# shellcheck disable=SC1091
. "$src/conf_flags"   # NGX_CONF_FLAGS=( ... )
cd "$work"
if ! ./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$module" --builddir="$objs" \
    >"$objs.log" 2>&1; then
  cat "$objs.log" >&2
  exit 1
fi
# The outputs the build depends on, touched so that the build sees them as new.
touch "$objs/ngx_auto_config.h" "$objs/ngx_auto_headers.h" \
  "$objs/ngx_http_approov_module_modules.c"
