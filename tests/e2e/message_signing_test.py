#!/usr/bin/env python3
"""End-to-end tests of hello-server-message-signing-check: the real server on an ephemeral
loopback port, requests signed by the real `approov-token sign` (the CLI is part of the test:
its keygen, gen --ipk-key / --mskid and sign output are what is sent), over real HTTP.

  message_signing_test.py --server PATH --cli PATH

Prints "N passed, N failed". The server's rejection log gives the reason of each 401, which
the tests check, so that a request refused for the wrong reason fails.
"""
import argparse
import base64
import http.client
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hello_servers_test import (HELLO, TEST_SECRET_B64, DrainedServer, Reader,  # noqa: E402
                                run_tests, send_raw, status_of)

ACCOUNT_SECRET = base64.b64encode(bytes(range(40))).decode()
OTHER_ACCOUNT_SECRET = base64.b64encode(bytes(range(1, 41))).decode()
SIGNING_VARS = ("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64",
                "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL",
                "APPROOV_ACCOUNT_MESSAGE_SIGNING_KEY_ID", "APPROOV_SIGNATURE_BASE_URL",
                "APPROOV_SIGNATURE_CLOCK_SKEW", "APPROOV_SIGNATURE_MAX_LIFETIME",
                "APPROOV_REPLAY_STORE")

CLI = None
WORK = None  # a temporary directory for keys and bodies


