#!/usr/bin/env python3
"""The repository stands on its own: no tracked file points outside it (a `../shared`
folder, its peers, a specification document users do not have). The behaviour contract is
docs/BEHAVIOUR.md and the benchmarks' peers are bench/peers. Needs git; exit 77 otherwise."""
import os
import re
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
OUTSIDE = re.compile(r"\.\./shared|shared/peers|SPEC\.md|SPEC §")


class SelfContained(unittest.TestCase):
    def test_no_file_points_outside_the_repository(self):
        files = subprocess.run(["git", "ls-files", "-z"], cwd=SOURCE, capture_output=True,
                               check=True, timeout=60).stdout.decode().split("\0")
        me = os.path.relpath(os.path.abspath(__file__), SOURCE)
        found = []
        for name in files:
            path = os.path.join(SOURCE, name)
            if not name or name == me or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            found += ["%s:%d: %s" % (name, text.count("\n", 0, m.start()) + 1, m.group(0))
                      for m in OUTSIDE.finditer(text)]
        self.assertEqual(found, [])


if __name__ == "__main__":
    if shutil.which("git") is None or not os.path.exists(os.path.join(SOURCE, ".git")):
        print("not a git checkout: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
