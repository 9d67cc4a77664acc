#!/usr/bin/env python3
"""approov-authd checking Approov message signatures (RFC 9421) on the routes that ask for
them, asked the way each gateway asks: the check request's own line and Host are the auth
subrequest's (nginx: always GET /_approov_auth), the client's request is what the gateway
forwards (X-Original-Method, X-Original-URI, X-Forwarded-Proto, X-Forwarded-Host,
X-Original-Content-Length), or, with forwarded-body (Envoy with_request_body), the check
request itself with the client's body. Requests are signed by the real `approov-token sign`.
"""
import base64
import http.client
import os
import subprocess
import unittest

from harness import (AUTHD, CLI, SECRET_B64, VALID, Authd, authd_env, reload_and_wait,
                     request, tmpdir, wait_until)

PUBLIC = "api.example.com"
ACCOUNT_B64 = "c2lnbmluZy1zZWNyZXQtZm9yLXRoZS1hY2NvdW50LTAxMjM0NTY3ODk="


def cli(testcase, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    env["APPROOV_BASE64_SECRET"] = SECRET_B64
    p = subprocess.run([CLI, *args], env=env, cwd=tmpdir(testcase, "authd-sign-"),
                       capture_output=True, text=True, timeout=60)
    testcase.assertEqual(p.returncode, 0, p.stderr)
    return p.stdout


class Signer:
    """A device: its installation key, a token that carries its `ipk`, and signatures."""

    def __init__(self, testcase):
        self.t = testcase
        self.dir = tmpdir(testcase, "authd-sign-")
        self.key = os.path.join(self.dir, "device.pem")
        cli(testcase, "keygen", "--out", self.key)
        self.token = cli(testcase, "gen", "--ttl", "3600", "--ipk-key", self.key).strip()

    def sign(self, method, url, headers=(), body=None, key_args=None):
        argv = ["sign", "--method", method, "--url", url]
        for name, value in headers:
            argv += ["--header", "%s: %s" % (name, value)]
        if body is not None:
            path = os.path.join(self.dir, "body")
            with open(path, "wb") as f:
                f.write(body)
            argv += ["--body-file", path]
        argv += key_args or ["--key", self.key]
        lines = [ln.split(": ", 1) for ln in cli(self.t, *argv).splitlines()]
        return [(n, v) for n, v in lines]


def forwarded(method="GET", uri="/v1/orders?id=7", proto="http", host=PUBLIC, length=None):
    """The fields nginx's auth subrequest adds (deploy/nginx/nginx.conf.template)."""
    out = [("X-Original-Method", method), ("X-Original-URI", uri), ("X-Forwarded-Proto", proto),
           ("X-Forwarded-Host", host)]
    if length is not None:
        out.append(("X-Original-Content-Length", str(length)))
    return out


ROUTES = ["--route", "/v1 message-signing protected", "--route", "/v2 message-signing-required "
          "protected", "--route", "/ protected"]


def ask(authd, fields, path="/_approov_auth", method="GET", body=None):
    """The check request as the gateway sends it."""
    return request(authd.port, path, fields, method=method, body=body)[0]


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
class ForwardedRequest(unittest.TestCase):
    def setUp(self):
        self.dev = Signer(self)
        self.a = Authd(self, ROUTES)

    def signed(self, method="GET", uri="/v1/orders?id=7", proto="http", host=PUBLIC):
        tok = [("Approov-Token", self.dev.token)]
        return tok + self.dev.sign(method, "%s://%s%s" % (proto, host, uri), tok)

    def test_a_signed_request_passes_as_forwarded(self):
        self.assertEqual(ask(self.a, self.signed() + forwarded()), 200)
        post = self.signed(method="POST", proto="https")
        self.assertEqual(ask(self.a, post + forwarded(method="POST", proto="https")), 200)

    def test_what_the_gateway_forwards_is_what_is_checked(self):
        sig = self.signed()
        for changed in (forwarded(method="POST"), forwarded(uri="/v1/orders?id=8"),
                        forwarded(proto="https"), forwarded(host="evil.example.com")):
            self.assertEqual(ask(self.a, sig + changed), 401, changed)
        # The check request's own line never stands for the client's request.
        self.assertEqual(ask(self.a, sig, path="/v1/orders?id=7"), 401)

    def test_a_forwarded_field_given_twice_is_denied(self):
        sig = self.signed()
        for twice in ("X-Forwarded-Host", "X-Forwarded-Proto", "X-Original-URI",
                      "X-Original-Method", "X-Original-Content-Length",
                      "X-Original-Transfer-Encoding"):
            fields = forwarded(length=0) + [("X-Original-Transfer-Encoding", "")]
            value = next(v for n, v in fields if n == twice)
            self.assertEqual(ask(self.a, sig + fields + [(twice, value)]), 401, twice)
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_forwarded"}'],
                         4)
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_uri"}'], 2)

    def test_report_only_signing_routes_report_instead(self):
        b = Authd(self, ["--route", "/v1 report-only message-signing protected"])
        sig = self.signed()
        twice = forwarded() + [("X-Forwarded-Host", PUBLIC)]
        self.assertEqual(ask(b, sig + twice), 200)
        self.assertEqual(ask(b, sig + forwarded(uri="/v1/orders?id=8")), 200)
        m = b.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="report_only",'
                           'reason="bad_message_signature"}'], 2)

    def test_unsigned_and_signature_free_tokens(self):
        tok = [("Approov-Token", self.dev.token)]
        # The token carries ipk: its requests must be signed.
        self.assertEqual(ask(self.a, tok + forwarded()), 401)
        # A token that calls for no signature: through on message-signing, refused on -required.
        plain = [("Approov-Token", VALID)]
        self.assertEqual(ask(self.a, plain + forwarded()), 200)
        self.assertEqual(ask(self.a, plain + forwarded(uri="/v2/x")), 401)
        # A route without message-signing ignores signatures (and their absence).
        self.assertEqual(ask(self.a, tok + forwarded(uri="/other")), 200)
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="missing_signature"}'],
                         2)

    def test_body_length_comes_from_the_original_request(self):
        body = b'{"item": 42}'
        tok = [("Approov-Token", self.dev.token), ("Content-Length", str(len(body)))]
        sig = tok + self.dev.sign("POST", "http://%s/v1/orders" % PUBLIC, tok, body=body)
        # nginx sends no body and no Content-Length with the check: the recipe forwards the
        # client's length as X-Original-Content-Length.
        fields = [f for f in sig if f[0] != "Content-Length"]
        self.assertEqual(ask(self.a, fields + forwarded("POST", "/v1/orders",
                                                         length=len(body))), 200)
        self.assertEqual(ask(self.a, fields + forwarded("POST", "/v1/orders", length=1)), 401)

    def test_a_chunked_body_needs_a_signed_content_digest(self):
        # A chunked body has no length to forward: the recipes forward the client's
        # Transfer-Encoding, and a signature made without content-digest (for a bodyless
        # request) must not pass with a chunked body attached.
        bodyless = self.signed(method="POST", uri="/v1/pay")
        fields = forwarded("POST", "/v1/pay")
        self.assertEqual(ask(self.a, bodyless + fields), 200)
        self.assertEqual(ask(self.a, bodyless + fields + [("X-Original-Transfer-Encoding",
                                                           "chunked")]), 401)
        # An empty one (the gateway's variable for a request without) is no coding.
        self.assertEqual(ask(self.a, bodyless + fields + [("X-Original-Transfer-Encoding", "")]),
                         200)
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="missing_component"}'],
                         1)
        # Signed with its digest, the chunked request passes (the digest is the upstream's to
        # compare with the body).
        body = b'{"amount": 1000}'
        tok = [("Approov-Token", self.dev.token), ("Transfer-Encoding", "chunked")]
        sig = [f for f in tok + self.dev.sign("POST", "http://%s/v1/pay" % PUBLIC, tok, body=body)
               if f[0] != "Transfer-Encoding"]
        self.assertEqual(ask(self.a, sig + fields + [("X-Original-Transfer-Encoding",
                                                      "chunked")]), 200)


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
class Settings(unittest.TestCase):
    def test_signature_base_url_replaces_the_forwarded_scheme_and_host(self):
        dev = Signer(self)
        a = Authd(self, ROUTES + ["--signature-base-url", "https://" + PUBLIC])
        tok = [("Approov-Token", dev.token)]
        sig = tok + dev.sign("GET", "https://%s/v1/x" % PUBLIC, tok)
        self.assertEqual(ask(a, sig + [("X-Original-Method", "GET"), ("X-Original-URI", "/v1/x")]),
                         200)
        # Whatever the gateway says about scheme and host.
        self.assertEqual(ask(a, sig + forwarded(uri="/v1/x", host="other.example")), 200)

    def test_account_signatures(self):
        d = tmpdir(self, "authd-sign-")
        secret = os.path.join(d, "account")
        with open(secret, "w") as f:
            f.write(ACCOUNT_B64 + "\n")
        dev = Signer(self)
        tok = cli(self, "gen", "--ttl", "3600", "--mskid", "key-1").strip()
        fields = [("Approov-Token", tok)]
        sig = fields + dev.sign("GET", "http://%s/v1/orders?id=7" % PUBLIC, fields,
                                key_args=["--account-secret", ACCOUNT_B64])
        a = Authd(self, ROUTES + ["--account-signing-secret-file", secret,
                                  "--account-signing-key-id", "key-1"])
        self.assertEqual(ask(a, sig + forwarded()), 200)
        self.assertEqual(ask(a, sig + forwarded(uri="/v1/orders?id=8")), 401)
        b = Authd(self, ROUTES + ["--account-signing-secret-file", secret,
                                  "--account-signing-key-id", "key-2"])
        self.assertEqual(ask(b, sig + forwarded()), 401)
        # A rotated account secret is read again on SIGHUP.
        with open(secret, "w") as f:
            f.write(base64.b64encode(b"another-account-signing-secret-0123456789").decode())
        reload_and_wait(a)
        self.assertEqual(ask(a, sig + forwarded()), 401)

    def test_a_missing_account_secret_is_warned_about(self):
        # Without the account secret, a token that carries mskid but no ipk (an account-signed
        # app) passes unsigned on a message-signing route: say so at start-up, and in
        # --check-config, so that a forgotten secret file does not go unnoticed.
        def check_config(args):
            r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config"] + args,
                               env=authd_env(), capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stderr
        err = check_config(ROUTES)
        self.assertIn("warning: ", err)
        self.assertIn("account-signing-secret-file", err)
        self.assertIn("mskid", err)
        self.assertIn("unsigned", err)
        d = tmpdir(self, "authd-sign-")
        secret = os.path.join(d, "account")
        with open(secret, "w") as f:
            f.write(ACCOUNT_B64 + "\n")
        self.assertEqual(check_config(ROUTES + ["--account-signing-secret-file", secret]), "")
        self.assertEqual(check_config(["--route", "/ protected"]), "")
        a = Authd(self, ROUTES)
        wait_until(lambda: '"event":"warning"' in a.proc.stderr_text(), "the warning line")
        line = next(ln for ln in a.proc.stderr_text().splitlines() if '"event":"warning"' in ln)
        self.assertIn("account-signing-secret-file", line)
        self.assertIn("mskid", line)
        # Written right after the features line, which a start with the secret writes too.
        b = Authd(self, ROUTES + ["--account-signing-secret-file", secret])
        wait_until(lambda: '"event":"features"' in b.proc.stderr_text(), "the features line")
        self.assertNotIn('"event":"warning"', b.proc.stderr_text())

    def test_forwarded_body_checks_the_content_digest(self):
        # Envoy's ext_authz with with_request_body: the check request is the client's (method,
        # path, Host, Content-Length, body).
        dev = Signer(self)
        a = Authd(self, ["--message-signing", "required", "--forwarded-body"])
        body = b'{"item": 42}'
        tok = [("Approov-Token", dev.token), ("Content-Length", str(len(body)))]
        sig = [f for f in tok + dev.sign("POST", "http://127.0.0.1:%d/v1/orders" % a.port, tok,
                                         body=body) if f[0] != "Content-Length"]
        self.assertEqual(ask(a, sig, "/v1/orders", "POST", body), 200)
        self.assertEqual(ask(a, sig, "/v1/orders", "POST", b'{"item": 43}'), 401)
        # Up to the 1 MiB Envoy's recipe sends.
        big = b"x" * (1024 * 1024)
        tok = [("Approov-Token", dev.token), ("Content-Length", str(len(big)))]
        sig = [f for f in tok + dev.sign("POST", "http://127.0.0.1:%d/v1/big" % a.port, tok,
                                         body=big) if f[0] != "Content-Length"]
        self.assertEqual(ask(a, sig, "/v1/big", "POST", big), 200)
        self.assertEqual(a.metrics()[
            'approov_authd_requests_total{decision="deny",reason="bad_content_digest"}'], 1)

    def test_configuration_errors(self):
        for args, needle in ((["--message-signing", "maybe"], "off, on or required"),
                             (["--route", "/ message-signing unprotected"], "checked mode"),
                             (["--route", "/ protected", "--message-signing", "on"],
                              "simple mode only"),
                             (["--signature-base-url", "api.example.com"], "signature"),
                             (["--signature-skew", "301"], "0..300"),
                             (["--account-signing-secret-file", "/nonexistent"],
                              "account-signing-secret-file")):
            r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config"] + args,
                               env=authd_env(), capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 2, (args, r.stdout))
            self.assertIn(needle, r.stderr, args)


