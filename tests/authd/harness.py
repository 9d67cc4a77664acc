"""Shared helpers for the approov-authd tests: free loopback ports, processes that are always
stopped, the sidecar with its printed ports, tokens from the shared test set, and a tiny HTTP
client (http.client, one request per connection unless a connection is given)."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
AUTHD = os.environ.get("APPROOV_AUTHD", "approov-authd")
CLI = os.environ.get("APPROOV_TOKEN_CLI", "")

# The public test secret and tokens (see tests/data or bench/peers/tokens.py).
SECRET_B64 = "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
OTHER_SECRET_B64 = "1b4tFgQdJ1ulhQgV6PofjvK1oDY5ZY/kLYtJjfetGESZjyF727THtid91giD1mDOyp7H+DKGkn0F0/lnqLim/g=="


def _b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(claims, secret_b64=SECRET_B64, header=None):
    """An HS256 token (the tests' own minting, independent of the library under test)."""
    import base64, hashlib, hmac, json
    key = base64.b64decode(secret_b64)
    head = _b64url(json.dumps(header or {"typ": "JWT", "alg": "HS256"},
                              separators=(",", ":")).encode())
    body = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key, (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + _b64url(sig)


def pay_for(value):
    import base64, hashlib
    return base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()


FAR = 4708683205
VALID = mint({"exp": FAR, "did": "device-123", "ip": "203.0.113.7", "arc": "RVRT8L6RVG"})
VALID_BARE = mint({"exp": FAR})
EXPIRED = mint({"exp": 1000})
BAD_SIG = VALID[:-4] + ("AAAA" if not VALID.endswith("AAAA") else "BBBB")
WRONG_KEY = mint({"exp": FAR}, OTHER_SECRET_B64)
AUTH = "Bearer abc.def.ghi"
BOUND = mint({"exp": FAR, "pay": pay_for(AUTH), "did": "bound-device"})


def tmpdir(testcase, prefix):
    """A temporary directory removed when the test ends."""
    d = tempfile.mkdtemp(prefix=prefix)
    testcase.addCleanup(shutil.rmtree, d, True)
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d did not open" % port)


def wait_until(condition, what, timeout=10.0):
    """Polls `condition()` until it is true; fails the test with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %g s waiting for %s" % (timeout, what))
        time.sleep(0.02)


def reload_and_wait(authd):
    """SIGHUP, then waits until the sidecar has finished that reload (applied or rejected),
    as its reload counters say."""
    def reloads():
        m = authd.metrics()
        return (m.get('approov_authd_config_reloads_total{result="ok"}', 0) +
                m.get('approov_authd_config_reloads_total{result="rejected"}', 0))
    before = reloads()
    os.kill(authd.pid, signal.SIGHUP)
    wait_until(lambda: reloads() > before, "the SIGHUP reload")


class Proc:
    """A child process that is always stopped (SIGTERM, then SIGKILL) at cleanup."""

    def __init__(self, testcase, args, env=None, stdout=subprocess.PIPE, cwd=None):
        self.log = tempfile.NamedTemporaryFile(prefix="authd-test-", suffix=".log", delete=False)
        testcase.addCleanup(os.unlink, self.log.name)  # runs after stop (cleanups are LIFO)
        self.p = subprocess.Popen(args, stdout=stdout, stderr=self.log, env=env, cwd=cwd,
                                  text=True)
        testcase.addCleanup(self.stop)

    def stderr_text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        if self.p.stdout:
            self.p.stdout.close()
        return self.p.returncode


def authd_env(extra=None, secret=SECRET_B64):
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    if secret is not None:
        env["APPROOV_BASE64_SECRET"] = secret
    env.update(extra or {})
    return env


class Authd:
    """approov-authd on ephemeral loopback ports (check and admin)."""

    def __init__(self, testcase, args, env=None, cwd=None):
        self.cwd = cwd or tempfile.mkdtemp(prefix="authd-cwd-")  # no stray .env from above
        testcase.addCleanup(shutil.rmtree, self.cwd, True)
        self.proc = Proc(testcase, [AUTHD, "--listen", "127.0.0.1:0", "--admin-listen",
                                    "127.0.0.1:0"] + args, env=env or authd_env(), cwd=self.cwd)
        self.port = self.admin = None
        while self.admin is None:
            line = self.proc.p.stdout.readline()
            if not line:
                raise RuntimeError("approov-authd did not start: " + self.proc.stderr_text())
            if "admin on" in line:
                self.admin = int(line.rsplit(":", 1)[1])
            elif "listening on unix:" in line:
                continue
            elif "listening on" in line and self.port is None:
                self.port = int(line.rsplit(":", 1)[1])

    @property
    def pid(self):
        return self.proc.p.pid

    def metrics(self):
        status, _, body = request(self.admin, "/metrics")
        assert status == 200
        out = {}
        for line in body.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out


def request(port, path="/", headers=None, method="GET", conn=None, body=None):
    """-> (status, headers as list of (name, value), body bytes)."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers.items() if isinstance(headers, dict) else headers or []):
            c.putheader(name, value)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        if own:
            c.close()


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return values


def which(name):
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/bin/" + name) if os.path.exists(p)), None)


def main():
    unittest.main(verbosity=2)


ROUTES_CONF = """# policy used by the proxy tests
route / protected
route /public unprotected
route /pay binding Authorization
route /beta report-only
"""


def start_upstream(testcase):
    proc = Proc(testcase, ["python3", os.path.join(HERE, "echo_upstream.py")])
    port = int(proc.p.stdout.readline())
    return port


def start_authd_with_routes(testcase, extra=None):
    d = tempfile.mkdtemp(prefix="authd-proxy-")
    testcase.addCleanup(shutil.rmtree, d, True)
    conf = os.path.join(d, "authd.conf")
    with open(conf, "w") as f:
        f.write(ROUTES_CONF)
    return Authd(testcase, ["--config", conf, "--cors-preflight", "on"] + (extra or []))


# How each proxy's configuration in deploy/ reads an environment variable: nginx's template
# is filled by envsubst (${NAME}), Caddy reads {$NAME} and HAProxy "${NAME}" itself.
CONFIG_VARIABLE = {"envsubst": re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}"),
                   "caddy": re.compile(r"\{\$([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}"),
                   "haproxy": re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")}


def config_variables(path, syntax):
    """The environment variables a deploy/ file reads (outside its comments), in order."""
    with open(os.path.join(SOURCE, path)) as f:
        code = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("#"))
    return list(dict.fromkeys(CONFIG_VARIABLE[syntax].findall(code)))


def config_env(path, syntax, values, base=None):
    """The environment a user sets before starting the proxy on `path`: `base` (default this
    process's) plus `values`, which must fill every variable the file reads, and only those."""
    used = config_variables(path, syntax)
    assert sorted(used) == sorted(values), "%s reads %s, the test sets %s" % (
        path, used, sorted(values))
    env = dict(os.environ if base is None else base)
    env.update({k: str(v) for k, v in values.items()})
    return env


def envsubst(template, dest, values):
    """deploy/nginx's template filled as docs/gateways/nginx.md says: envsubst with the
    template's variable names, so that nginx's own $variables are left alone."""
    names = " ".join("${%s}" % n for n in config_variables(template, "envsubst"))
    env = config_env(template, "envsubst", values)
    with open(os.path.join(SOURCE, template)) as src, open(dest, "w") as out:
        subprocess.run(["envsubst", names], stdin=src, stdout=out, env=env, check=True,
                       timeout=20)
    with open(dest) as f:
        left = CONFIG_VARIABLE["envsubst"].findall(f.read())
    assert not left, "unsubstituted variables %s in %s" % (left, dest)
    return dest


def upstream_view(body):
    import json
    return json.loads(body)


# Large claims: a 5.4 KB token whose `did` is 4,000 characters, and the largest token the
# verifier accepts (8192 bytes) with its payload spread over every claim the sidecar copies
# into a header (about 6 KiB of claim headers from a sidecar that does not cap them).
BIG_DID = "D" * 4000
BIG = mint({"exp": FAR, "did": BIG_DID, "ip": "203.0.113.7"})


def _largest_claims_token():
    others = {"ip": "I" * 800, "arc": "A" * 800, "ipk": "K" * 800, "mskid": "M" * 800}
    lo, hi = 0, 8192
    while lo < hi:  # the longest `did` that keeps the token within 8192 bytes
        mid = (lo + hi + 1) // 2
        if len(mint(dict(others, exp=FAR, did="L" * mid))) <= 8192:
            lo = mid
        else:
            hi = mid - 1
    claims = dict(others, exp=FAR, did="L" * lo)
    return mint(claims), claims


MAX_TOKEN, MAX_CLAIMS = _largest_claims_token()

# Client-sent claim headers under names the sidecar never sends, in case variants, and in the
# underscore spelling that CGI/WSGI/PHP upstreams read as the same variable (HTTP_APPROOV_...).
FORGED_CLAIMS = [("Approov-Claim-Sub", "FORGED-sub"), ("Approov-Claim-Foo", "FORGED-foo"),
                 ("approov-claim-did", "FORGED-did"), ("APPROOV-CLAIM-IP", "FORGED-ip"),
                 ("aPPROOV-cLAIM-Mskid", "FORGED-mskid"), ("Approov-Claim-", "FORGED-bare"),
                 ("Approov_Claim_Did", "FORGED-underscore")]


def raw_request(path, headers, method=b"GET"):
    """Request bytes exactly as given (values may hold any byte, including NUL)."""
    out = [method + b" " + path.encode() + b" HTTP/1.1", b"Host: 127.0.0.1"]
    for name, value in headers:
        name = name.encode() if isinstance(name, str) else name
        value = value.encode() if isinstance(value, str) else value
        out.append(name + b": " + value)
    return b"\r\n".join(out) + b"\r\n\r\n"


def raw_exchange(port, data, timeout=10):
    """One request on a new connection, read with a raw socket so nothing is normalized.
    -> (status line, [(name, value)] as sent and in order, body), all bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:  # the proxy may answer and close before reading a huge request
            pass
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise AssertionError("connection closed before a response: %r" % buf[:200])
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        hdrs = [tuple(part.strip() for part in line.split(b":", 1)) for line in lines[1:]]
        lengths = [v for k, v in hdrs if k.lower() == b"content-length"]
        if lengths:
            while len(body) < int(lengths[0]):
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
        else:
            while True:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                body += chunk
        return lines[0], hdrs, body


class ProxyChecks:
    """The same assertions for every proxy: mixed into each proxy's TestCase, which sets
    self.port (the proxy) and self.authd."""

    # Failure cases (names from failure_cases) that the proxy's own HTTP layer refuses before
    # the recipe's configuration can shape the answer, with the status it answers; each proxy
    # states its own, and says why.
    HTTP_LAYER_REFUSES = {}

    def get(self, path, headers):
        return request(self.port, path, headers)

    def assert_denied(self, path, headers, what):
        status, hdrs, body = self.get(path, headers)
        self.assertEqual((status, body), (401, b"{}"), what)
        ctype = header(hdrs, "Content-Type")
        self.assertEqual([c.split(";")[0] for c in ctype], ["application/json"], what)

    def test_valid_token_reaches_upstream_with_claims(self):
        status, _, body = self.get("/api/items?x=1", [("Approov-Token", VALID)])
        self.assertEqual(status, 200, body)
        seen = upstream_view(body)
        self.assertEqual(seen["path"], "/api/items?x=1")
        self.assertEqual(seen["headers"].get("approov-claim-did"), ["device-123"])
        self.assertEqual(seen["headers"].get("approov-claim-ip"), ["203.0.113.7"])
        self.assertEqual(seen["headers"].get("approov-claim-exp"), ["4708683205"])

    def test_client_sent_claims_never_reach_upstream(self):
        forged = [("Approov-Claim-Did", "forged"), ("Approov-Claim-Mskid", "forged"),
                  ("Approov-Claim-Ip", "forged")]
        for path, token in (("/api", VALID), ("/api", VALID_BARE), ("/public/x", None)):
            hdrs = forged + ([("Approov-Token", token)] if token else [])
            status, _, body = self.get(path, hdrs)
            self.assertEqual(status, 200, (path, body))
            seen = upstream_view(body)["headers"]
            for name in ("approov-claim-did", "approov-claim-mskid", "approov-claim-ip"):
                self.assertNotIn("forged", seen.get(name, []), (path, name, seen))
        seen = upstream_view(self.get("/api", forged + [("Approov-Token", VALID)])[2])["headers"]
        self.assertEqual(seen.get("approov-claim-did"), ["device-123"])

    def test_denials_get_401_json_from_the_proxy(self):
        self.assert_denied("/api", [], "missing")
        self.assert_denied("/api", [("Approov-Token", BAD_SIG)], "bad signature")
        self.assert_denied("/api", [("Approov-Token", EXPIRED)], "expired")
        self.assert_denied("/api", [("Approov-Token", "garbage")], "malformed")
        self.assert_denied("/api", [("Approov-Token", VALID), ("Approov-Token", VALID)],
                           "duplicated")
        self.assert_denied("/pay", [("Approov-Token", BOUND), ("Authorization", AUTH + "x")],
                           "binding mismatch")
        self.assert_denied("/pay", [("Approov-Token", BOUND)], "binding header missing")
        self.assert_denied("/pay", [("Approov-Token", VALID), ("Authorization", AUTH)],
                           "no pay claim")
        self.assert_denied("/public/../api", [], "dot segment")

    def test_client_cannot_choose_the_route_or_method(self):
        spoof = [("X-Original-URI", "/public/x"), ("X-Forwarded-Uri", "/public/x"),
                 ("X-Original-Method", "OPTIONS"), ("X-Forwarded-Method", "OPTIONS"),
                 ("Access-Control-Request-Method", "GET")]
        self.assert_denied("/api/secret", spoof, "spoofed original URI / method")
        self.assert_denied("/api/secret", spoof + [("Approov-Token", BAD_SIG)], "spoofed + bad")

    def test_binding_and_unprotected_routes(self):
        status, _, body = self.get("/pay/1", [("Approov-Token", BOUND), ("Authorization", AUTH)])
        self.assertEqual(status, 200, body)
        self.assertEqual(upstream_view(body)["headers"].get("approov-claim-did"), ["bound-device"])
        self.assertEqual(self.get("/public/page", [])[0], 200)

    def test_sidecar_counted_the_checks(self):
        self.get("/api", [("Approov-Token", VALID)])
        self.get("/api", [("Approov-Token", BAD_SIG)])
        m = self.authd.metrics()
        self.assertGreaterEqual(m['approov_authd_requests_total{decision="allow",reason="ok"}'], 1)
        self.assertGreaterEqual(
            m['approov_authd_requests_total{decision="deny",reason="bad_signature"}'], 1)

    def upstream_headers(self, path, headers):
        status, _, body = self.get(path, headers)
        self.assertEqual(status, 200, (path, body[:300]))
        return upstream_view(body)["headers"]

    def test_forged_claim_headers_of_any_name_never_reach_upstream(self):
        # Every Approov-Claim-* (any suffix, any case, or with underscores) that the client sent
        # is removed on protected, unprotected, binding and report-only routes; only what the
        # sidecar answered reaches the API.
        for path, extra in (("/api", [("Approov-Token", VALID)]),
                            ("/api/x", [("Approov-Token", VALID_BARE)]),
                            ("/public/x", []),
                            ("/pay/1", [("Approov-Token", BOUND), ("Authorization", AUTH)]),
                            ("/beta/x", []),
                            ("/beta/x", [("Approov-Token", BAD_SIG)]),
                            ("/beta/x", [("Approov-Token", VALID)])):
            seen = self.upstream_headers(path, FORGED_CLAIMS + extra)
            forged = {k: v for k, v in seen.items() if any("FORGED" in x for x in v)}
            self.assertEqual(forged, {}, (path, extra[:1]))
            for name in ("approov-claim-sub", "approov-claim-foo", "approov-claim-",
                         "approov_claim_did"):
                self.assertNotIn(name, seen, path)
        seen = self.upstream_headers("/api", FORGED_CLAIMS + [("Approov-Token", VALID)])
        self.assertEqual(seen.get("approov-claim-did"), ["device-123"])
        self.assertEqual(seen.get("approov-claim-ip"), ["203.0.113.7"])
        self.assertEqual(seen.get("approov-claim-arc"), ["RVRT8L6RVG"])
        self.assertEqual(seen.get("approov-claim-exp"), ["4708683205"])

    def assert_claim_passed_or_omitted(self, seen, name, value):
        # A sidecar may leave out a claim header it considers too large; what reaches the API
        # is then the full value or nothing, never a cut or stale one.
        got = seen.get(name, [])
        self.assertIn(got, ([value], [], [""]), (name, [len(v) for v in got]))

    def test_largest_allowed_token_claims_never_break_the_proxy(self):
        self.assertLessEqual(len(MAX_TOKEN), 8192)
        self.assertGreater(len(MAX_TOKEN), 8100)
        for token, claims in ((BIG, {"did": BIG_DID}), (MAX_TOKEN, MAX_CLAIMS)):
            for path in ("/api", "/beta/x"):
                seen = self.upstream_headers(path, [("Approov-Token", token)])
                for claim in ("did", "ip", "arc", "ipk", "mskid"):
                    if claim in claims:
                        self.assert_claim_passed_or_omitted(seen, "approov-claim-" + claim,
                                                            claims[claim])
        bound = mint(dict(MAX_CLAIMS, pay=pay_for(AUTH), ipk="k"))
        self.assertEqual(self.get("/pay", [("Approov-Token", bound), ("Authorization", AUTH)])[0],
                         200)
        big_bad = BIG[:-4] + ("AAAA" if not BIG.endswith("AAAA") else "BBBB")
        self.assert_denied("/api", [("Approov-Token", big_bad)], "large token, bad signature")
        self.assert_denied("/api", [("Approov-Token", mint(dict(MAX_CLAIMS, exp=1000)))],
                           "largest token, expired")
        self.assert_denied("/api", [("Approov-Token", MAX_TOKEN + "A")], "token over 8192 bytes")

    def test_largest_token_next_to_other_headers_never_gets_5xx(self):
        # The proxy adds up to ~6 KiB of claim headers to a request that may already hold an
        # 8 KiB token: with ~12 KiB of other headers every recipe must still let it through;
        # with more, the proxy may refuse the request (4xx) but never fail (5xx).
        for n in range(0, 41, 4):
            fill = [("X-Fill-%d" % i, "f" * 1000) for i in range(n)]
            status, _, body = self.get("/api", fill + [("Approov-Token", MAX_TOKEN)])
            if n <= 12:
                self.assertEqual(status, 200, (n, body[:200]))
            self.assertLess(status, 500, (n, body[:200]))

    def test_upstream_errors_pass_through_unchanged(self):
        # The recipe maps the proxy's own refusals to the failure response, never the API's
        # own answers: a 400/401/403 from the API reaches the client as the API wrote it.
        for code in (400, 401, 403):
            for path, hdrs in (("/api", [("Approov-Token", VALID)]), ("/public/x", [])):
                status, _, body = self.get(path, hdrs + [("X-Echo-Status", str(code))])
                self.assertEqual(status, code, (path, body[:200]))
                self.assertEqual(upstream_view(body)["path"], path)

    def failure_cases(self):
        """(name, raw request) for every failure reason this proxy chain can meet."""
        t = VALID.encode()
        fill = [("X-Fill-%d" % i, "f" * 1000) for i in range(70)]
        big_bad = BIG[:-4] + ("AAAA" if not BIG.endswith("AAAA") else "BBBB")
        return [
            ("missing", raw_request("/api", [])),
            ("duplicate", raw_request("/api", [("Approov-Token", t), ("Approov-Token", t)])),
            ("comma-joined", raw_request("/api", [("Approov-Token", t + b", " + t)])),
            ("empty", raw_request("/api", [("Approov-Token", "")])),
            ("malformed", raw_request("/api", [("Approov-Token", "garbage")])),
            ("bad signature", raw_request("/api", [("Approov-Token", BAD_SIG)])),
            ("wrong key", raw_request("/api", [("Approov-Token", WRONG_KEY)])),
            ("expired", raw_request("/api", [("Approov-Token", EXPIRED)])),
            ("large, bad signature", raw_request("/api", [("Approov-Token", big_bad)])),
            ("binding mismatch", raw_request("/pay", [("Approov-Token", BOUND),
                                                      ("Authorization", AUTH + "x")])),
            ("missing bound header", raw_request("/pay", [("Approov-Token", BOUND)])),
            ("duplicate bound header", raw_request("/pay", [("Approov-Token", BOUND),
                                                            ("Authorization", AUTH),
                                                            ("Authorization", AUTH)])),
            ("control byte", raw_request("/api", [("Approov-Token", t + b"\x01")])),
            ("DEL byte", raw_request("/api", [("Approov-Token", b"\x7f" + t)])),
            ("NUL byte", raw_request("/api", [("Approov-Token", t + b"\x00junk")])),
            ("obs-fold", raw_request("/api", [("Approov-Token", t + b"\r\n junk")])),
            ("oversize header block", raw_request("/api", fill + [("Approov-Token", t)])),
            ("oversize header line", raw_request("/api", [("X-Big", "f" * 70000),
                                                          ("Approov-Token", t)])),
            ("header block over 1 MiB", raw_request("/api", [("X-Fill-%d" % i, "f" * 8000)
                                                             for i in range(140)] +
                                                    [("Approov-Token", t)])),
            ("dot segment", raw_request("/public/../api", [])),
            # Requests the proxy cannot read at all: not token failures, but the proxy's own
            # refusals, which must not be told apart from one either (nor be a 5xx).
            ("bad request line", b"GARBAGE\r\n\r\n"),
            ("request line without URI", b"GET\r\n\r\n"),
            ("HTTP/2.0 request line", b"GET /api HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n"),
            ("unknown transfer-encoding", raw_request("/api", [("Transfer-Encoding", "gzip"),
                                                               ("Approov-Token", t)], b"POST")),
            ("two Host fields", raw_request("/api", [("Host", "example.com")])),
            ("spoofed route", raw_request("/api/x", [("X-Original-URI", "/public/x"),
                                                      ("X-Forwarded-Uri", "/public/x")])),
        ]

    def test_every_failure_answer_is_byte_for_byte_the_same(self):
        self.maxDiff = None
        # The whole answer, status line and every header in order (only Date normalized), so
        # that a header varying with the reason would tell an attacker which check failed.
        def norm(hdrs):
            return [(k, b"<date>" if k.lower() == b"date" else v) for k, v in hdrs]

        reference = None
        refused, differ = {}, {}
        for name, data in self.failure_cases():
            status, hdrs, body = raw_exchange(self.port, data)
            code = int(status.split()[1])
            if name in self.HTTP_LAYER_REFUSES:
                # Answered by the proxy's HTTP layer with its fixed answer: never let through.
                refused[name] = code
                continue
            self.assertLess(code, 500, (name, status, body[:200]))
            got = (status, norm(hdrs), body)
            if reference is None:
                reference = got
                self.assertEqual(code, 401, got)
                self.assertEqual(body, b"{}")
                self.assertEqual([v.split(b";")[0] for k, v in hdrs if k.lower() ==
                                  b"content-type"], [b"application/json"])
            elif got != reference:
                differ[name] = got
        # Every difference at once, so one run shows the whole picture.
        self.assertEqual(differ, {}, "reference (missing token): %r" % (reference,))
        self.assertEqual(refused, self.HTTP_LAYER_REFUSES)
