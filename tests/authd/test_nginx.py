#!/usr/bin/env python3
"""Real nginx (Debian nginx-light with libnginx-mod-http-headers-more-filter) with
deploy/nginx/nginx.conf.template (filled by envsubst, as docs/gateways/nginx.md says) in front
of the echo upstream, asking approov-authd through auth_request."""
import os
import shutil
import sys
import tempfile
import unittest

import harness
from harness import Proc, ProxyChecks, envsubst, free_port, wait_port, which
from test_signing import SigningThroughProxy


def start_nginx(testcase, authd_port, upstream_port):
    nginx = which("nginx")
    prefix = tempfile.mkdtemp(prefix="authd-nginx-")
    testcase.addCleanup(shutil.rmtree, prefix, True)
    os.makedirs(os.path.join(prefix, "tmp"))
    port = free_port()
    conf = envsubst("deploy/nginx/nginx.conf.template", os.path.join(prefix, "nginx.conf"), {
        "NGINX_PREFIX": prefix, "PROXY_LISTEN": "127.0.0.1:%d" % port,
        "AUTHD_ADDRESS": "127.0.0.1:%d" % authd_port,
        "API_ADDRESS": "127.0.0.1:%d" % upstream_port})
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

    def assert_not_5xx(self, got, what):
        self.assertLess(got[0], 500, (what, got[0], got[2][:200]))

    def test_token_header_the_sidecar_parser_refuses_is_denied_not_500(self):
        # nginx forwards a control byte in a header value; the sidecar's parser refuses it and
        # must answer its failure status (401), which auth_request maps, not 400 (-> 500).
        for token in ("\x01" + harness.VALID, harness.VALID + "\x01", "\x7f"):
            got = self.get("/api", [("Approov-Token", token)])
            self.assert_not_5xx(got, repr(token[:4]))
            self.assert_denied("/api", [("Approov-Token", token)], repr(token[:4]))
        got = self.get("/api", [("Approov-Token", harness.VALID), ("X-Other", "a\x01b")])
        self.assertEqual(got[0], 401)  # the token is fine, but the request was refused

    def test_large_header_blocks_never_get_5xx(self):
        # 17-32 KiB of headers (each line under nginx's 8 KiB buffer): nginx forwards them all
        # to the sidecar, whose default header-limit (64 KiB) reads them and checks the token.
        for kib in (17, 24, 31):
            fill = [("X-Fill-%d" % i, "f" * 1000) for i in range(kib)]
            got = self.get("/api", fill + [("Approov-Token", harness.VALID)])
            self.assertEqual(got[0], 200, (kib, got[2][:200]))
            self.assert_denied("/api", fill + [("Approov-Token", harness.BAD_SIG)], kib)
        # One line may be up to 16 KiB (the largest token, 8192 bytes, needs more than 8 KiB
        # with its name), and the largest token still fits next to ~20 KiB of other headers.
        got = self.get("/api", [("X-Big", "f" * 12000), ("Approov-Token", harness.VALID)])
        self.assertEqual(got[0], 200, got[2][:200])
        fill = [("X-Fill-%d" % i, "f" * 1000) for i in range(20)]
        got = self.get("/api", fill + [("Approov-Token", harness.MAX_TOKEN)])
        self.assertEqual(got[0], 200, got[2][:200])
        # Beyond what nginx buffers (large_client_header_buffers 2 16k), nginx refuses the
        # request itself (494), which the recipe maps to the JSON deny.
        for fill in ([("X-Fill-%d" % i, "f" * 1000) for i in range(40)],
                     [("X-Big", "f" * 17000)], [("Approov-Token", "a" * 17000)]):
            self.assert_denied("/api", fill + [("Approov-Token", harness.VALID)], len(fill))
        self.assertEqual(self.get("/api", [("Approov-Token", harness.VALID)])[0], 200)

    def test_largest_token_is_not_refused_by_nginx(self):
        # An 8192-byte token is within the sidecar's limit: nginx's default 8 KiB header line
        # refused it (494 -> 401) before the sidecar could check it.
        self.assertEqual(len(harness.MAX_TOKEN), 8192)
        got = self.get("/api", [("Approov-Token", harness.MAX_TOKEN)])
        self.assertEqual(got[0], 200, got[2][:200])


HEADERS_MORE = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"


@unittest.skipUnless(harness.CLI, "APPROOV_TOKEN_CLI not set")
class NginxMessageSigning(SigningThroughProxy, unittest.TestCase):
    """The recipe forwards the client's method, URI, scheme, Host and body length from nginx's
    own variables, so a client cannot choose them."""

    def start_proxy(self, authd_port, upstream_port):
        return start_nginx(self, authd_port, upstream_port)[0]


if __name__ == "__main__":
    if not which("nginx") or not which("envsubst"):
        print("nginx or envsubst (gettext-base) not installed: skipped")
        sys.exit(77)
    if not os.path.exists(HEADERS_MORE):  # the recipe's load_module line
        print("nginx headers-more module (libnginx-mod-http-headers-more-filter) not installed: "
              "skipped")
        sys.exit(77)
    harness.main()