def chunked(port, path, headers, body, method="POST"):
    """A request whose body is sent chunked -> (status, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            c.putheader(name, value)
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        c.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


class SigningThroughProxy:
    """A signed request through a real gateway with its recipe from deploy/: mixed into a
    TestCase that defines start_proxy(authd_port, upstream_port) -> the proxy's port."""

    # What the gateway answers a chunked request on a signing route whose signature does not
    # cover a content-digest: the sidecar's 401, or the gateway's own refusal where it cannot
    # tell the sidecar about the chunked body.
    CHUNKED_REFUSED = 401

    def setUp(self):
        import harness
        self.dev = Signer(self)
        self.authd = Authd(self, ["--route", "/signed message-signing-required protected",
                                  "--route", "/ protected", "--failure-body="])
        upstream = harness.start_upstream(self)
        self.port = self.start_proxy(self.authd.port, upstream)
        self.base = "http://127.0.0.1:%d" % self.port

    def signed(self, method, path, body=None, url=None):
        tok = [("Approov-Token", self.dev.token)]
        if body is not None:
            tok.append(("Content-Length", str(len(body))))
        sig = tok + self.dev.sign(method, url or self.base + path, tok, body=body)
        return [f for f in sig if f[0] != "Content-Length"]  # http.client adds its own

    def test_signed_requests_pass_and_altered_ones_do_not(self):
        ok = self.signed("GET", "/signed/orders?id=7")
        self.assertEqual(request(self.port, "/signed/orders?id=7", ok)[0], 200)
        self.assertEqual(request(self.port, "/signed/orders?id=8", ok)[0], 401)
        self.assertEqual(request(self.port, "/signed/orders?id=7", ok, method="DELETE")[0], 401)
        body = b'{"item": 42}'
        post = self.signed("POST", "/signed/orders", body)
        self.assertEqual(request(self.port, "/signed/orders", post, "POST", body=body)[0], 200)
        # Another length than signed (the gateway does not send the body to the sidecar: the
        # digest itself is the upstream's to check, see docs/gateways/*.md).
        self.assertEqual(request(self.port, "/signed/orders", post, "POST",
                                 body=body + b" ")[0], 401)
        tok = [("Approov-Token", self.dev.token)]
        self.assertEqual(request(self.port, "/signed/orders", tok)[0], 401)

    def test_a_chunked_body_needs_a_signed_content_digest(self):
        # A signature made for a bodyless request (no content-digest) must not pass with a
        # chunked body attached: the gateway forwards the client's Transfer-Encoding.
        bodyless = self.signed("POST", "/signed/pay")
        self.assertEqual(request(self.port, "/signed/pay", bodyless + [("Content-Length", "0")],
                                 "POST")[0], 200)
        body = b'{"amount": 1000}'
        self.assertEqual(chunked(self.port, "/signed/pay", bodyless, body)[0],
                         self.CHUNKED_REFUSED)
        # The genuine signed request, digest and all, still passes (with Content-Length, and
        # chunked where the gateway lets chunked bodies through).
        post = self.signed("POST", "/signed/pay", body)
        self.assertEqual(request(self.port, "/signed/pay", post, "POST", body=body)[0], 200)
        if self.CHUNKED_REFUSED == 401:
            tok = [("Approov-Token", self.dev.token), ("Transfer-Encoding", "chunked")]
            sig = [f for f in tok + self.dev.sign("POST", self.base + "/signed/pay", tok,
                                                  body=body) if f[0] != "Transfer-Encoding"]
            self.assertEqual(chunked(self.port, "/signed/pay", sig, body)[0], 200)

    def test_client_sent_forwarded_fields_are_replaced(self):
        # Signed for another host and scheme: claiming them in forwarded fields does not help.
        other = self.signed("GET", "/signed/a", url="https://api.example.com/signed/a")
        forged = other + [("X-Forwarded-Host", "api.example.com"), ("X-Forwarded-Proto", "https"),
                          ("X-Original-URI", "/signed/a"), ("X-Original-Method", "GET")]
        self.assertEqual(request(self.port, "/signed/a", forged)[0], 401)
        # A correctly signed request with forged ones still passes: the gateway replaced them.
        ok = self.signed("GET", "/signed/a") + [("X-Forwarded-Host", "evil.example"),
                                                ("X-Original-Content-Length", "5")]
        self.assertEqual(request(self.port, "/signed/a", ok)[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
