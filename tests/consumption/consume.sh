#!/usr/bin/env bash
# Consumption test: install the project from its build tree into a temporary prefix, then build
# a C++ program with find_package(approov) and a C program with pkg-config against that prefix
# only, and run both on the public Approov test token (valid) and a bad-signature token.
#   consume.sh BUILD_DIR SOURCE_DIR GENERATOR C_COMPILER CXX_COMPILER TOKENS_ENV [EXTRA_FLAGS]
set -euo pipefail
build_dir=$1 source_dir=$2 generator=$3 cc=$4 cxx=$5 tokens_env=$6 extra_flags=${7:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/approov-consumption.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }

# Public test data (KEY='value' lines).
value_of() { sed -n "s/^$1='\(.*\)'\$/\1/p" "$tokens_env"; }
export APPROOV_BASE64_SECRET
APPROOV_BASE64_SECRET=$(value_of APPROOV_BASE64_SECRET)
unset APPROOV_BASE64URL_SECRET
token=$(value_of TOKEN_SMALL)
badsig=$(value_of TOKEN_BADSIG)
[ -n "$APPROOV_BASE64_SECRET" ] && [ -n "$token" ] && [ -n "$badsig" ] || fail "test data missing"

echo "== install to $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
[ -f "$prefix/include/approov.h" ] || fail "approov.h not installed"
[ -f "$prefix/include/approov/approov.hpp" ] || fail "approov/approov.hpp not installed"
pc=$(find "$prefix" -name approov.pc -path '*pkgconfig*' | head -n1)
[ -n "$pc" ] || fail "approov.pc not installed"
config=$(find "$prefix" -name approovConfig.cmake | head -n1)
[ -n "$config" ] || fail "approovConfig.cmake not installed"

check_run() {  # name expected_status expected_output command...
  local name=$1 want_status=$2 want_output=$3
  shift 3
  local out status=0
  out=$("$@" 2>&1) || status=$?
  echo "$name: status $status, output: $out"
  [ "$status" = "$want_status" ] || fail "$name: exit status $status, expected $want_status"
  [ "$out" = "$want_output" ] || fail "$name: output '$out', expected '$want_output'"
}

echo "== C++ consumer: find_package(approov) + approov::approov"
cmake -S "$source_dir/tests/consumption/cpp" -B "$work/cpp" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_FLAGS="$extra_flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" >"$work/cpp-configure.log" 2>&1 ||
  { cat "$work/cpp-configure.log"; fail "configure C++ consumer"; }
grep -q "approov_DIR:PATH=$prefix" "$work/cpp/CMakeCache.txt" ||
  fail "find_package did not use the installed package"
cmake --build "$work/cpp" >"$work/cpp-build.log" 2>&1 ||
  { cat "$work/cpp-build.log"; fail "build C++ consumer"; }
check_run "C++ valid token" 0 "valid exp=4708683205.891912" "$work/cpp/consume_cpp" "$token"
check_run "C++ bad signature" 1 "invalid bad_signature" "$work/cpp/consume_cpp" "$badsig"

echo "== C++ consumer of the adapters: find_package(approov COMPONENTS adapters beast httplib microhttpd)"
cmake -S "$source_dir/tests/consumption/adapters" -B "$work/adapters" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_FLAGS="$extra_flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" >"$work/adapters-configure.log" 2>&1 ||
  { cat "$work/adapters-configure.log"; fail "configure the adapters consumer"; }
[ -f "$prefix/include/approov/adapters/beast.hpp" ] || fail "approov/adapters/beast.hpp not installed"
cmake --build "$work/adapters" >"$work/adapters-build.log" 2>&1 ||
  { cat "$work/adapters-build.log"; fail "build the adapters consumer"; }
check_run "beast adapter, valid token" 0 "beast 200 hello" "$work/adapters/consume_beast" "$token"
check_run "beast adapter, bad signature" 1 "beast 401 {}" "$work/adapters/consume_beast" "$badsig"
if [ -x "$work/adapters/consume_httplib" ]; then
  check_run "httplib adapter, valid token" 0 "httplib 200 hello" "$work/adapters/consume_httplib" "$token"
  check_run "httplib adapter, bad signature" 1 "httplib 401 {}" "$work/adapters/consume_httplib" "$badsig"
fi
if [ -x "$work/adapters/consume_microhttpd" ]; then
  check_run "microhttpd adapter, valid token" 0 "microhttpd 200 hello" "$work/adapters/consume_microhttpd" "$token"
  check_run "microhttpd adapter, bad signature" 1 "microhttpd 401 {}" "$work/adapters/consume_microhttpd" "$badsig"
fi

echo "== C++ consumer with approov-cpp as a subdirectory (add_subdirectory, no build type)"
cmake -S "$source_dir/tests/consumption/subproject" -B "$work/subproject" -G "$generator" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" -DAPPROOV_SOURCE_DIR="$source_dir" \
  -DCMAKE_CXX_FLAGS="$extra_flags" -DCMAKE_EXE_LINKER_FLAGS="$extra_flags" \
  >"$work/subproject-configure.log" 2>&1 ||
  { cat "$work/subproject-configure.log"; fail "configure the subproject consumer"; }
cmake --build "$work/subproject" --target consume_subproject >"$work/subproject-build.log" 2>&1 ||
  { cat "$work/subproject-build.log"; fail "build the subproject consumer"; }

check_run "subproject, valid token" 0 "valid exp=4708683205.891912" "$work/subproject/consume_subproject" "$token"
check_run "subproject, bad signature" 1 "invalid bad_signature" "$work/subproject/consume_subproject" "$badsig"

echo "== C consumer: pkg-config --static --cflags --libs approov"
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --static --cflags --libs approov) || fail "pkg-config approov"
echo "pkg-config: $flags"
include_dir=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=includedir approov)
[ "$(realpath "$include_dir")" = "$(realpath "$prefix/include")" ] ||
  fail "pkg-config includedir $include_dir is not $prefix/include"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $extra_flags \
  "$source_dir/tests/consumption/c/consume.c" -o "$work/consume_c" $flags ||
  fail "build C consumer"
check_run "C valid token" 0 "valid exp=4708683205.891912" "$work/consume_c" "$token"
check_run "C bad signature" 1 "invalid bad_signature" "$work/consume_c" "$badsig"

echo "consumption: all checks passed"
