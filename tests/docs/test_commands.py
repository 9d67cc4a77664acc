#!/usr/bin/env python3
"""The commands the docs give a newcomer, run as written: every ```sh-test block of
docs/SIDECAR.md and docs/gateways/*.md, in order, one bash script per page, from the
repository's root, with the built approov-authd and approov-token first on the PATH (as after
`cmake --install`) and the real nginx, Caddy and HAProxy. A command followed by `# => TEXT`
must print exactly TEXT; it is run again until it does (the servers started just before it may
still be starting), for up to 20 s. Only two things differ from the page: the documented ports
(8080, 8081, 9000, 9901, 2019) become free ones, and /tmp/approov-* paths a temporary
directory, so that runs never collide. Every process a page starts is stopped at the end."""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
TOOLS = [os.environ.get("APPROOV_AUTHD", ""), os.environ.get("APPROOV_TOKEN_CLI", "")]
PORTS = (8080, 8081, 9000, 9901, 2019)
MARK = re.compile(r"^(?P<cmd>\S.*?)\s+# => (?P<want>.*?)\s*$")
# Pages that must have tested blocks, and what running them needs besides bash and curl.
PAGES = {"docs/SIDECAR.md": [],
         "docs/gateways/nginx.md": ["nginx", "envsubst"],
         "docs/gateways/caddy.md": ["caddy"],
         "docs/gateways/haproxy.md": ["haproxy"]}

PRELUDE = r'''set -euo pipefail
__stop() {  # on any exit: stop the servers the page started, and wait for them
  local jobs_left
  jobs_left="$(jobs -p)"
  if [ -n "$jobs_left" ]; then kill $jobs_left 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap __stop EXIT
__check() {  # WANT CMD: run CMD until it prints exactly WANT, for up to 20 s
  local want="$1" cmd="$2" got="" end=$((SECONDS + 20))
  while :; do
    got="$(eval "$cmd" 2>/dev/null)" || true
    if [ "$got" = "$want" ]; then echo "__ok: $cmd"; return 0; fi
    if [ "$SECONDS" -ge "$end" ]; then
      printf '__failed: %s\n  want: %s\n  got:  %s\n' "$cmd" "$want" "$got"
      return 1
    fi
    sleep 0.2
  done
}
'''


def blocks(path):
    """The ```sh-test blocks of a Markdown file, in order."""
    with open(os.path.join(SOURCE, path)) as f:
        return re.findall(r"^```sh-test\n(.*?)^```$", f.read(), re.M | re.S)


def script(text, ports, tmp):
    """bash source for a page's blocks: marked commands become checks; ports and /tmp paths
    are moved. -> (source, number of checks)."""
    out, checks, lines = [PRELUDE], 0, text.splitlines()
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if m:
            assert not line.rstrip().endswith("\\") and not (
                i and lines[i - 1].rstrip().endswith("\\")), "marked command on several lines"
            out.append("__check %s %s" % (shlex.quote(m.group("want")),
                                          shlex.quote(m.group("cmd"))))
            checks += 1
        else:
            out.append(line)
    source = "\n".join(out) + "\n"
    source = re.sub(r"\b(%s)\b" % "|".join(map(str, PORTS)),
                    lambda m: str(ports[int(m.group(1))]), source)
    return source.replace("/tmp/approov-", tmp + "/approov-"), checks


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def which(name):
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/bin/" + name) if os.path.exists(p)), None)


class Pages(unittest.TestCase):
    def test_transformation(self):
        # The harness itself: a marked command becomes a check, ports and /tmp paths move.
        src, n = script("a=1\ncurl -s http://127.0.0.1:8080/x   # => {} 401\n",
                        {p: p + 1 for p in PORTS}, "/T")
        self.assertEqual(n, 1)
        self.assertIn("__check '{} 401' 'curl -s http://127.0.0.1:8081/x'", src)
        self.assertEqual(script("x /tmp/approov-nginx", {}, "/T")[0].splitlines()[-1],
                         "x /T/approov-nginx")

    def test_the_pages_with_a_real_proxy_have_tested_blocks(self):
        for page in PAGES:
            self.assertTrue(blocks(page), page)
            self.assertIn("# => ", "".join(blocks(page)), page)

    def test_every_page_runs_as_written(self):
        tools = [t for t in TOOLS if t]
        if len(tools) < 2:
            self.skipTest("approov-authd or approov-token not built")
        pages = sorted(set(PAGES) | {os.path.relpath(p, SOURCE) for p in
                                     __import__("glob").glob(os.path.join(SOURCE, "docs",
                                                                          "**", "*.md"),
                                                             recursive=True)})
        ran = []
        for page in pages:
            text = "".join(blocks(page))
            if not text:
                continue
            with self.subTest(page=page):
                missing = [n for n in ["bash", "curl", "python3"] + PAGES.get(page, [])
                           if not which(n)]
                if missing:
                    self.skipTest("%s: %s not installed" % (page, ", ".join(missing)))
                self.run_page(page, text, tools)
                ran.append(page)
        print("\nran as written: %s" % ", ".join(ran))

    def run_page(self, page, text, tools):
        tmp = tempfile.mkdtemp(prefix="approov-doc-")
        self.addCleanup(shutil.rmtree, tmp, True)
        ports = dict(zip(PORTS, free_ports(len(PORTS))))
        source, checks = script(text, ports, tmp)
        path = os.path.join(tmp, "page.sh")
        with open(path, "w") as f:
            f.write(source)
        env = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
        bins = sorted({os.path.dirname(os.path.abspath(t)) for t in tools})
        env.update(PATH=os.pathsep.join(bins + ["/usr/sbin", env.get("PATH", "/usr/bin:/bin")]),
                   HOME=tmp, XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp, PYTHONDONTWRITEBYTECODE="1")
        log = os.path.join(tmp, "page.log")
        with open(log, "w") as out:
            # Its own session, so that the page's background servers can all be stopped.
            proc = subprocess.Popen(["bash", path], cwd=SOURCE, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = proc.wait(timeout=180)
            except subprocess.TimeoutExpired:
                rc = "timeout"
            finally:
                stop_group(proc.pid)
        with open(log, errors="replace") as f:
            output = f.read()
        self.assertEqual(rc, 0, "%s failed:\n%s\n--- script ---\n%s" % (page, output, source))
        self.assertEqual(output.count("__ok: "), checks, output)


def stop_group(pgid):
    """SIGTERM, then SIGKILL, to the process group the page ran in (its servers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
