#!/usr/bin/env python3
"""README's promise: after `scripts/install-deps.sh build`, a default top-level configure and
build work. The packages and programs this build's configure found (GoogleTest and Google
Benchmark for the tests and benchmarks that are on by default, OpenSSL, CLI11 and Boost for the
tools, python3 for the CLI tests, ninja) must each come from a package of the `build` level or
one it depends on. Needs dpkg and apt-cache (Debian/Ubuntu); exit 77 (skipped) elsewhere."""
import glob
import os
import re
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("APPROOV_BUILD_DIR", "")

# CMakeCache entries a default configure resolves, and what is needed from each.
FOUND = {"GTest_DIR": "GoogleTest (APPROOV_BUILD_TESTS)",
         "benchmark_DIR": "Google Benchmark (APPROOV_BUILD_BENCHMARKS)",
         "CLI11_DIR": "CLI11 (approov-token)",
         "Boost_DIR": "Boost (the server engine, approov-authd, examples)",
         "OPENSSL_CRYPTO_LIBRARY": "OpenSSL (the library)",
         "APPROOV_SYSTEM_PYTHON3": "python3 (tests/cli)",
         "CMAKE_MAKE_PROGRAM": "ninja"}


def cache():
    out = {}
    with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
        for line in f:
            m = re.match(r"^([A-Za-z0-9_]+):[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2)
    return out


def owner(path):
    """The package that installed `path` (for a directory: its package config file)."""
    if os.path.isdir(path):
        configs = sorted(glob.glob(os.path.join(path, "*[Cc]onfig.cmake")))
        assert configs, path
        path = configs[0]
    r = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (path, r.stderr)
    return r.stdout.split(":", 1)[0].strip()


def closure(packages):
    """The packages and everything they depend on (installed ones, recursively)."""
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends",
                        "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
                        "--no-enhances", "--installed"] + packages, capture_output=True,
                       text=True, timeout=120)
    names = set()
    for line in r.stdout.splitlines():
        m = re.match(r"^\s*(?:\|?(?:Pre)?Depends: )?<?([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9]+)?>?$",
                     line)
        if m:
            names.add(m.group(1))
    return names


class BuildLevel(unittest.TestCase):
    def test_build_level_covers_a_default_configure(self):
        found = cache()
        if not all(found.get(o) == "ON" for o in ("APPROOV_BUILD_TESTS",
                                                   "APPROOV_BUILD_BENCHMARKS",
                                                   "APPROOV_BUILD_TOOLS")):
            self.skipTest("not a default configure (tests, benchmarks and tools on)")
        r = subprocess.run([os.path.join(SOURCE, "scripts", "install-deps.sh"), "build",
                            "--list"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        level = r.stdout.split()
        have = closure(level)
        missing = {}
        for key, what in FOUND.items():
            path = found.get(key, "")
            if not path or path.endswith("-NOTFOUND"):
                continue  # not found by this configure: nothing to compare
            package = owner(path)
            if package not in have:
                missing[what] = package
        self.assertEqual(missing, {}, "the `build` level (%s) lacks these" % " ".join(level))


if __name__ == "__main__":
    if not BUILD_DIR or shutil.which("dpkg") is None or shutil.which("apt-cache") is None:
        print("no build directory, dpkg or apt-cache: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
