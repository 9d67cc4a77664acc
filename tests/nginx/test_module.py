#!/usr/bin/env python3
"""ngx_http_approov_module in Debian's real nginx: each test starts nginx with its own prefix
(-p), a configuration written to a temporary directory and a loopback port, loads the module
built by this tree, and stops nginx at the end.

  test_module.py [unittest names, e.g. Tokens or Config.test_bad_secret_files]

Environment: APPROOV_NGINX_MODULE (the module under test, required), APPROOV_NGINX_MODULE_ASAN
(the AddressSanitizer build, for the Asan class), APPROOV_LIBASAN (the ASan runtime to preload).
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "authd"))

import harness  # noqa: E402  (tests/authd: ports, processes, tokens, the echo upstream)
from harness import (AUTH, BAD_SIG, BOUND, EXPIRED, FAR, OTHER_SECRET_B64, SECRET_B64, VALID,  # noqa: E402
                     VALID_BARE, WRONG_KEY, Proc, free_port, header, mint, pay_for, raw_exchange,
                     raw_request, request, wait_port, which)

MODULE = os.environ.get("APPROOV_NGINX_MODULE", "")
MODULE_ASAN = os.environ.get("APPROOV_NGINX_MODULE_ASAN", "")
LIBASAN = os.environ.get("APPROOV_LIBASAN", "")
NGINX = which("nginx")
HEADERS_MORE = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"
SECRET_URL = base64.urlsafe_b64encode(base64.b64decode(SECRET_B64)).rstrip(b"=").decode()
ACCOUNT_SECRET = base64.b64encode(b"account message-signing secret, 32+ bytes").decode()


def fingerprint(token):
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def future():
    return int(time.time()) + 3600


class Nginx:
    """nginx with the module: `http` is the body of the http{} block, in which @PREFIX@,
    @LISTEN@ and @UPSTREAM@ are replaced. Master process and `workers` worker processes, so
    that `nginx -s reload` works; stopped (SIGTERM) at cleanup."""

    def __init__(self, testcase, http, workers=1, module=None, env=None, upstream=None,
                 main="", secrets=None, start=True):
        self.tc = testcase
        self.prefix = harness.tmpdir(testcase, "approov-nginx-")
        os.chmod(self.prefix, 0o755)  # static files are read by the workers (user nobody)
        os.makedirs(os.path.join(self.prefix, "tmp"))
        self.port = free_port()
        self.module = module or MODULE
        self.env = env
        self.secret_files = {}
        for name, text in (secrets or {"secret": SECRET_B64 + "\n"}).items():
            self.write_secret(name, text)
        self.conf = os.path.join(self.prefix, "nginx.conf")
        self.write_conf(http, workers, main, upstream)
        self.proc = None
        if start:
            self.start()

    def write_secret(self, name, text):
        path = os.path.join(self.prefix, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        self.secret_files[name] = path
        return path

    def write_conf(self, http, workers=1, main="", upstream=None):
        text = """load_module %(module)s;
%(main)s
worker_processes %(workers)d;
pid %(prefix)s/nginx.pid;
error_log %(prefix)s/error.log warn;
events { worker_connections 1024; }
http {
    %(access_log)s
    client_body_temp_path %(prefix)s/tmp;
    proxy_temp_path %(prefix)s/tmp;
    fastcgi_temp_path %(prefix)s/tmp;
    uwsgi_temp_path %(prefix)s/tmp;
    scgi_temp_path %(prefix)s/tmp;
    large_client_header_buffers 2 16k;
%(http)s
}
""" % {"module": self.module, "main": main, "workers": workers, "prefix": self.prefix,
            "http": http, "access_log": "" if "access_log" in http else "access_log off;"}
        text = text.replace("@PREFIX@", self.prefix).replace("@LISTEN@", "127.0.0.1:%d" % self.port)
        if upstream is not None:
            text = text.replace("@UPSTREAM@", "127.0.0.1:%d" % upstream)
        with open(self.conf, "w") as f:
            f.write(text)

    def args(self, *extra):
        return [NGINX, "-p", self.prefix, "-c", self.conf, "-e",
                os.path.join(self.prefix, "error.log")] + list(extra)

    def start(self):
        self.proc = Proc(self.tc, self.args("-g", "daemon off;"), env=self.env, stdout=None)
        wait_port(self.port, self.proc.p)
        self.wait_workers()

    def worker_pids(self):
        """The worker processes of this nginx (children of the master)."""
        out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(self.proc.p.pid)],
                             capture_output=True, text=True).stdout
        return sorted(int(l.split()[0]) for l in out.splitlines()
                      if "worker process" in l and "shutting down" not in l)

    def wait_workers(self, n=None, exclude=(), timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = [p for p in self.worker_pids() if p not in exclude]
            if pids and (n is None or len(pids) >= n):
                return pids
            time.sleep(0.05)
        raise AssertionError("nginx workers did not start: " + self.error_log()[-2000:])

    def test_config(self):
        """`nginx -t` on this configuration -> (exit code, output)."""
        p = subprocess.run(self.args("-t"), capture_output=True, text=True, env=self.env,
                           timeout=60)
        return p.returncode, p.stdout + p.stderr

    def reload(self, timeout=15):
        """`nginx -s reload`, returning once the new workers run and no old one accepts
        connections any more (old ones may still be finishing theirs: "shutting down")."""
        old = self.worker_pids()
        subprocess.run(self.args("-s", "reload"), check=True, capture_output=True, env=self.env,
                       timeout=30)
        new = self.wait_workers(len(old), exclude=old, timeout=timeout)
        deadline = time.time() + timeout
        while set(old) & set(self.worker_pids()):
            if time.time() > deadline:
                raise AssertionError("old nginx workers still accept connections")
            time.sleep(0.02)
        return new

    def error_log(self):
        with open(os.path.join(self.prefix, "error.log"), errors="replace") as f:
            return f.read()

    def get(self, path="/", headers=(), **kw):
        return request(self.port, path, list(headers), **kw)


def simple_http(extra_server="", extra_http="", content="proxy_pass http://@UPSTREAM@;",
                extra_location=""):
    """A server protected by the module (secret from the file "secret")."""
    return """
    approov_secret_file @PREFIX@/secret;
    approov_log_level warn;
%s
    server {
        listen @LISTEN@;
        approov on;
%s
        location / { %s %s }
    }
""" % (extra_http, extra_server, content, extra_location)


def assert_denied(tc, got, what, status=401):
    code, hdrs, body = got
    tc.assertEqual((code, body), (status, b"{}"), what)
    tc.assertEqual(header(hdrs, "Content-Type"), ["application/json"], what)


# ---------------------------------------------------------------------------------------------
class Config(unittest.TestCase):
    """`nginx -t` accepts good configurations and refuses bad ones naming the directive."""

    def check(self, http, secrets=None, ok=True, names=(), what=""):
        n = Nginx(self, http, secrets=secrets, upstream=free_port(), start=False)
        code, out = n.test_config()
        if ok:
            self.assertEqual(code, 0, (what, out))
            self.assertIn("test is successful", out, what)
        else:
            self.assertNotEqual(code, 0, (what, out))
            self.assertIn("[emerg]", out, what)
            for name in names:
                self.assertIn(name, out, (what, out))
        for text in (secrets or {"secret": SECRET_B64}).values():
            stripped = text.strip()
            if len(stripped) >= 8:
                self.assertNotIn(stripped, out, "a secret appeared in nginx -t's output")
        return out

    def test_good_configurations(self):
        self.check(simple_http(), what="minimal")
        self.check(simple_http(), secrets={"secret": "  \n" + SECRET_B64 + " \r\n\t"},
                   what="whitespace around the secret")
        self.check(simple_http(), secrets={"secret": SECRET_URL}, what="base64url, no padding")
        self.check(simple_http(), secrets={"secret": SECRET_URL + "=="}, what="base64url, padded")
        self.check(simple_http("""
        approov_leeway 1m;
        approov_failure_status 403;
        approov_report_only off;
        approov_log_level warn;
        approov_token_header Authorization "Bearer ";
        approov_token_binding X-Device-Id Authorization;
        approov_allow_missing_pay on;
        approov_message_signing require;
        approov_signature_base_url https://api.example.com;
        approov_account_signing_secret_file @PREFIX@/account;
        approov_account_signing_key_id key-1;
