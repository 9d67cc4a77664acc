#!/usr/bin/env python3
"""The man pages in docs/man: groff renders them with every warning on (-ww) and prints none,
man-db's `man -l` renders them too, and each names exactly the options its tool's --help
lists (so a flag added, renamed or removed in the tool fails here until the page follows)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
PAGES = {"approov-token": os.environ.get("APPROOV_TOKEN_CLI", ""),
         "approov-authd": os.environ.get("APPROOV_AUTHD", "")}
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80", MAN_KEEP_FORMATTING="0")


def page(name):
    return os.path.join(SOURCE, "docs", "man", name + ".1")


def groff_warnings(path):
    r = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", path], capture_output=True,
                       text=True, env=ENV, timeout=60)
    return r.returncode, r.stderr.strip()


OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z](?![\w-]))")


def options_in_page(path):
    with open(path) as f:
        return set(OPTION.findall(f.read().replace("\\-", "-")))


def options_in_help(tool):
    r = subprocess.run([tool, "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    helps = [r.stdout + "\n--help\n"]  # it answered --help, listed or not
    # approov-token: the subcommands' own --help too
    subs = re.findall(r"^  ([a-z]+) {2,}\S", helps[0].split("Subcommands:")[1], re.M) \
        if "Subcommands:" in helps[0] else []
    for sub in subs:
        helps.append(subprocess.run([tool, sub, "--help"], capture_output=True, text=True,
                                    timeout=30).stdout)
    found = set()
    for text in helps:
        found |= set(OPTION.findall(text))
    return found


@unittest.skipIf(shutil.which("groff") is None, "groff not installed")
class Render(unittest.TestCase):
    def test_groff_warns_about_a_broken_page(self):
        # The check itself: an unknown macro and a bad escape are reported.
        with tempfile.NamedTemporaryFile("w", suffix=".1", delete=False) as f:
            f.write(".TH X 1\n.SH NAME\nx \\- y\n.XX unknown\n\\q\n")
        self.addCleanup(os.unlink, f.name)
        self.assertNotEqual(groff_warnings(f.name)[1], "")

    def test_pages_render_without_warnings(self):
        for name in PAGES:
            self.assertEqual(groff_warnings(page(name)), (0, ""), name)

    @unittest.skipIf(shutil.which("man") is None, "man-db not installed")
    def test_man_renders_them(self):
        for name in PAGES:
            r = subprocess.run(["man", "--warnings", "-l", page(name)], capture_output=True,
                               text=True, env=ENV, timeout=60)
            self.assertEqual((r.returncode, r.stderr.strip()), (0, ""), name)
            text = re.sub(".\b", "", r.stdout)  # overstrikes (bold, underline) to plain text
            for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
                            "SEE ALSO"):
                self.assertRegex(text, r"(?m)^%s$" % section, name)
            self.assertIn(name.upper(), text.splitlines()[0])


class Options(unittest.TestCase):
    def test_each_page_names_exactly_its_tools_options(self):
        checked = 0
        for name, tool in PAGES.items():
            if not tool:
                continue
            in_help, in_page = options_in_help(tool), options_in_page(page(name))
            self.assertTrue(in_help, name)
            self.assertEqual(sorted(in_help - in_page), [], "%s: options missing from the page"
                             % name)
            self.assertEqual(sorted(in_page - in_help), [],
                             "%s: options the tool does not have" % name)
            checked += 1
        if not checked:
            self.skipTest("no tool built")


if __name__ == "__main__":
    if shutil.which("groff") is None:
        print("groff not installed: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)
