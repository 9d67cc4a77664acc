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
        for _ in range(2):
            line = self.proc.p.stdout.readline()
            if not line:
                raise RuntimeError("approov-authd did not start: " + self.proc.stderr_text())
            if "admin on" in line:
                self.admin = int(line.rsplit(":", 1)[1])
            elif "listening on" in line:
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
