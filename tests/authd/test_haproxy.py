#!/usr/bin/env python3
"""Real HAProxy (Debian haproxy 2.6, built with Lua) with deploy/haproxy, its addresses in
environment variables as docs/gateways/haproxy.md says, in front of the echo upstream, asking
approov-authd through the Lua action (core.httpclient)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import SOURCE, Proc, ProxyChecks, config_env, free_port, wait_port, which
from test_signing import SigningThroughProxy


def start_haproxy(testcase, authd_port, upstream_port):
    d = tempfile.mkdtemp(prefix="authd-haproxy-")
    testcase.addCleanup(shutil.rmtree, d, True)
    port = free_port()
    env = config_env("deploy/haproxy/haproxy.cfg", "haproxy", {
        "HAPROXY_LUA": os.path.join(SOURCE, "deploy/haproxy/approov-auth.lua"),
        "PROXY_LISTEN": "127.0.0.1:%d" % port, "AUTHD_ADDRESS": "127.0.0.1:%d" % authd_port,
        "API_ADDRESS": "127.0.0.1:%d" % upstream_port})
    conf = os.path.join(SOURCE, "deploy/haproxy/haproxy.cfg")
    proc = Proc(testcase, [which("haproxy"), "-db", "-f", conf], env=env, stdout=None, cwd=d)
    wait_port(port, proc.p)
    return port, proc


class HAProxy(ProxyChecks, unittest.TestCase):
    # HAProxy 2.6's HTTP/1 layer refuses these before any frontend rule runs (a header block
    # over its buffer, tune.bufsize minus tune.maxrewrite: 24 KiB in the recipe; a request it
    # cannot parse), with its built-in HTML 400 and Connection: close; at that stage it
    # ignores `errorfile` (only an empty one, which closes silently, is honoured).
    HTTP_LAYER_REFUSES = {"oversize header block": 400, "oversize header line": 400,
                          "header block over 1 MiB": 400, "bad request line": 400,
                          "request line without URI": 400, "unknown transfer-encoding": 400,
                          "two Host fields": 400}

    def setUp(self):
        self.authd = harness.start_authd_with_routes(self)
        upstream = harness.start_upstream(self)
        self.port, self.haproxy = start_haproxy(self, self.authd.port, upstream)

    def test_sidecar_down_fails_closed(self):
        self.authd.proc.stop()
        status, _, body = self.get("/api", [("Approov-Token", harness.VALID)])
        self.assertEqual((status, body), (401, b"{}"))



@unittest.skipUnless(harness.CLI, "APPROOV_TOKEN_CLI not set")
class HAProxyMessageSigning(SigningThroughProxy, unittest.TestCase):
    """The Lua action forwards the client's method, URI, scheme, Host and body length from
    HAProxy's own view, skipping any the client sent."""

    def start_proxy(self, authd_port, upstream_port):
        return start_haproxy(self, authd_port, upstream_port)[0]


if __name__ == "__main__":
    haproxy = which("haproxy")
    if not haproxy or "USE_LUA=1" not in subprocess.run([haproxy, "-vv"], capture_output=True,
                                                        text=True).stdout:
        print("haproxy with Lua not installed: skipped")
        sys.exit(77)
    harness.main()
