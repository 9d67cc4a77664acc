#!/usr/bin/env python3
"""Real nginx (Debian nginx-light) with deploy/nginx/nginx.conf.in in front of the echo
upstream, asking approov-authd through auth_request."""
import os
import shutil
import sys
import tempfile
import unittest

import harness
from harness import Proc, ProxyChecks, free_port, render, wait_port, which


def start_nginx(testcase, authd_port, upstream_port):
    nginx = which("nginx")
    prefix = tempfile.mkdtemp(prefix="authd-nginx-")
    testcase.addCleanup(shutil.rmtree, prefix, True)
    os.makedirs(os.path.join(prefix, "tmp"))
    port = free_port()
    conf = render("deploy/nginx/nginx.conf.in", os.path.join(prefix, "nginx.conf"), {
        "PREFIX": prefix, "LISTEN": "127.0.0.1:%d" % port,
        "AUTHD": "127.0.0.1:%d" % authd_port, "UPSTREAM": "127.0.0.1:%d" % upstream_port})
    proc = Proc(testcase, [nginx, "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log"),
                           "-g", "daemon off; master_process off;"], stdout=None)
    wait_port(port, proc.p)
    return port, proc


class Nginx(ProxyChecks, unittest.TestCase):
    def setUp(self):
        # nginx recipe: empty failure body, so denials keep the keep-alive connection
        self.authd = harness.start_authd_with_routes(self, ["--failure-body="])
        upstream = harness.start_upstream(self)
        self.port, self.nginx = start_nginx(self, self.authd.port, upstream)


if __name__ == "__main__":
    if not which("nginx"):
        print("nginx not installed: skipped")
        sys.exit(77)
    harness.main()
