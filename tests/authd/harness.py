"""Shared helpers for the approov-authd tests: free loopback ports, processes that are always
stopped, the sidecar with its printed ports, tokens from the shared test set, and a tiny HTTP
client (http.client, one request per connection unless a connection is given)."""
import http.client
import os
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

# The public test secret and tokens (see tests/data or ../shared/peers/tokens.env).
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


def render(template, dest, values):
    with open(os.path.join(SOURCE, template)) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace("@%s@" % key, str(value))
    import re
    code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    assert not re.search(r"@[A-Z_]+@", code), "unsubstituted placeholder in " + template
    with open(dest, "w") as f:
        f.write(text)
    return dest


def upstream_view(body):
    import json
    return json.loads(body)


class ProxyChecks:
    """The same assertions for every proxy: mixed into each proxy's TestCase, which sets
    self.port (the proxy) and self.authd."""

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
