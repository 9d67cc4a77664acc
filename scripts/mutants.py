#!/usr/bin/env python3
"""Deliberate one-line bugs ("mutants") against the tests: each must make a test fail.

    scripts/mutants.py [--cli] [--suites unit,alloc,capi,fuzz] [--only ID[,ID...]]
                       [--build DIR] [--check] [FILE...]

FILE defaults to every tests/mutants/*.txt. Each mutant is applied alone to a copy of the
source tree (the working tree is never modified, so work can go on meanwhile), the unit and
C API tests are rebuilt and run, and the mutant is "killed" if any of them fails (or the build
fails) and a "survivor" otherwise. With --cli, a survivor of those is also tried against the
CLI's script tests. --suites picks the suites (`fuzz`: the three fuzz targets' seed-corpus
replays, to see what the fuzz oracles alone catch). Prints one line per mutant with the tests that failed, then the survivors;
exits 1 if there is any survivor (or a mutant no longer applies), 0 otherwise.

Mutant files hold blocks like:

    == pay-16: compare only the first 16 bytes of pay
    file: src/request_check.cpp
    find: equal_ct(expected, digest, detail::kSha256Size)
    replace: equal_ct(expected, digest, 16)
    nth: 1                      (optional: which occurrence, when `find` is not unique)

`find` is a substring of exactly one line of `file` (or its nth occurrence); the mutant
replaces it on that line only. A mutant whose `find` no longer matches is reported as stale:
update it when the code moves. Not part of CI (a full run takes a while); see
tests/mutants/README.md.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Mutant:
    def __init__(self, ident, title, source):
        self.ident, self.title, self.source = ident, title, source
        self.file = self.find = self.replace = None
        self.nth = None


def load(path):
    mutants, current = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = "%s:%d" % (os.path.relpath(path, ROOT), number)
            if line.startswith("== "):
                ident, _, title = line[3:].partition(":")
                current = Mutant(ident.strip(), title.strip(), where)
                mutants.append(current)
                continue
            key, sep, value = line.partition(": ")
            if current is None or not sep or key not in ("file", "find", "replace", "nth"):
                sys.exit("%s: expected '== id: title' or 'file|find|replace|nth: value'" % where)
            setattr(current, key, int(value) if key == "nth" else value)
    for m in mutants:
        if not (m.file and m.find is not None and m.replace is not None):
            sys.exit("%s: mutant %s needs file, find and replace" % (m.source, m.ident))
        if m.find == m.replace:
            sys.exit("%s: mutant %s changes nothing" % (m.source, m.ident))
    ids = [m.ident for m in mutants]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit("%s: duplicate mutant ids %s" % (path, ", ".join(sorted(dup))))
    return mutants


def apply(mutant, text):
    """The mutated text, or None if `find` does not pick exactly one place on one line."""
    lines = text.split("\n")
    hits = [(i, m.start()) for i, line in enumerate(lines)
            for m in re.finditer(re.escape(mutant.find), line)]
    if (len(hits) != 1) if mutant.nth is None else not 1 <= mutant.nth <= len(hits):
        return None, len(hits)
    i, col = hits[(mutant.nth or 1) - 1]
    line = lines[i]
    lines[i] = line[:col] + mutant.replace + line[col + len(mutant.find):]
    return "\n".join(lines), i + 1


def copy_tree(dest):
    """A copy of the tracked (and new, unignored) files of the working tree."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    for rel in filter(None, files):
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(src, out)  # a new mtime: the build must see every change


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace",
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return 124, "timeout: %s" % " ".join(cmd)