"""), secrets={"secret": SECRET_B64, "account": ACCOUNT_SECRET}, what="every directive")
        self.check("""
    approov_secret_file @PREFIX@/secret;
    approov on;
    server { listen @LISTEN@; location / { approov off; } location /x { approov_leeway 0; } }
    server { listen 127.0.0.1:1; approov_report_only on; }
""", what="http-level approov on, overridden below")
        self.check("""
    server { listen @LISTEN@; location / { approov off; } }
""", what="module loaded, nothing configured")

    def test_bad_secret_files(self):
        short = base64.b64encode(b"x" * 31).decode()
        cases = [
            ({}, "cannot open", "missing file"),
            ({"secret": ""}, "is empty", "empty file"),
            ({"secret": " \n\t "}, "is empty", "whitespace only"),
            ({"secret": SECRET_B64.replace("+", "*", 1)}, "base64", "character outside the alphabet"),
            ({"secret": SECRET_B64[:20] + " " + SECRET_B64[20:]}, "base64", "inner space"),
            ({"secret": SECRET_B64.rstrip("=")}, "base64", "standard alphabet without padding"),
            ({"secret": SECRET_B64[:-3] + "B=="}, "base64", "non-zero trailing bits"),
            ({"secret": short}, "at least 32", "31-byte secret"),
            ({"secret": "A" * 5000}, "not a secret file", "5000-byte file"),
        ]
        for secrets, message, what in cases:
            out = self.check(simple_http(), secrets=secrets or {"other": SECRET_B64}, ok=False,
                             names=("approov_secret_file", message), what=what)
            self.assertRegex(out, r"nginx\.conf:\d+", what)  # points at the directive's line
        self.check(simple_http().replace("@PREFIX@/secret", "@PREFIX@"), ok=False,
                   names=("approov_secret_file", "not a secret file"), what="a directory")
        self.check(simple_http("approov_account_signing_secret_file @PREFIX@/account;"),
                   secrets={"secret": SECRET_B64, "account": short}, ok=False,
                   names=("approov_account_signing_secret_file", "at least 32"),
                   what="short account secret")

    def test_bad_values(self):
        cases = [
            ("approov maybe;", ("approov", "maybe")),
            ("approov_failure_status 500;", ("approov_failure_status", "401 or 403")),
            ("approov_failure_status 400;", ("approov_failure_status", "401 or 403")),
            ("approov_failure_status x;", ("approov_failure_status",)),
            ("approov_leeway 301;", ("approov_leeway", "0 to 300")),
            ("approov_leeway -1;", ("approov_leeway",)),
            ("approov_leeway soon;", ("approov_leeway",)),
            ("approov_report_only sometimes;", ("approov_report_only",)),
            ("approov_log_level debug;", ("approov_log_level",)),
            ("approov_message_signing maybe;", ("approov_message_signing",)),
            ("approov_token_binding 'Bad Header';", ("approov_token_binding", "Bad Header")),
            ("approov_token_binding Authorization off;", ("approov_token_binding",)),
            ("approov_token_header 'Approov Token';", ("approov_token_header",)),
            ("approov_signature_base_url ftp://x;", ("approov_signature_base_url",)),
            ("approov_signature_base_url https://api.example.com/path;",
             ("approov_signature_base_url",)),
            ("approov_leeway 1; approov_leeway 2;", ("approov_leeway", "duplicate")),
        ]
        for line, names in cases:
            self.check(simple_http(extra_location=line), ok=False, names=names, what=line)
        self.check(simple_http(extra_http="approov_secret_file @PREFIX@/secret;"), ok=False,
                   names=("approov_secret_file", "duplicate"), what="two secret files")

    def test_approov_on_without_a_secret(self):
        out = self.check("""
    server { listen @LISTEN@; location / { approov on; } }
""", ok=False, names=("approov_secret_file", "approov on"), what="no secret anywhere")
        self.assertRegex(out, r"nginx\.conf:\d+")  # where `approov on` is
        self.check("""
    server { listen @LISTEN@; location /a { approov_secret_file @PREFIX@/secret; }
             location /b { approov on; } }