def cli(*args, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    env["APPROOV_BASE64_SECRET"] = TEST_SECRET_B64
    p = subprocess.run([CLI, *args], env=env, cwd=WORK, capture_output=True, text=True,
                       timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"approov-token {args[0]} failed ({p.returncode}): {p.stderr}")
    return p


def keygen(name):
    path = os.path.join(WORK, name)
    if os.path.exists(path):
        os.unlink(path)
    ipk = cli("keygen", "--out", path).stdout.strip()
    return path, ipk


def token(*args):
    return cli("gen", "--ttl", "3600", *args).stdout.strip()


def sign(port, *args, method="GET", path="/", headers=(), body=None, host=None):
    """The header lines `approov-token sign` prints for this request, as (name, value)."""
    argv = ["sign", "--method", method, "--url", f"http://{host or f'127.0.0.1:{port}'}{path}"]
    for name, value in headers:
        argv += ["--header", f"{name}: {value}"]
    if body is not None:
        body_path = os.path.join(WORK, "body")
        with open(body_path, "wb") as f:
            f.write(body)
        argv += ["--body-file", body_path]
    out = cli(*argv, *args).stdout
    lines = [line.split(": ", 1) for line in out.splitlines()]
    assert all(len(x) == 2 for x in lines) and len(lines) in (2, 3), out
    return [(n, v) for n, v in lines]


def send(port, method="GET", path="/", headers=(), body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            conn.send(body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class SigningServer(DrainedServer):
    """The server with a clean message-signing environment; `reasons()` reads its log."""

    def __init__(self, path, env=None, args=()):
        clean = {k: "" for k in SIGNING_VARS}
        clean["APPROOV_BASE64_SECRET"] = TEST_SECRET_B64
        clean.update(env or {})
        super().__init__(path, clean, args=args)

    def log(self):
        time.sleep(0.1)
        return b"".join(self._stderr).decode(errors="replace")

    def last_reason(self):
        found = re.findall(r"approov: rejected reason=(\w+)", self.log())
        return found[-1] if found else None


def expect(result, status, reason=None, srv=None):
    got_status, body = result
    want_body = HELLO if status == 200 else b"{}"
    assert (got_status, body) == (status, want_body), f"expected {status}, got {result}"
    if reason is not None:
        deadline = time.time() + 5
        while srv.last_reason() != reason and time.time() < deadline:
            time.sleep(0.05)
        assert srv.last_reason() == reason, f"expected reason {reason}, log: {srv.log()[-500:]}"


# ---------------------------------------------------------------------------------------------
def group_signatures(server):
    key, ipk = keygen("device.pem")
    other_key, _ = keygen("other.pem")
    srv = SigningServer(server)
    port = srv.port
    tok = token("--ipk-key", key)
    tok_same_device = token("--ipk", ipk, "--claim", "did=another-request")
    failover = token()
    sent_secrets = [tok, tok_same_device]
    body = b'{"shape": "circle", "pad": "' + b"x" * 990 + b'"}'  # about 1 KiB
    tests = []

    def t(name):
        def deco(fn):
            tests.append((name, fn))
            return fn
        return deco

    at = [("Approov-Token", tok)]

    @t("signed GET / -> 200")
    def _():
        expect(send(port, headers=at + sign(port, "--key", key, headers=at)), 200)

    @t("signed GET with a query -> 200, other path -> 400 after the check")
    def _():
        expect(send(port, path="/?a=1&b=two", headers=at + sign(
            port, "--key", key, path="/?a=1&b=two", headers=at)), 200)
        status, b = send(port, path="/other", headers=at + sign(port, "--key", key,
                                                                 path="/other", headers=at))
        assert (status, b) == (400, b"{}"), (status, b)

    @t("signed POST / with a 1 KiB JSON body -> 200")
    def _():
        h = at + [("Content-Type", "application/json")]
        signed = sign(port, "--key", key, method="POST", headers=h, body=body)
        assert any(n == "Content-Digest" for n, _ in signed), signed
        expect(send(port, "POST", headers=h + signed, body=body), 200)

    @t("signed POST / with a 1 MiB body -> 200; over 1 MiB -> 401 {}")
    def _():
        big = b"z" * (1024 * 1024)
        expect(send(port, "POST", headers=at + sign(port, "--key", key, method="POST",
                                                     headers=at, body=big), body=big), 200)
        # Over the limit, the server answers before it has read the body and closes: send it
        # over a raw socket that tolerates the early close.
        bigger = big + b"z"
        headers = at + sign(port, "--key", key, method="POST", headers=at, body=bigger)
        req = "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n" % (
            port, len(bigger))
        req += "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
        s = send_raw(port, req.encode("latin-1") + bigger)
        try:
            head, b = Reader(s).response()
        finally:
            s.close()
        assert status_of(head) == 401 and b == b"{}", (head, b)

    @t("the Android form (install=\"BASE64\") -> 200")
    def _():
        signed = sign(port, "--key", key, "--form", "string", headers=at)
        assert re.match(r'install="[A-Za-z0-9+/=]+"$', dict(signed)["Signature"]), signed
        expect(send(port, headers=at + signed), 200)

    @t("tampered method -> 401 bad_message_signature")
    def _():
        signed = sign(port, "--key", key, headers=at)
        expect(send(port, "DELETE", headers=at + signed), 401, "bad_message_signature", srv)

    @t("tampered path -> 401 bad_message_signature")
    def _():
        signed = sign(port, "--key", key, path="/other", headers=at)
        expect(send(port, "GET", "/", headers=at + signed), 401, "bad_message_signature", srv)

    @t("tampered query -> 401 bad_message_signature")
    def _():
        signed = sign(port, "--key", key, path="/?amount=10", headers=at)
        expect(send(port, "GET", "/?amount=1000", headers=at + signed), 401,
               "bad_message_signature", srv)
        expect(send(port, "GET", "/", headers=at + signed), 401, "bad_message_signature", srv)

    @t("tampered authority (Host) -> 401 bad_message_signature")
    def _():
        signed = sign(port, "--key", key, headers=at, host="api.example.com")
        expect(send(port, headers=at + signed), 401, "bad_message_signature", srv)

    @t("tampered covered header -> 401 bad_message_signature; removed -> missing_component")
    def _():
        h = at + [("Authorization", "Bearer alice")]
        signed = sign(port, "--key", key, headers=h)
        assert "\"authorization\"" in dict(signed)["Signature-Input"], signed
        expect(send(port, headers=h + signed), 200)
        expect(send(port, headers=at + [("Authorization", "Bearer mallory")] + signed), 401,
               "bad_message_signature", srv)
        expect(send(port, headers=at + signed), 401, "missing_component", srv)

    @t("another valid token of the same device -> 401 bad_message_signature")
    def _():
        signed = sign(port, "--key", key, headers=at)
        expect(send(port, headers=[("Approov-Token", tok_same_device)] + signed), 401,
               "bad_message_signature", srv)

    @t("tampered body (same length) -> 401 bad_content_digest")
    def _():
        signed = sign(port, "--key", key, method="POST", headers=at, body=body)
        other = body.replace(b"circle", b"square")
        expect(send(port, "POST", headers=at + signed, body=other), 401, "bad_content_digest", srv)

    @t("a body whose digest is not covered -> 401 missing_component")
    def _():
        signed = sign(port, "--key", key, "--component", "@method", "--component",
                      "@target-uri", "--component", "approov-token", method="POST",
                      headers=at, body=body)
        expect(send(port, "POST", headers=at + signed, body=body), 401, "missing_component", srv)

    @t("signed by another key -> 401 bad_message_signature")
    def _():
        expect(send(port, headers=at + sign(port, "--key", other_key, headers=at)), 401,
               "bad_message_signature", srv)

    @t("expired signature -> 401 signature_expired; created in the future -> signature_in_future")
    def _():
        now = int(time.time())
        old = sign(port, "--key", key, "--created", str(now - 200), headers=at)
        expect(send(port, headers=at + old), 401, "signature_expired", srv)
        too_long = sign(port, "--key", key, "--ttl", "301", headers=at)
        expect(send(port, headers=at + too_long), 401, "signature_expired", srv)
        future = sign(port, "--key", key, "--created", str(now + 120), headers=at)
        expect(send(port, headers=at + future), 401, "signature_in_future", srv)
        # Within the 60 s clock skew both ways.
        expect(send(port, headers=at + sign(port, "--key", key, "--created", str(now - 60),
                                             headers=at)), 200)

    @t("ipk token without a signature -> 401 missing_signature")
    def _():
        expect(send(port, headers=at), 401, "missing_signature", srv)

    @t("one of the two signature headers -> 401 bad_signature_header")
    def _():
        signed = sign(port, "--key", key, headers=at)
        expect(send(port, headers=at + signed[:1]), 401, "bad_signature_header", srv)

    @t("failover token (neither ipk nor mskid) without a signature -> 200")
    def _():
        expect(send(port, headers=[("Approov-Token", failover)]), 200)

    @t("mskid token without an account secret configured -> 200 unsigned")
    def _():
        expect(send(port, headers=[("Approov-Token", token("--mskid", "k1"))]), 200)

    @t("bad ipk -> 401 bad_ipk")
    def _():
        bad = token("--ipk", "AAAA")
        h = [("Approov-Token", bad)]
        expect(send(port, headers=h + sign(port, "--key", key, headers=h)), 401, "bad_ipk", srv)

    @t("invalid token -> 401 before the signature")
    def _():
        bad = tok[:-2] + ("AA" if not tok.endswith("AA") else "BB")
        h = [("Approov-Token", bad)]
        expect(send(port, headers=h + sign(port, "--key", key, headers=h)), 401, "bad_signature",
               srv)

    results = run_tests(tests)
    code, err = srv.stop()

    def nothing_secret_logged():
        assert code == 0, code
        for secret in sent_secrets + [TEST_SECRET_B64, "Signature", "@signature-params",
                                      "Signature-Input", "install="]:
            assert secret not in err, f"{secret[:20]}... logged: {err[-800:]}"
        assert "reason=bad_message_signature" in err, err[-800:]

    return results + run_tests([("clean exit; the log has reasons, never a token, signature or "
                                 "base", nothing_secret_logged)])


def group_account(server):
    tests = []
    srv = SigningServer(server, {"APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64": ACCOUNT_SECRET,
                                 "APPROOV_ACCOUNT_MESSAGE_SIGNING_KEY_ID": "account-key-1"})
    port = srv.port
    tok = token("--mskid", "account-key-1")
    at = [("Approov-Token", tok)]

    def signed_get():
        expect(send(port, headers=at + sign(port, "--account-secret", ACCOUNT_SECRET,
                                             headers=at)), 200)

    def signed_post_string_form():
        body = b"a=1&b=2"
        signed = sign(port, "--account-secret", ACCOUNT_SECRET, "--form", "string",
                      method="POST", headers=at, body=body)
        expect(send(port, "POST", headers=at + signed, body=body), 200)

    def other_secret():
        signed = sign(port, "--account-secret", OTHER_ACCOUNT_SECRET, headers=at)
        expect(send(port, headers=at + signed), 401, "bad_message_signature", srv)

    def tampered():
        signed = sign(port, "--account-secret", ACCOUNT_SECRET, path="/?x=1", headers=at)
        expect(send(port, path="/?x=2", headers=at + signed), 401, "bad_message_signature", srv)

    def unsigned():
        expect(send(port, headers=at), 401, "missing_signature", srv)

    def other_key_id():
        h = [("Approov-Token", token("--mskid", "account-key-2"))]
        expect(send(port, headers=h + sign(port, "--account-secret", ACCOUNT_SECRET, headers=h)),
               401, "unknown_signing_key", srv)

    def installation_signature_for_mskid_token():
        key, _ = keygen("device-account.pem")
        expect(send(port, headers=at + sign(port, "--key", key, headers=at)), 401,
               "missing_signature", srv)

    tests = [("account signature (hmac-sha256) -> 200", signed_get),
             ("account signature, POST with a body, string form -> 200", signed_post_string_form),
             ("account signature with another secret -> 401", other_secret),
             ("account signature, tampered query -> 401", tampered),
             ("mskid token without a signature -> 401 missing_signature", unsigned),
             ("mskid other than the configured key id -> 401 unknown_signing_key", other_key_id),
             ("an install signature where the token calls for account -> 401",
              installation_signature_for_mskid_token)]
    results = run_tests(tests)
    code, err = srv.stop()
    return results + run_tests([("clean exit, no secret logged", lambda: (
        assert_true(code == 0 and ACCOUNT_SECRET not in err and tok not in err, err)))])


def assert_true(cond, message=""):
    assert cond, message


def group_replay(server):
    key, _ = keygen("device-replay.pem")
    tok = token("--ipk-key", key)
    at = [("Approov-Token", tok)]
    tests = []

    def replayed_with_store():
        srv = SigningServer(server, {"APPROOV_REPLAY_STORE": "memory"})
        try:
            signed = sign(srv.port, "--key", key, headers=at)
            expect(send(srv.port, headers=at + signed), 200)
            expect(send(srv.port, headers=at + signed), 401, "replayed_signature", srv)
            # A fresh signature of the same request is a new request.
            expect(send(srv.port, headers=at + sign(srv.port, "--key", key, headers=at)), 200)
        finally:
            srv.stop()

    def accepted_twice_without_store():
        srv = SigningServer(server)
        try:
            signed = sign(srv.port, "--key", key, headers=at)
            expect(send(srv.port, headers=at + signed), 200)
            expect(send(srv.port, headers=at + signed), 200)
        finally:
            srv.stop()

    def bad_store_setting():
        e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
        e.update({"APPROOV_BASE64_SECRET": TEST_SECRET_B64, "APPROOV_REPLAY_STORE": "redis-ish",
                  "HTTP_PORT": "0"})
        p = subprocess.run([server], env=e, cwd=WORK, capture_output=True, text=True, timeout=10)
        assert p.returncode == 2 and "APPROOV_REPLAY_STORE" in p.stderr, p.stderr

    tests = [("APPROOV_REPLAY_STORE=memory: the same signed request twice -> 200 then 401 "
              "replayed_signature", replayed_with_store),
             ("without a replay store the same signed request passes twice",
              accepted_twice_without_store),
             ("an unknown APPROOV_REPLAY_STORE stops start-up", bad_store_setting)]
    return run_tests(tests)


def group_config(server):
    key, _ = keygen("device-config.pem")
    tok = token("--ipk-key", key)
    at = [("Approov-Token", tok)]

    def public_base_url():
        srv = SigningServer(server, {"APPROOV_SIGNATURE_BASE_URL": "https://api.example.com"})
        try:
            # Signed for the public URL; received by this server over plain HTTP on loopback.
            signed = cli("sign", "--key", key, "--method", "GET", "--url",
                         "https://api.example.com/?q=1", "--header",
                         f"Approov-Token: {tok}").stdout
            headers = at + [tuple(line.split(": ", 1)) for line in signed.splitlines()]
            expect(send(srv.port, path="/?q=1", headers=headers), 200)
            expect(send(srv.port, path="/?q=1", headers=at + sign(srv.port, "--key", key,
                                                                   path="/?q=1", headers=at)),
                   401, "bad_message_signature", srv)
        finally:
            srv.stop()

    def malformed_settings():
        for var, value in (("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64", "not*base64"),
                           ("APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64",
                            base64.b64encode(b"short").decode()),
                           ("APPROOV_SIGNATURE_BASE_URL", "api.example.com"),
                           ("APPROOV_SIGNATURE_CLOCK_SKEW", "301")):
            e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
            e.update({"APPROOV_BASE64_SECRET": TEST_SECRET_B64, var: value, "HTTP_PORT": "0"})
            p = subprocess.run([server], env=e, cwd=WORK, capture_output=True, text=True,
                               timeout=10)
            assert p.returncode == 2, (var, value, p.returncode, p.stderr)
            assert "configuration error" in p.stderr, p.stderr
            if "SECRET" in var:
                assert var in p.stderr and value not in p.stderr, p.stderr

    def demo_mode():
        srv = SigningServer(server, {"APPROOV_BASE64_SECRET": ""}, args=("--demo",))
        try:
            out = srv.output()
            cmds = re.findall(r"curl -i(.*?)\n", out)
            assert len(cmds) == 4, out
            for cmd, want in zip(cmds, (200, 200, 401, 401)):
                # The printed commands are shell words: run them through the shell as printed.
                p = subprocess.run("curl -s -w '\n%{http_code}'" + cmd, shell=True,
                                   capture_output=True, text=True, timeout=30)
                got = p.stdout.rsplit("\n", 1)
                assert got[-1] == str(want), (cmd[:120], p.stdout, p.stderr)
                assert got[0] == (HELLO.decode() if want == 200 else "{}"), got
        finally:
            _, err = srv.stop()
        assert "PUBLIC Approov test secret" in err, err
        assert TEST_SECRET_B64 not in err + out

    tests = [("APPROOV_SIGNATURE_BASE_URL: a signature for the public URL verifies behind a "
              "proxy", public_base_url),
             ("malformed message-signing settings stop start-up, naming the variable",
              malformed_settings),
             ("--demo prints signed curl commands that work", demo_mode)]
    return run_tests(tests)


def group_failure_bytes(server):
    """Every failure, whatever the reason (token, signature, digest, replay), gets the same
    bytes: status line, headers (Date normalized) and body."""
    key, _ = keygen("device-bytes.pem")
    srv = SigningServer(server, {"APPROOV_REPLAY_STORE": "memory"})
    port = srv.port
    tok = token("--ipk-key", key)
    at = [("Approov-Token", tok)]
    now = int(time.time())

    def replayed():
        signed = sign(port, "--key", key, headers=at)
        status, _ = send(port, headers=at + signed)
        assert status == 200
        return at + signed

    cases = {
        "missing token": [],
        "bad token": [("Approov-Token", tok[:-4] + "AAAA")],
        "missing signature": at,
        "bad message signature": at + sign(port, "--key", key, path="/x", headers=at),
        "expired signature": at + sign(port, "--key", key, "--created", str(now - 500),
                                       headers=at),
        "signature in the future": at + sign(port, "--key", key, "--created", str(now + 500),
                                             headers=at),
        "bad signature header": at + [("Signature-Input", "install=(("), ("Signature", "x")],
        "bad signature params": at + [(n, v.replace("ecdsa-p256-sha256", "hmac-sha256"))
                                      for n, v in sign(port, "--key", key, headers=at)],
        "missing component": at + sign(port, "--key", key, "--component", "@method", headers=at),
        "replayed signature": replayed(),
    }

    def exchange(headers):
        req = "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n" % port
        req += "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
        s = send_raw(port, req.encode("latin-1"))
        try:
            head, body = Reader(s).response()
        finally:
            s.close()
        lines = [re.sub(rb"^(date:).*$", rb"\1 <normalized>", line, flags=re.I)
                 for line in head.split(b"\r\n")]
        return lines, body

    def identical():
        ref = exchange(cases["missing token"])
        assert status_of(ref[0][0]) == 401 and ref[1] == b"{}", ref
        for label, headers in cases.items():
            got = exchange(headers)
            assert got == ref, f"{label}: {got} differs from {ref}"

    results = run_tests([("whole failure response identical for every reason", identical)])
    code, err = srv.stop()
    wanted = {"missing_token", "bad_signature", "missing_signature", "bad_message_signature",
              "signature_expired", "signature_in_future", "bad_signature_header",
              "bad_signature_params", "missing_component", "replayed_signature"}

    def reasons_logged():
        logged = set(re.findall(r"reason=(\w+)", err))
        assert wanted <= logged, f"missing reasons {wanted - logged} in {err[-1000:]}"
        assert code == 0

    return results + run_tests([("each case failed for its own reason", reasons_logged)])


def main():
    global CLI, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--group", choices=["signatures", "account", "replay", "config",
                                        "failure-bytes"], required=True)
    a = ap.parse_args()
    CLI = os.path.abspath(a.cli)
    server = os.path.abspath(a.server)
    with tempfile.TemporaryDirectory(prefix="approov-ms-e2e-") as work:
        WORK = work
        with open(os.path.join(work, ".env"), "w") as f:
            f.write("")  # the CLI's and servers' .env lookup stops here
        results = {"signatures": group_signatures, "account": group_account,
                   "replay": group_replay, "config": group_config,
                   "failure-bytes": group_failure_bytes}[a.group](server)
    failed = sum(1 for _, e in results if e)
    print(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