def gtest_failures(output):
    names = re.findall(r"^\[  FAILED  \] (\S+)", output, re.M)
    return sorted(set(n for n in names if "." in n and not n.endswith(",")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--cli", action="store_true", help="also try survivors on the CLI tests")
    ap.add_argument("--suites", default="unit,alloc,capi",
                    help="comma-separated: unit, alloc, capi, fuzz (default unit,alloc,capi)")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mutants"))
    ap.add_argument("--jobs", default=str(os.cpu_count() or 2))
    ap.add_argument("--check", action="store_true",
                    help="only check that every mutant still applies (no build)")
    args = ap.parse_args()

    files = args.files or sorted(glob.glob(os.path.join(ROOT, "tests", "mutants", "*.txt")))
    mutants = [m for f in files for m in load(f)]
    if args.only:
        wanted = set(args.only.split(","))
        mutants = [m for m in mutants if m.ident in wanted]
        if not mutants:
            sys.exit("no mutant matches --only")

    if args.check:
        bad = 0
        for m in mutants:
            with open(os.path.join(ROOT, m.file), encoding="utf-8") as f:
                mutated, where = apply(m, f.read())
            if mutated is None:
                bad += 1
                print("STALE %s (%s): `find` matches %d places" % (m.ident, m.source, where))
        print("%d mutants, %d stale" % (len(mutants), bad))
        return 1 if bad else 0

    src = os.path.join(args.build, "src")
    build = os.path.join(args.build, "build")
    copy_tree(src)
    configure = ["cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug",
                 "-DAPPROOV_BUILD_EXAMPLES=OFF", "-DAPPROOV_BUILD_BENCHMARKS=OFF"]
    suites = args.suites.split(",")
    unknown = set(suites) - {"unit", "alloc", "capi", "fuzz"}
    if unknown:
        sys.exit("unknown suites: " + ", ".join(sorted(unknown)))
    all_tests = {
        "unit": ("approov_unit_tests", [
            [os.path.join(build, "tests", "unit", "approov_unit_tests"), "--gtest_brief=1"]]),
        "alloc": ("approov_alloc_tests", [
            [os.path.join(build, "tests", "unit", "approov_alloc_tests"), "--gtest_brief=1"]]),
        "capi": ("approov_capi_test", [[os.path.join(build, "tests", "capi", "approov_capi_test")]]),
    }
    fuzz_targets = ["json", "verify", "base64"]
    targets = [all_tests[s][0] for s in suites if s in all_tests]
    tests = [(s, all_tests[s][1][0]) for s in suites if s in all_tests]
    if "fuzz" in suites:
        for t in fuzz_targets:
            targets.append("fuzz_%s_replay" % t)
            tests.append(("fuzz_" + t, [os.path.join(build, "fuzz", "fuzz_%s_replay" % t),
                                        os.path.join(src, "fuzz", "corpus", t)]))
    if args.cli:
        targets.append("approov-token")
    code, out = run(configure, ROOT, 600)
    if code != 0:
        sys.exit("configure failed:\n" + out)
    code, out = run(["cmake", "--build", build, "-j", args.jobs, "--target"] + targets, ROOT, 1800)
    if code != 0:
        sys.exit("the unmutated tree does not build:\n" + out[-4000:])
    cli = [("cli.behaviour", [sys.executable, os.path.join(src, "tests", "cli", "test_cli.py"),
                              os.path.join(build, "tools", "cli", "approov-token")])]
    for name, cmd in tests + (cli if args.cli else []):
        code, out = run(cmd, ROOT, 900)
        if code != 0:
            sys.exit("the unmutated tree fails %s:\n%s" % (name, out[-4000:]))

    survivors, stale, results = [], [], []
    for m in mutants:
        path = os.path.join(src, m.file)
        with open(path, encoding="utf-8") as f:
            original = f.read()
        mutated, where = apply(m, original)
        if mutated is None:
            stale.append(m)
            print("STALE     %-28s %s: `find` matches %d places" % (m.ident, m.file, where),
                  flush=True)
            continue
        started = time.time()
        caught = []
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            code, out = run(["cmake", "--build", build, "-j", args.jobs, "--target"] + targets,
                            ROOT, 1800)
            if code != 0:
                caught = ["(build fails)"]
            else:
                for name, cmd in tests:
                    code, out = run(cmd, ROOT, 300)
                    if code != 0:
                        names = gtest_failures(out) if name in ("unit", "alloc") else []
                        if name.startswith("fuzz_"):
                            broken = re.findall(r"invariant broken: (.*)|^(\S.* rejects? what .*)$",
                                                out, re.M)
                            names = [(a or b).strip() for a, b in broken][:1]
                        caught += ["%s.%s" % (name, n) for n in names] or [
                            name + (" (crash/timeout)" if code < 0 or code == 124 else "")]
                if not caught and args.cli:
                    for name, cmd in cli:
                        code, out = run(cmd, ROOT, 900)
                        if code != 0:
                            fails = re.findall(r"^FAIL: (\S+)", out, re.M)
                            caught += ["%s:%s" % (name, f) for f in fails] or [name]
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
        status = "killed" if caught else "SURVIVED"
        if not caught:
            survivors.append(m)
        shown = ", ".join(caught[:4]) + (" (+%d more)" % (len(caught) - 4) if len(caught) > 4 else "")
        print("%-9s %-28s %s:%s  %s  [%.0fs]" % (status, m.ident, m.file, where, shown,
                                                 time.time() - started), flush=True)
        results.append((m, where, caught))
    # Leave the build matching the unmutated copy.
    run(["cmake", "--build", build, "-j", args.jobs, "--target"] + targets, ROOT, 1800)

    print("\n%d mutants: %d killed, %d survived, %d stale" %
          (len(mutants), len(results) - len(survivors), len(survivors), len(stale)))
    for m in survivors:
        print("  survivor %s (%s): %s" % (m.ident, m.source, m.title))
    for m in stale:
        print("  stale %s (%s)" % (m.ident, m.source))
    return 1 if survivors or stale else 0


if __name__ == "__main__":
    sys.exit(main())