""", ok=False, names=("approov_secret_file",), what="secret in a sibling location only")

    def test_module_is_binary_compatible(self):
        # nginx checks the module's signature (built with the flags of Debian's nginx,
        # --with-compat among them) when it loads it: a mismatch fails here.
        code, out = Nginx(self, "", upstream=1, start=False).test_config()
        self.assertEqual(code, 0, out)
        self.assertNotIn("binary compatible", out)


# ---------------------------------------------------------------------------------------------
class Tokens(unittest.TestCase):
    """Every token case of the hello-server end-to-end tests, through nginx with the module."""

    @classmethod
    def setUpClass(cls):
        cls.cleanups = unittest.TestCase("run")
        upstream = harness.start_upstream(cls.cleanups)
        cls.n = Nginx(cls.cleanups, simple_http(extra_server="""
        error_page 400 494 501 505 = /_approov_denied;
        location = /_approov_denied {
            internal; approov off; default_type application/json; keepalive_timeout 0;
            return 401 '{}';
        }
        location /pay { approov_token_binding Authorization; proxy_pass http://@UPSTREAM@; }
        location /pay-failover {
            approov_token_binding Authorization;
            approov_allow_missing_pay on;
            proxy_pass http://@UPSTREAM@;
        }
        location /bind2 { approov_token_binding X-Device Authorization; proxy_pass http://@UPSTREAM@; }
        location /bearer {
            approov_token_header Authorization "Bearer ";
            proxy_pass http://@UPSTREAM@;
        }
        location /forbid { approov_failure_status 403; proxy_pass http://@UPSTREAM@; }
"""), upstream=upstream)

    @classmethod
    def tearDownClass(cls):
        cls.cleanups.doCleanups()

    def ok(self, path, headers, what=""):
        status, _, body = self.n.get(path, headers)
        self.assertEqual(status, 200, (what, body[:200]))
        return json.loads(body)

    def denied(self, path, headers, reason, what="", status=401):
        before = len(self.n.error_log())
        assert_denied(self, self.n.get(path, headers), what or reason, status)
        if reason is not None:
            self.assert_logged(before, reason, headers)

    def assert_logged(self, before, reason, headers):
        tokens = [v for k, v in headers if k.lower() == "approov-token"]
        fp = fingerprint(tokens[0]) if len(tokens) == 1 and tokens[0] and "," not in tokens[0] \
            else "-"
        deadline = time.time() + 5
        while True:
            log = self.n.error_log()[before:]
            if "approov: rejected reason=%s token=%s" % (reason, fp) in log:
                break
            if time.time() > deadline:
                self.fail("no log line for %s (token=%s) in %r" % (reason, fp, log[-600:]))
            time.sleep(0.02)
        for t in tokens:
            if len(t) >= 8:
                self.assertNotIn(t, self.n.error_log(), "a token appeared in the log")

    def test_valid(self):
        self.ok("/", [("Approov-Token", VALID)])
        self.ok("/", [("approov-token", VALID)], "header name in another case")
        self.ok("/?a=b", [("Approov-Token", VALID)], "query string")
        self.ok("/", [("Approov-Token", mint({"exp": future()}))], "exp an hour ahead")
        self.ok("/", [("Approov-Token", mint({"exp": 4708683205.891912}))], "fractional exp")
        self.ok("/", [("Approov-Token", mint({"exp": FAR, "pay": pay_for("x")}))],
                "pay not judged without binding")

    def test_failures(self):
        bound = {"exp": future()}
        cases = [
            ("signed with another secret", WRONG_KEY, "bad_signature"),
            ("bad signature", BAD_SIG, "bad_signature"),
            ("expired", EXPIRED, "expired"),
            ("expired 10 s ago", mint({"exp": int(time.time()) - 10}), "expired"),
            ("missing exp", mint({"did": "x"}), "missing_exp"),
            ("exp as a string", mint({"exp": str(future())}), "bad_exp"),
            ("alg none", mint(bound, header={"typ": "JWT", "alg": "none"}), "bad_header"),
            ("two segments", "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9", "malformed"),
            ("not base64url", "abc$.def.ghi", "malformed"),
            ("garbage", "not a token at all", "malformed"),
            ("too long", "a" * 9000, "token_too_long"),
            ("control byte", "\x01" + VALID, "malformed"),
            ("DEL byte", VALID + "\x7f", "malformed"),
        ]
        for what, token, reason in cases:
            self.denied("/", [("Approov-Token", token)], reason, what)
        self.denied("/", [("Approov-Token", "")], "missing_token", "empty header")
        self.denied("/", [], "missing_token", "missing header")
        self.denied("/", [("Approov-Token", VALID), ("Approov-Token", VALID)], "duplicate_token",
                    "two fields")
        self.denied("/", [("Approov-Token", VALID + "," + VALID)], "duplicate_token",
                    "comma-joined")
        self.denied("/", [("Approov-Token", VALID + ", " + VALID)], "duplicate_token",
                    "comma-joined with a space")
        self.denied("/forbid", [("Approov-Token", EXPIRED)], "expired", "status 403", status=403)

    def test_requests_nginx_refuses_itself_get_the_same_answer(self):
        # nginx answers these itself (400 for a NUL byte, 494 for an oversize header): the
        # recipe's error_page maps them to the same failure response; no log line then.
        fill = [("X-Fill-%d" % i, "f" * 1000) for i in range(40)]
        for what, headers in (("NUL byte", [("Approov-Token", VALID + "\x00junk")]),
                              ("token line over 16 KiB", [("Approov-Token", "a" * 17000)]),
                              ("header block over 32 KiB", fill + [("Approov-Token", VALID)])):
            data = raw_request("/", [(k.encode(), v.encode()) for k, v in headers])
            status, hdrs, body = raw_exchange(self.n.port, data)
            self.assertEqual((status.split()[1], body), (b"401", b"{}"), what)
        self.assertEqual(self.n.get("/", [("Approov-Token", VALID)])[0], 200)

    def test_every_failure_answer_is_byte_for_byte_the_same(self):
        def norm(hdrs):
            return [(k, b"<date>" if k.lower() == b"date" else v) for k, v in hdrs]
        answers = {}
        for what, headers in (("missing", []), ("expired", [("Approov-Token", EXPIRED)]),
                              ("bad signature", [("Approov-Token", BAD_SIG)]),
                              ("malformed", [("Approov-Token", "x")]),
                              ("duplicate", [("Approov-Token", VALID), ("Approov-Token", VALID)]),
                              ("NUL byte", [("Approov-Token", VALID + "\x00")]),
                              ("too long", [("Approov-Token", "a" * 20000)])):
            data = raw_request("/", [(k.encode(), v.encode()) for k, v in headers])
            status, hdrs, body = raw_exchange(self.n.port, data)
            answers[what] = (status, norm(hdrs), body)
        reference = answers["missing"]
        self.assertEqual(reference[0], b"HTTP/1.1 401 Unauthorized")
        self.assertIn((b"Connection", b"close"), reference[1])
        for what, got in answers.items():
            self.assertEqual(got, reference, what)

    def test_denied_post_body_is_not_forwarded_and_head_has_no_body(self):
        status, _, body = self.n.get("/", [("Approov-Token", EXPIRED)], method="POST",
                                     body=b"x" * 100000)
        self.assertEqual((status, body), (401, b"{}"))
        status, hdrs, body = self.n.get("/", [("Approov-Token", EXPIRED)], method="HEAD")
        self.assertEqual((status, body), (401, b""))
        self.assertEqual(header(hdrs, "Content-Length"), ["2"])

    def test_binding(self):
        pay_url = base64.urlsafe_b64encode(hashlib.sha256(AUTH.encode()).digest()).rstrip(b"=")
        self.ok("/pay", [("Approov-Token", BOUND), ("Authorization", AUTH)], "match")
        self.ok("/pay", [("Approov-Token", mint({"exp": FAR, "pay": pay_url.decode()})),
                         ("Authorization", AUTH)], "pay URL-safe, unpadded")
        self.denied("/pay", [("Approov-Token", BOUND), ("Authorization", AUTH + "x")],
                    "binding_mismatch", "mismatch")
        self.denied("/pay", [("Approov-Token", BOUND)], "missing_binding_header", "missing")
        self.denied("/pay", [("Approov-Token", BOUND), ("Authorization", "")],
                    "missing_binding_header", "empty")
        self.denied("/pay", [("Approov-Token", VALID), ("Authorization", AUTH)], "missing_pay",
                    "token without pay")
        self.ok("/pay-failover", [("Approov-Token", VALID), ("Authorization", AUTH)],
                "without pay, approov_allow_missing_pay on")
        self.denied("/pay-failover", [("Approov-Token", VALID)], "missing_binding_header",
                    "failover still needs the header")
        # nginx itself refuses two Authorization fields (400, mapped to the failure response)
        assert_denied(self, self.n.get("/pay", [("Approov-Token", BOUND), ("Authorization", AUTH),
                                                ("Authorization", AUTH)]), "two Authorization")
        two = mint({"exp": FAR, "pay": pay_for("dev-1" + AUTH)})
        self.ok("/bind2", [("Approov-Token", two), ("X-Device", "dev-1"), ("Authorization", AUTH)],
                "two headers, in order")
        self.denied("/bind2", [("Approov-Token", two), ("X-Device", "dev-1"), ("X-Device", "d"),
                               ("Authorization", AUTH)], "duplicate_binding_header",
                    "bound header twice")

    def test_token_header_with_prefix(self):
        self.ok("/bearer", [("Authorization", "Bearer " + VALID)])
        self.ok("/bearer", [("Authorization", "bearer " + VALID)], "prefix in another case")
        self.denied("/bearer", [("Authorization", VALID)], None, "no prefix")
        self.denied("/bearer", [("Approov-Token", VALID)], None, "default header not read")
        self.assertIn("reason=bad_prefix", self.n.error_log())


# ---------------------------------------------------------------------------------------------
def sign_account(method, uri, token, secret_b64, components=None, created=None, expires=None,
                 extra_values=None, label="account"):
    """An RFC 9421 HMAC-SHA256 account signature, computed here independently of the library:
    -> [(Signature-Input, ...), (Signature, ...)]."""
    created = int(time.time()) if created is None else created
    expires = created + 10 if expires is None else expires
    components = components or ["@method", "@target-uri", "approov-token"]
    values = {"@method": method, "@target-uri": uri, "approov-token": token}
    values.update(extra_values or {})
    inner = "(" + " ".join('"%s"' % c for c in components) + ")"
    params = '%s;created=%d;expires=%d;alg="hmac-sha256"' % (inner, created, expires)
    base = "".join('"%s": %s\n' % (c, values[c]) for c in components)
    base += '"@signature-params": ' + params
    sig = hmac.new(base64.b64decode(secret_b64), base.encode(), hashlib.sha256).digest()
    return [("Signature-Input", "%s=%s" % (label, params)),
            ("Signature", "%s=:%s:" % (label, base64.b64encode(sig).decode()))]


def sign_install(method, uri, token, key, created=None):
    """The same with ECDSA P-256 (an `install` signature, key in the token's ipk)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    created = int(time.time()) if created is None else created
    components = ["@method", "@target-uri", "approov-token"]
    values = {"@method": method, "@target-uri": uri, "approov-token": token}
    params = '(%s);created=%d;expires=%d;alg="ecdsa-p256-sha256"' % (
        " ".join('"%s"' % c for c in components), created, created + 10)
    base = "".join('"%s": %s\n' % (c, values[c]) for c in components)
    base += '"@signature-params": ' + params
    r, s = decode_dss_signature(key.sign(base.encode(), ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return [("Signature-Input", "install=" + params),
            ("Signature", "install=:%s:" % base64.b64encode(sig).decode())]


class Signing(unittest.TestCase):
    """approov_message_signing: account (HMAC) and install (ECDSA P-256) signatures."""

    @classmethod
    def setUpClass(cls):
        cls.cleanups = unittest.TestCase("run")
        upstream = harness.start_upstream(cls.cleanups)
        cls.n = Nginx(cls.cleanups, simple_http(extra_http="""
    approov_account_signing_secret_file @PREFIX@/account;
    approov_message_signing on;
""", extra_server="""
        location /keyed { approov_account_signing_key_id key-1; proxy_pass http://@UPSTREAM@; }
        location /required { approov_message_signing require; proxy_pass http://@UPSTREAM@; }
        location /unsigned { approov_message_signing off; proxy_pass http://@UPSTREAM@; }
        location /public-url {
            approov_signature_base_url https://api.example.com;
            proxy_pass http://@UPSTREAM@;
        }
"""), upstream=upstream, secrets={"secret": SECRET_B64, "account": ACCOUNT_SECRET})
        cls.base = "http://127.0.0.1:%d" % cls.n.port
        cls.token = mint({"exp": FAR, "mskid": "key-1", "did": "signed-device"})

    @classmethod
    def tearDownClass(cls):
        cls.cleanups.doCleanups()

    def send(self, path, token, sig, method="GET", body=None, extra=()):
        return self.n.get(path, [("Approov-Token", token)] + list(sig) + list(extra),
                          method=method, body=body)

    def test_account_signature(self):
        t = self.token
        got = self.send("/a?x=1", t, sign_account("GET", self.base + "/a?x=1", t, ACCOUNT_SECRET))
        self.assertEqual(got[0], 200, got[2][:200])
        got = self.send("/keyed", t, sign_account("GET", self.base + "/keyed", t, ACCOUNT_SECRET))
        self.assertEqual(got[0], 200, got[2][:200])

    def test_tampered_requests_are_denied(self):
        t = self.token
        sig = sign_account("GET", self.base + "/a", t, ACCOUNT_SECRET)
        before = len(self.n.error_log())
        assert_denied(self, self.send("/b", t, sig), "other path")
        assert_denied(self, self.send("/a?x=2", t, sig), "query added")
        assert_denied(self, self.send("/a", t, sig, method="DELETE"), "other method")
        other = mint({"exp": FAR, "mskid": "key-1", "did": "other"})
        assert_denied(self, self.send("/a", other, sig), "other token")
        bad = sign_account("GET", self.base + "/a", t, base64.b64encode(b"y" * 40).decode())
        assert_denied(self, self.send("/a", t, bad), "other secret")
        assert_denied(self, self.send("/a", t, sig[:1]), "Signature header missing")
        assert_denied(self, self.send("/a", t, []), "no signature, mskid token")
        old = int(time.time()) - 3600
        assert_denied(self, self.send("/a", t, sign_account("GET", self.base + "/a", t,
                                                            ACCOUNT_SECRET, created=old)),
                      "expired signature")
        log = self.n.error_log()[before:]
        for reason in ("bad_message_signature", "missing_signature", "signature_expired",
                       "bad_signature_header"):
            self.assertIn("reason=" + reason, log)
        self.assertNotIn(sig[1][1].split(":")[1], self.n.error_log(), "signature in the log")
        t2 = mint({"exp": FAR, "mskid": "key-2"})
        assert_denied(self, self.send("/keyed", t2, sign_account("GET", self.base + "/keyed", t2,
                                                                 ACCOUNT_SECRET)),
                      "other key id")
        self.assertIn("reason=unknown_signing_key", self.n.error_log())

    def test_unsigned_tokens_and_required_signatures(self):
        plain = VALID  # neither ipk nor mskid: passes unsigned unless a signature is required
        self.assertEqual(self.send("/a", plain, [])[0], 200)
        assert_denied(self, self.send("/required", plain, []), "required")
        self.assertEqual(self.send("/unsigned", self.token, [])[0], 200, "signing off")

    def test_public_base_url(self):
        t = self.token
        sig = sign_account("GET", "https://api.example.com/public-url/x", t, ACCOUNT_SECRET)
        self.assertEqual(self.send("/public-url/x", t, sig)[0], 200)
        own = sign_account("GET", self.base + "/public-url/x", t, ACCOUNT_SECRET)
        assert_denied(self, self.send("/public-url/x", t, own), "signed for the local URL")

    def test_install_signature(self):
        try:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec
        except ImportError:
            self.skipTest("python3-cryptography not installed")
        key = ec.generate_private_key(ec.SECP256R1())
        ipk = base64.b64encode(key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
        t = mint({"exp": FAR, "ipk": ipk, "did": "install-device"})
        got = self.send("/i", t, sign_install("GET", self.base + "/i", t, key))
        self.assertEqual(got[0], 200, got[2][:200])
        self.assertEqual(json.loads(got[2])["headers"].get("approov-claim-did"), None)
        assert_denied(self, self.send("/j", t, sign_install("GET", self.base + "/i", t, key)),
                      "install signature, other path")
        assert_denied(self, self.send("/i", t, []), "ipk token, unsigned")

    def test_body_digest_is_covered_but_the_body_is_not_read(self):
        # In the access phase nginx has not read the body: the signature covers Content-Digest
        # (required when there is a body), but the module cannot compare it with the body.
        t = self.token
        body = b'{"amount": 10}'
        digest = "sha-256=:%s:" % base64.b64encode(hashlib.sha256(body).digest()).decode()
        comps = ["@method", "@target-uri", "approov-token", "content-digest"]
        sig = sign_account("POST", self.base + "/pay", t, ACCOUNT_SECRET, components=comps,
                           extra_values={"content-digest": digest})
        extra = [("Content-Digest", digest)]
        got = self.send("/pay", t, sig, method="POST", body=body, extra=extra)
        self.assertEqual(got[0], 200, got[2][:200])
        got = self.send("/pay", t, sig, method="POST", body=b'{"amount": 99}', extra=extra)
        self.assertEqual(got[0], 200, "documented: the body itself is not checked here")
        other = [("Content-Digest", "sha-256=:%s:" % base64.b64encode(b"\0" * 32).decode())]
        assert_denied(self, self.send("/pay", t, sig, method="POST", body=body, extra=other),
                      "digest header changed")
        nodigest = sign_account("POST", self.base + "/pay", t, ACCOUNT_SECRET)
        assert_denied(self, self.send("/pay", t, nodigest, method="POST", body=body),
                      "body without content-digest covered")


# ---------------------------------------------------------------------------------------------
class Variables(unittest.TestCase):
    """$approov_reason and $approov_claim_NAME, report-only, location on/off and inheritance."""

    @classmethod
    def setUpClass(cls):
        cls.cleanups = unittest.TestCase("run")
        upstream = harness.start_upstream(cls.cleanups)
        cls.n = Nginx(cls.cleanups, """
    approov_secret_file @PREFIX@/secret;
    approov_log_level warn;
    log_format approov '$request_uri reason=$approov_reason did=$approov_claim_did '
                       'sub=$approov_claim_sub exp=$approov_claim_exp';
    access_log @PREFIX@/access.log approov;
    proxy_set_header Approov-Claim-Did $approov_claim_did;
    proxy_set_header Approov-Claim-Sub $approov_claim_sub;
    proxy_set_header Approov-Claim-Aud $approov_claim_aud;
    proxy_set_header Approov-Claim-Exp $approov_claim_exp;
    proxy_set_header Approov-Claim-Nested $approov_claim_nested;
    proxy_set_header Approov-Claim-Nl $approov_claim_nl;
    proxy_set_header Approov-Claim-Mixedcase $approov_claim_mixedcase;
    proxy_set_header Approov-Claim- $approov_claim_;
    proxy_set_header X-Reason $approov_reason;
    server {
        listen @LISTEN@;
        approov on;
        approov_report_only off;
        location / { proxy_pass http://@UPSTREAM@; }
        location /off {
            approov off;
            proxy_pass http://@UPSTREAM@;
            location /off/on { approov on; proxy_pass http://@UPSTREAM@; }
        }
        location /report {
            approov_report_only on;
            proxy_pass http://@UPSTREAM@;
            location /report/strict { approov_report_only off; proxy_pass http://@UPSTREAM@; }
            location /report/inherits { proxy_pass http://@UPSTREAM@; }
        }
        location /lenient { approov_leeway 300; proxy_pass http://@UPSTREAM@; }
        location /any-allow { satisfy any; allow all; proxy_pass http://@UPSTREAM@; }
        location /any-deny { satisfy any; deny all; proxy_pass http://@UPSTREAM@; }
        location /redirect { approov off; rewrite ^ /target last; }
        location /unredirect { rewrite ^ /off/y last; }
        location /static { root @PREFIX@/www; }
    }
    server {
        listen @LISTEN2@;
        location / { proxy_pass http://@UPSTREAM@; }
    }
""", upstream=upstream, start=False)
        cls.port2 = free_port()
        with open(cls.n.conf) as f:
            text = f.read()
        with open(cls.n.conf, "w") as f:
            f.write(text.replace("@LISTEN2@", "127.0.0.1:%d" % cls.port2))
        os.makedirs(os.path.join(cls.n.prefix, "www", "static"))
        with open(os.path.join(cls.n.prefix, "www", "static", "index.html"), "w") as f:
            f.write("hello")
        cls.n.start()

    @classmethod
    def tearDownClass(cls):
        cls.cleanups.doCleanups()

    def seen(self, path, headers, port=None):
        status, _, body = request(port or self.n.port, path, headers)
        self.assertEqual(status, 200, (path, body[:200]))
        return json.loads(body)["headers"]

    def access_line(self, path):
        deadline = time.time() + 5
        while time.time() < deadline:
            with open(os.path.join(self.n.prefix, "access.log")) as f:
                lines = [l for l in f if l.startswith(path + " ")]
            if lines:
                return lines[-1].strip()
            time.sleep(0.02)
        self.fail("no access log line for " + path)

    def test_claims_reach_the_upstream(self):
        token = mint({"exp": FAR, "did": "dev\u00e9-1", "sub": "user-7", "aud": ["a", "b"],
                      "nested": {"k": 1}, "mixedCase": "x", "nl": "a\nb"})
        seen = self.seen("/claims", [("Approov-Token", token)])
        self.assertEqual(seen.get("approov-claim-did"), ["dev\u00e9-1".encode().decode("latin-1")])
        self.assertEqual(seen.get("approov-claim-sub"), ["user-7"])
        self.assertEqual(seen.get("approov-claim-aud"), ['["a","b"]'], "JSON text of an array")
        self.assertEqual(seen.get("approov-claim-nested"), ['{"k":1}'])
        self.assertEqual(seen.get("approov-claim-exp"), ["4708683205"], "JSON text of a number")
        self.assertNotIn("approov-claim-nl", seen, "a control character empties the claim")
        self.assertNotIn("approov-claim-mixedcase", seen, "variable names are lowercase")
        self.assertNotIn("approov-claim-", seen)
        self.assertEqual(seen.get("x-reason"), ["ok"])
        line = self.access_line("/claims")
        self.assertIn("reason=ok did=dev", line)
        self.assertIn("sub=user-7 exp=4708683205", line)
        self.assertNotIn(token, line)

    def test_client_sent_look_alikes_never_reach_the_upstream(self):
        forged = [("Approov-Claim-Did", "FORGED"), ("approov-claim-sub", "FORGED"),
                  ("X-Reason", "FORGED")]
        for path, token in (("/", VALID_BARE), ("/off/x", None), ("/report/x", BAD_SIG),
                            ("/report/x", None)):
            seen = self.seen(path, forged + ([("Approov-Token", token)] if token else []))
            bad = {k: v for k, v in seen.items() if "FORGED" in v}
            self.assertEqual(bad, {}, path)
        seen = self.seen("/", forged + [("Approov-Token", VALID)])
        self.assertEqual(seen.get("approov-claim-did"), ["device-123"])

    def test_report_only_lets_everything_through_and_logs(self):
        before = len(self.n.error_log())
        for token, reason in ((None, "missing_token"), (BAD_SIG, "bad_signature"),
                              (EXPIRED, "expired"), ("garbage", "malformed")):
            seen = self.seen("/report/x", [("Approov-Token", token)] if token else [])
            self.assertEqual(seen.get("x-reason"), [reason])
            self.assertNotIn("approov-claim-did", seen, "no claims from an invalid token")
        seen = self.seen("/report/inherits", [("Approov-Token", EXPIRED)])
        self.assertEqual(seen.get("x-reason"), ["expired"])
        log = self.n.error_log()[before:]
        for reason, fp in (("missing_token", "-"), ("bad_signature", fingerprint(BAD_SIG)),
                           ("expired", fingerprint(EXPIRED))):
            self.assertIn("approov: report-only, would reject reason=%s token=%s" % (reason, fp),
                          log)
        self.assertNotIn(EXPIRED, log)
        self.assertEqual(self.seen("/report/x", [("Approov-Token", VALID)])
                         .get("approov-claim-did"), ["device-123"])
        assert_denied(self, self.n.get("/report/strict", [("Approov-Token", EXPIRED)]),
                      "nested location turns report-only off")
        self.assertIn("reason=expired", self.access_line("/report/strict"))

    def test_location_on_off_and_inheritance(self):
        assert_denied(self, self.n.get("/", []), "server-level on")
        seen = self.seen("/off/x", [])
        self.assertNotIn("x-reason", seen, "not checked: $approov_reason is empty")
        self.assertIn("reason=-", self.access_line("/off/x"))
        assert_denied(self, self.n.get("/off/on", []), "nested location turns it on again")
        self.assertEqual(self.n.get("/off/on", [("Approov-Token", VALID)])[0], 200)
        self.seen("/", [], port=self.port2)  # the other server never turned it on
        # leeway 300 in one location only
        just_expired = mint({"exp": int(time.time()) - 100})
        self.assertEqual(self.n.get("/lenient", [("Approov-Token", just_expired)])[0], 200)
        assert_denied(self, self.n.get("/", [("Approov-Token", just_expired)]), "no leeway")
        # `rewrite ... last` runs before the access phase: the location that serves the
        # request decides, whatever the location the rewrite came from says
        assert_denied(self, self.n.get("/redirect", []), "rewritten into a checked location")
        seen = self.seen("/redirect", [("Approov-Token", VALID)])
        self.assertEqual(seen.get("approov-claim-did"), ["device-123"])
        self.assertNotIn("x-reason", self.seen("/unredirect", []), "into an unchecked one")

    def test_the_check_is_a_gate_whatever_satisfy_says(self):
        # `satisfy any`: another access module that grants does not excuse a missing token,
        # and a valid token does not overrule one that refuses.
        assert_denied(self, self.n.get("/any-allow", []), "satisfy any, allow all")
        self.assertEqual(self.n.get("/any-allow", [("Approov-Token", VALID)])[0], 200)
        self.assertEqual(self.n.get("/any-deny", [("Approov-Token", VALID)])[0], 403)

    def test_static_content_and_index_redirect(self):
        # index.html is served after an internal redirect: the verdict is kept, not redone.
        before = len(self.n.error_log())
        status, _, body = self.n.get("/static/", [("Approov-Token", VALID)])
        self.assertEqual((status, body), (200, b"hello"))
        assert_denied(self, self.n.get("/static/", [("Approov-Token", EXPIRED)]), "static")
        self.assertEqual(self.n.error_log()[before:].count("reason=expired"), 1)


# ---------------------------------------------------------------------------------------------
def recipe_conf(dest, upstream, listen, module, secret_file, prefix):
    return harness.envsubst("deploy/nginx/approov-module.conf.template", dest, {
        "NGINX_PREFIX": prefix, "PROXY_LISTEN": listen, "API_ADDRESS": "127.0.0.1:%d" % upstream,
        "APPROOV_MODULE": module, "APPROOV_SECRET_FILE": secret_file})


class Recipe(harness.ProxyChecks, unittest.TestCase):
    """deploy/nginx/approov-module.conf.template, with the assertions every proxy recipe passes."""

    def setUp(self):
        if not os.path.exists(HEADERS_MORE):  # the recipe's second load_module line
            self.skipTest("headers-more module (libnginx-mod-http-headers-more-filter) missing")
        upstream = harness.start_upstream(self)
        prefix = harness.tmpdir(self, "approov-recipe-")
        os.makedirs(os.path.join(prefix, "tmp"))
        secret = os.path.join(prefix, "secret")
        with open(secret, "w") as f:
            f.write(SECRET_B64 + "\n")
        self.port = free_port()
        conf = recipe_conf(os.path.join(prefix, "nginx.conf"), upstream,
                           "127.0.0.1:%d" % self.port, MODULE, secret, prefix)
        # worker_processes auto: as many workers as cores
        self.nginx = Proc(self, [NGINX, "-p", prefix, "-c", conf, "-e",
                                 os.path.join(prefix, "error.log"), "-g", "daemon off;"],
                          stdout=None)
        wait_port(self.port, self.nginx.p)
        self.prefix = prefix

    def test_no_token_in_the_log(self):
        # The recipe logs at warn: the module's lines carry fingerprints only, and nginx's own
        # info-level lines that quote a refused header line (a NUL byte, a line too long) are
        # not written.
        for _, data in self.failure_cases():
            raw_exchange(self.port, data)
        self.get("/api", [("Approov-Token", VALID + "\x01")])
        with open(os.path.join(self.prefix, "error.log")) as f:
            log = f.read()
        self.assertIn("approov: rejected", log)
        for token in (VALID, BAD_SIG, EXPIRED, WRONG_KEY, BOUND, harness.BIG):
            self.assertNotIn(token[40:], log)

    def test_sidecar_counted_the_checks(self):
        # No sidecar here: the module's log has the line instead (warn level in the recipe).
        self.get("/api", [("Approov-Token", BAD_SIG)])
        deadline = time.time() + 5
        line = "approov: rejected reason=bad_signature token=%s" % fingerprint(BAD_SIG)
        while True:
            with open(os.path.join(self.prefix, "error.log")) as f:
                if line in f.read():
                    break
            self.assertLess(time.time(), deadline, "no log line")
            time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
class Reload(unittest.TestCase):
    """Secrets are read per configuration: a reload picks up a rotated secret; 2 workers."""

    def test_reload_with_a_rotated_secret_and_two_workers(self):
        upstream = harness.start_upstream(self)
        n = Nginx(self, simple_http(), workers=2, upstream=upstream)
        self.assertEqual(len(n.worker_pids()), 2)
        other = mint({"exp": FAR, "did": "rotated"}, OTHER_SECRET_B64)
        self.assertEqual(n.get("/", [("Approov-Token", VALID)])[0], 200)
        assert_denied(self, n.get("/", [("Approov-Token", other)]), "other secret before")
        n.write_secret("secret", OTHER_SECRET_B64)
        # the running configuration is unchanged until the reload
        self.assertEqual(n.get("/", [("Approov-Token", VALID)])[0], 200)
        n.reload()
        for _ in range(20):  # every worker, on new connections
            self.assertEqual(n.get("/", [("Approov-Token", other)])[0], 200)
            assert_denied(self, n.get("/", [("Approov-Token", VALID)]), "old secret after")
        # a broken secret file: the reload is refused, the running configuration stays
        n.write_secret("secret", "short")
        old = n.worker_pids()
        p = subprocess.run(n.args("-s", "reload"), capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)  # nginx -s reads the configuration first
        self.assertIn("approov_secret_file", p.stderr)
        os.kill(n.proc.p.pid, signal.SIGHUP)  # what a bare SIGHUP to the master does
        deadline = time.time() + 10
        while "approov_secret_file" not in n.error_log():
            self.assertLess(time.time(), deadline, "reload error not logged")
            time.sleep(0.05)
        self.assertEqual(n.worker_pids(), old)
        self.assertEqual(n.get("/", [("Approov-Token", other)])[0], 200)
        assert_denied(self, n.get("/", [("Approov-Token", VALID)]), "still the rotated secret")

    def test_two_workers_share_the_configuration(self):
        upstream = harness.start_upstream(self)
        n = Nginx(self, simple_http(extra_server="add_header X-Worker $pid always;"),
                  workers=2, upstream=upstream)
        seen_ok, seen_denied = set(), set()
        deadline = time.time() + 20
        while (len(seen_ok) < 2 or len(seen_denied) < 2) and time.time() < deadline:
            status, hdrs, _ = n.get("/", [("Approov-Token", VALID)])
            self.assertEqual(status, 200)
            seen_ok.update(header(hdrs, "X-Worker"))
            status, hdrs, body = n.get("/", [("Approov-Token", BAD_SIG)])
            self.assertEqual((status, body), (401, b"{}"))
            seen_denied.update(header(hdrs, "X-Worker"))
            # keep-alive connections stick to one worker; new connections spread
        self.assertEqual(len(seen_ok), 2, "valid tokens answered by both workers")
        self.assertEqual(len(seen_denied), 2, "denials answered by both workers")


class Keysets(unittest.TestCase):
    """approov_jwks_file (alone or beside approov_secret_file), approov_audience and
    approov_issuer: asymmetric tokens minted by `approov-token gen --key`, nginx -t refusals
    naming the directive, and a rotated JWKS picked up by `nginx -s reload`."""

    @classmethod
    def setUpClass(cls):
        if not harness.CLI or not os.path.exists(harness.CLI):
            raise unittest.SkipTest("APPROOV_TOKEN_CLI not set: no approov-token to mint with")
        cls.dir = tempfile.mkdtemp(prefix="approov-nginx-keys-")
        cls.priv = {}
        for kid, args in (("ec-1", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                          ("rsa-1", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
                          ("ec-2", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])):
            path = os.path.join(cls.dir, kid + ".pem")
            subprocess.run(["openssl", "genpkey", *args, "-out", path], check=True,
                           capture_output=True)
            cls.priv[kid] = path
        cls.jwk = {kid: json.loads(cls.cli("jwks", "--key", path, "--kid", kid))["keys"][0]
                   for kid, path in cls.priv.items()}
        pub = os.path.join(cls.dir, "rsa.pub.pem")
        subprocess.run(["openssl", "pkey", "-in", cls.priv["rsa-1"], "-pubout", "-out", pub],
                       check=True, capture_output=True)
        with open(pub, "rb") as f:
            cls.rsa_public_pem = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @staticmethod
    def cli(*args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
        out = subprocess.run([harness.CLI, *args], capture_output=True, text=True, env=env)
        assert out.returncode == 0, (args, out.stderr)
        return out.stdout.strip()

    def jwks(self, *kids):
        return json.dumps({"keys": [self.jwk[k] for k in kids]})

    def token(self, kid, *claims, key=None):
        args = ["gen", "--key", key or self.priv[kid], "--kid", kid, "--ttl", "3600"]
        for c in claims:
            args += ["--claim", c]
        return self.cli(*args)

    def hs256_with_public_key(self):
        h = harness._b64url(json.dumps({"alg": "HS256", "kid": "rsa-1"}).encode())
        p = harness._b64url(json.dumps({"exp": FAR}).encode())
        sig = hmac.new(self.rsa_public_pem, ("%s.%s" % (h, p)).encode(), hashlib.sha256)
        return "%s.%s.%s" % (h, p, harness._b64url(sig.digest()))

    def keyset_http(self, directives, extra_server=""):
        return """
    approov_log_level warn;
%s
    server {
        listen @LISTEN@;
        approov on;
%s
        location / { proxy_pass http://@UPSTREAM@; }
    }
""" % (directives, extra_server)

    def nginx(self, directives, files, **kw):
        upstream = harness.start_upstream(self)
        return Nginx(self, self.keyset_http(directives, kw.pop("extra_server", "")),
                     secrets=files, upstream=upstream, **kw)

    def test_keyset_alone_with_audience_and_issuer(self):
        n = self.nginx("""
    approov_jwks_file @PREFIX@/keys.jwks;
    approov_audience api.example.com;
    approov_issuer acme.approov.io;
""", {"keys.jwks": self.jwks("ec-1", "rsa-1")})
        good = ("aud=api.example.com", "iss=acme.approov.io")
        for kid in ("ec-1", "rsa-1"):
            self.assertEqual(n.get("/", [("Approov-Token", self.token(kid, *good))])[0], 200, kid)
        self.assertEqual(n.get("/", [("Approov-Token", self.token(
            "ec-1", 'aud=["x", "api.example.com"]', "iss=acme.approov.io"))])[0], 200,
            "aud array")
        cases = [
            ("unknown kid", self.token("ec-2", *good), "unknown_kid"),
            ("known kid, other key", self.token("ec-1", *good, key=self.priv["ec-2"]),
             "bad_signature"),
            ("wrong aud", self.token("ec-1", "aud=other.example.com", "iss=acme.approov.io"),
             "bad_audience"),
            ("no aud", self.token("rsa-1", "iss=acme.approov.io"), "bad_audience"),
            ("wrong iss", self.token("rsa-1", "aud=api.example.com", "iss=x.approov.io"),
             "bad_issuer"),
            ("HS256 keyed with the RSA public key", self.hs256_with_public_key(),
             "bad_algorithm"),
            ("HS256 token, no secret configured", VALID, "unknown_kid"),
        ]
        for what, token, reason in cases:
            before = len(n.error_log())
            assert_denied(self, n.get("/", [("Approov-Token", token)]), what)
            harness.wait_until(lambda: "reason=%s " % reason in n.error_log()[before:],
                               "log line for " + what)
        self.assertNotIn(self.jwk["ec-1"]["x"], n.error_log())

    def test_secret_and_keyset_together(self):
        n = self.nginx("""
    approov_secret_file @PREFIX@/secret;
    approov_jwks_file @PREFIX@/keys.jwks;
""", {"secret": SECRET_B64, "keys.jwks": self.jwks("ec-1", "rsa-1"),
      "other.jwks": self.jwks("ec-2")},
            extra_server="location /only-secret { approov_jwks_file @PREFIX@/other.jwks; "
                         "proxy_pass http://@UPSTREAM@; }")
        self.assertEqual(n.get("/", [("Approov-Token", VALID)])[0], 200, "default HS256 token")
        for kid in ("ec-1", "rsa-1"):
            self.assertEqual(n.get("/", [("Approov-Token", self.token(kid))])[0], 200, kid)
        assert_denied(self, n.get("/", [("Approov-Token", WRONG_KEY)]), "other secret")
        assert_denied(self, n.get("/", [("Approov-Token", self.token("ec-2"))]), "unknown kid")
        # A location with its own keyset (the secret is inherited).
        self.assertEqual(n.get("/only-secret", [("Approov-Token", self.token("ec-2"))])[0], 200)
        self.assertEqual(n.get("/only-secret", [("Approov-Token", VALID)])[0], 200)
        assert_denied(self, n.get("/only-secret", [("Approov-Token", self.token("ec-1"))]),
                      "the enclosing keyset is replaced, not added to")

    def check(self, directives, files, ok=True, names=(), what=""):
        n = Nginx(self, self.keyset_http(directives), secrets=files, upstream=free_port(),
                  start=False)
        code, out = n.test_config()
        if ok:
            self.assertEqual(code, 0, (what, out))
        else:
            self.assertNotEqual(code, 0, (what, out))
            self.assertIn("[emerg]", out, what)
            for name in names:
                self.assertIn(name, out, (what, out))
            self.assertRegex(out, r"nginx\.conf:\d+", what)
        for jwk in self.jwk.values():
            self.assertNotIn(jwk.get("x", jwk.get("n"))[:24], out, "key material printed")
        return out

    def test_nginx_t(self):
        jwks = self.jwks("ec-1", "rsa-1")
        self.check("approov_jwks_file @PREFIX@/k.jwks;", {"k.jwks": jwks}, what="keyset alone")
        self.check("approov_jwks_file @PREFIX@/k.jwks; approov_secret_file @PREFIX@/s;",
                   {"k.jwks": jwks, "s": SECRET_B64}, what="both")
        dup = json.dumps({"keys": [self.jwk["ec-1"], dict(self.jwk["ec-2"], kid="ec-1")]})
        d = harness._b64url(b"\x01" * 32)
        private = json.dumps({"keys": [dict(self.jwk["ec-1"], d=d)]})
        small = json.dumps({"keys": [dict(self.jwk["ec-1"], alg="ES384")]})
        cases = [
            ({"other": jwks}, ("approov_jwks_file", "cannot open"), "missing file"),
            ({"k.jwks": ""}, ("approov_jwks_file", "is empty"), "empty file"),
            ({"k.jwks": '{"keys": ['}, ("approov_jwks_file", "k.jwks"), "malformed JSON"),
            ({"k.jwks": '{"keys": []}'}, ("approov_jwks_file", "empty"), "no keys"),
            ({"k.jwks": dup}, ("approov_jwks_file", '"ec-1"'), "duplicate kids"),
            ({"k.jwks": private}, ("approov_jwks_file", "private"), "a private member"),
            ({"k.jwks": small}, ("approov_jwks_file", "ES384"), "alg does not fit the key"),
            ({"k.jwks": "{" + " " * (1024 * 1024) + "}"},
             ("approov_jwks_file", "not a JWKS file"), "over 1 MiB"),
        ]
        for files, names, what in cases:
            out = self.check("approov_jwks_file @PREFIX@/k.jwks;", files, ok=False, names=names,
                             what=what)
            self.assertNotIn(d, out)
        self.check("approov_jwks_file @PREFIX@/k.jwks; approov_jwks_file @PREFIX@/k.jwks;",
                   {"k.jwks": jwks}, ok=False, names=("approov_jwks_file", "duplicate"),
                   what="two JWKS files")
        self.check("approov_jwks_file @PREFIX@;", {"k.jwks": jwks}, ok=False,
                   names=("approov_jwks_file", "not a JWKS file"), what="a directory")
        self.check("approov_audience '';", {}, ok=False,
                   names=("approov_audience", "must not be empty"), what="empty audience")
        self.check("approov_jwks_file @PREFIX@/k.jwks; approov_issuer a; approov_issuer b;",
                   {"k.jwks": jwks}, ok=False, names=("approov_issuer", "duplicate"),
                   what="two issuers")
        self.check("approov_audience api.example.com;", {}, ok=False,
                   names=("approov_secret_file", "approov_jwks_file", "approov on"),
                   what="neither secret nor keyset")

    def test_reload_with_a_rotated_keyset(self):
        n = self.nginx("approov_jwks_file @PREFIX@/keys.jwks;",
                       {"keys.jwks": self.jwks("ec-1")}, workers=2)
        t1, t2 = self.token("ec-1"), self.token("ec-2")
        self.assertEqual(n.get("/", [("Approov-Token", t1)])[0], 200)
        assert_denied(self, n.get("/", [("Approov-Token", t2)]), "ec-2 before the rotation")
        n.write_secret("keys.jwks", self.jwks("ec-2", "rsa-1"))
        self.assertEqual(n.get("/", [("Approov-Token", t1)])[0], 200, "unchanged until reload")
        n.reload()
        for _ in range(10):  # every worker, on new connections
            self.assertEqual(n.get("/", [("Approov-Token", t2)])[0], 200)
            self.assertEqual(n.get("/", [("Approov-Token", self.token("rsa-1"))])[0], 200)
            assert_denied(self, n.get("/", [("Approov-Token", t1)]), "ec-1 after the rotation")
        # A broken JWKS: the reload is refused, the running keyset stays.
        dup = json.dumps({"keys": [self.jwk["ec-1"], dict(self.jwk["ec-2"], kid="ec-1")]})
        n.write_secret("keys.jwks", dup)
        old = n.worker_pids()
        p = subprocess.run(n.args("-s", "reload"), capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("approov_jwks_file", p.stderr)
        self.assertEqual(n.worker_pids(), old)
        self.assertEqual(n.get("/", [("Approov-Token", t2)])[0], 200)
        assert_denied(self, n.get("/", [("Approov-Token", t1)]), "still the rotated keyset")


class Http2(unittest.TestCase):
    """The same check over HTTP/2 (cleartext, prior knowledge), with curl."""

    def curl(self, port, path, headers):
        args = ["curl", "-s", "--http2-prior-knowledge", "-o", "-", "-w", "\n%{http_code} %{http_version} %{content_type}"]
        for name, value in headers:
            args += ["-H", "%s: %s" % (name, value)]
        out = subprocess.run(args + ["http://127.0.0.1:%d%s" % (port, path)], capture_output=True,
                             timeout=30).stdout.decode()
        body, _, status = out.rpartition("\n")
        return status.split(" ") + [body]

    def test_http2(self):
        if not shutil.which("curl"):
            self.skipTest("curl not installed")
        upstream = harness.start_upstream(self)
        n = Nginx(self, simple_http(extra_http="""
    proxy_set_header Approov-Claim-Did $approov_claim_did;
""", extra_server="""
        location /pay { approov_token_binding Authorization; proxy_pass http://@UPSTREAM@; }
""").replace("listen @LISTEN@;", "listen @LISTEN@ http2;"), upstream=upstream)
        code, version, ctype, body = self.curl(n.port, "/", [("Approov-Token", VALID)])
        self.assertEqual((code, version), ("200", "2"), body)
        self.assertEqual(json.loads(body)["headers"].get("approov-claim-did"), ["device-123"])
        for headers in ([], [("Approov-Token", EXPIRED)], [("Approov-Token", BAD_SIG)],
                        [("Approov-Token", VALID), ("Approov-Token", VALID)]):
            self.assertEqual(self.curl(n.port, "/", headers), ["401", "2", "application/json", "{}"],
                             headers[:1])
        self.assertEqual(self.curl(n.port, "/pay", [("Approov-Token", BOUND),
                                                    ("Authorization", AUTH)])[0], "200")
        self.assertEqual(self.curl(n.port, "/pay", [("Approov-Token", BOUND)])[:1], ["401"])


class Soak(unittest.TestCase):
    """Mixed valid and invalid requests from several clients while nginx reloads: every
    answer right, none a 5xx."""

    DURATION = float(os.environ.get("APPROOV_SOAK_SECONDS", "8"))

    def test_mixed_requests_with_reloads(self):
        upstream = harness.start_upstream(self)
        n = Nginx(self, simple_http(content="root @PREFIX@/www;", extra_server="""
        location /pay { approov_token_binding Authorization; root @PREFIX@/www; }
"""), workers=2, upstream=upstream, start=False)
        os.makedirs(os.path.join(n.prefix, "www", "pay"))
        for p in ("ok", "pay/ok"):
            with open(os.path.join(n.prefix, "www", p), "w") as f:
                f.write("hello")
        n.start()
        cases = [("/ok", [("Approov-Token", VALID)], 200),
                 ("/ok", [("Approov-Token", BAD_SIG)], 401),
                 ("/ok", [("Approov-Token", EXPIRED)], 401),
                 ("/ok", [], 401),
                 ("/ok", [("Approov-Token", VALID), ("Approov-Token", VALID)], 401),
                 ("/pay/ok", [("Approov-Token", BOUND), ("Authorization", AUTH)], 200),
                 ("/pay/ok", [("Approov-Token", BOUND), ("Authorization", AUTH + "x")], 401),
                 ("/ok", [("Approov-Token", WRONG_KEY)], 401)]
        stop = time.time() + self.DURATION
        counts = {"ok": 0, "wrong": [], "retried": 0}
        lock = threading.Lock()

        def client(seed):
            i = seed
            conn = None
            while time.time() < stop:
                path, hdrs, want = cases[i % len(cases)]
                i += 1
                for attempt in range(3):
                    try:
                        if conn is None:
                            conn = http.client.HTTPConnection("127.0.0.1", n.port, timeout=10)
                        status, _, body = request(n.port, path, hdrs, conn=conn)
                        break
                    except (ConnectionError, http.client.RemoteDisconnected,
                            http.client.BadStatusLine, BrokenPipeError):
                        # a keep-alive connection closed by a worker that a reload retired
                        conn.close()
                        conn = None
                        with lock:
                            counts["retried"] += 1
                else:
                    with lock:
                        counts["wrong"].append((path, "no answer"))
                    continue
                if status == 401:  # denials close the connection
                    conn.close()
                    conn = None
                good = status == want and (want != 401 or body == b"{}")
                with lock:
                    if good:
                        counts["ok"] += 1
                    else:
                        counts["wrong"].append((path, status, body[:100]))
            if conn is not None:
                conn.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        reloads = 0
        while time.time() < stop - 0.5:
            n.reload()
            reloads += 1
            time.sleep(0.3)
        for t in threads:
            t.join()
        self.assertEqual(counts["wrong"], [], counts["wrong"][:5])
        self.assertGreater(counts["ok"], 200)
        self.assertGreaterEqual(reloads, 3)
        self.assertNotIn("[alert]", n.error_log())
        self.assertNotIn("[crit]", n.error_log())
        print("soak: %d right answers, %d reloads, %d retried on closed keep-alive connections"
              % (counts["ok"], reloads, counts["retried"]), file=sys.stderr)


# ---------------------------------------------------------------------------------------------
class Asan(unittest.TestCase):
    """The module and libapproov built with AddressSanitizer (and UBSan), in Debian's nginx,
    which is not: the ASan runtime is preloaded into nginx (LD_PRELOAD), since a sanitized
    shared object needs it loaded first. Leak checking is off: nginx frees its configuration
    pools only partly at exit (not ours to report); the module's own life cycle is covered by
    the reloads below, which destroy every old configuration's checks."""

    def test_token_cases_reload_and_signatures_under_asan(self):
        if not MODULE_ASAN or not LIBASAN:
            self.skipTest("no ASan build of the module (APPROOV_NGINX_MODULE_ASAN/APPROOV_LIBASAN)")
        reports = harness.tmpdir(self, "approov-ngx-asan-")
        log_path = os.path.join(reports, "report")  # ASan writes report.<pid> per process
        env = dict(os.environ, LD_PRELOAD=LIBASAN,
                   ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=" + log_path,
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=" + log_path)
        upstream = harness.start_upstream(self)
        # A keyset location (approov_jwks_file, approov_audience) when the CLI can mint for it.
        files = {"secret": SECRET_B64, "account": ACCOUNT_SECRET}
        keyset_location, keyset_tokens = "", None
        if harness.CLI and os.path.exists(harness.CLI):
            key = os.path.join(harness.tmpdir(self, "approov-ngx-asan-key-"), "ec.pem")
            subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-out", key], check=True,
                           capture_output=True)
            files["keys.jwks"] = Keysets.cli("jwks", "--key", key, "--kid", "ec-1")
            keyset_location = ("location /keyset { approov_jwks_file @PREFIX@/keys.jwks; "
                               "approov_audience api.example.com; proxy_pass http://@UPSTREAM@; }")
            keyset_tokens = [Keysets.cli("gen", "--key", key, "--kid", "ec-1", "--claim", claim)
                             for claim in ("aud=api.example.com", "aud=other")]
        n = Nginx(self, simple_http(extra_http="""
    approov_account_signing_secret_file @PREFIX@/account;
    proxy_set_header Approov-Claim-Did $approov_claim_did;
    proxy_set_header Approov-Claim-Exp $approov_claim_exp;
    proxy_set_header X-Reason $approov_reason;
""", extra_server="""
        location /pay { approov_token_binding Authorization; proxy_pass http://@UPSTREAM@; }
        location /signed { approov_message_signing on; proxy_pass http://@UPSTREAM@; }
        location /report { approov_report_only on; proxy_pass http://@UPSTREAM@; }
        %s
""" % keyset_location), workers=2, module=MODULE_ASAN, env=env, upstream=upstream,
                  secrets=files)
        base = "http://127.0.0.1:%d" % n.port
        signed = mint({"exp": FAR, "mskid": "k", "did": "d"})
        for round_ in range(3):
            status, _, body = n.get("/", [("Approov-Token", VALID)])
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["headers"]["approov-claim-did"], ["device-123"])
            for token in (BAD_SIG, EXPIRED, WRONG_KEY, "garbage", "a" * 9000, "\x01x", "",
                          harness.MAX_TOKEN + "A", "a.b.c", "..", VALID + "," + VALID):
                assert_denied(self, n.get("/", [("Approov-Token", token)]), repr(token[:10]))
            self.assertEqual(n.get("/", [("Approov-Token", harness.MAX_TOKEN)])[0], 200)
            self.assertEqual(n.get("/pay", [("Approov-Token", BOUND),
                                            ("Authorization", AUTH)])[0], 200)
            assert_denied(self, n.get("/pay", [("Approov-Token", BOUND)]), "binding")
            if keyset_tokens:
                self.assertEqual(n.get("/keyset", [("Approov-Token", keyset_tokens[0])])[0], 200)
                assert_denied(self, n.get("/keyset", [("Approov-Token", keyset_tokens[1])]),
                              "keyset token, wrong aud")
                assert_denied(self, n.get("/keyset", [("Approov-Token", VALID)]),
                              "HS256 token on the keyset location")
            sig = sign_account("GET", base + "/signed", signed, ACCOUNT_SECRET)
            self.assertEqual(n.get("/signed", [("Approov-Token", signed)] + sig)[0], 200)
            assert_denied(self, n.get("/signed/x", [("Approov-Token", signed)] + sig), "tampered")
            assert_denied(self, n.get("/signed", [("Approov-Token", signed),
                                                  ("Signature-Input", "account=(\"@method\""),
                                                  ("Signature", "account=:AAAA:")]), "broken")
            self.assertEqual(n.get("/report", [("Approov-Token", EXPIRED)])[0], 200)
            n.reload()
        n.proc.stop()
        self.assertEqual(n.proc.p.returncode, 0)
        texts = []
        for f in os.listdir(reports):
            with open(os.path.join(reports, f), errors="replace") as fh:
                texts.append(fh.read())
        self.assertEqual(texts, [], "sanitizer reports")
        self.assertNotIn("signal 6", n.error_log())  # a worker aborted by a sanitizer
        self.assertNotIn("exited on signal", n.error_log())


def main():
    if not NGINX:
        print("nginx not installed: skipped")
        sys.exit(77)
    if not MODULE or not os.path.exists(MODULE):
        print("APPROOV_NGINX_MODULE not set or missing: skipped")
        sys.exit(77)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
