#!/usr/bin/env python3
"""The hello servers with keysets, end to end over real HTTP: a server started with
APPROOV_JWKS_FILE (alone, or beside the HS256 secret) or APPROOV_JWKS_URL (a local HTTPS server
with a CA this test makes), APPROOV_AUDIENCE and APPROOV_ISSUER; tokens minted by the real
`approov-token gen --key`. Also the start-up refusals (exit 2, a message naming the variable,
never key material) and the rule that demo mode never puts the public test secret beside a
keyset.

Usage: test_servers.py PATH/TO/hello-server PATH/TO/approov-token [unittest args]
"""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, HERE)

from hello_servers_test import HELLO, TEST_SECRET_B64, Server, request  # noqa: E402
from test_jwks_url import JwksServer, Pki  # noqa: E402

SERVER = None
CLI = None
AUD = "api.example.com"
ISS = "acme.approov.io"
KEYSET_VARS = ("APPROOV_JWKS_FILE", "APPROOV_JWKS_URL", "APPROOV_JWKS_CA_FILE",
               "APPROOV_JWKS_REFRESH_INTERVAL", "APPROOV_AUDIENCE", "APPROOV_ISSUER")
# Server() copies os.environ: nothing of the caller's keyset settings may leak in.
for _name in KEYSET_VARS:
    os.environ.pop(_name, None)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cli(*args):
    e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    out = subprocess.run([CLI, *args], capture_output=True, text=True, env=e)
    assert out.returncode == 0, (args, out.stderr)
    return out.stdout.strip()


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def hs256(header, claims, key):
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key, ("%s.%s" % (h, p)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (h, p, b64url(sig))


def start_fails(env, args=()):
    """Starts the server expecting a refusal: (exit code, stdout + stderr)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    e.update({"HTTP_PORT": "0", "SERVER_HOSTNAME": "127.0.0.1"})
    e.update(env)
    with tempfile.TemporaryDirectory() as empty:
        p = subprocess.run([SERVER, *args], env=e, cwd=empty, capture_output=True, timeout=20)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


class Keys:
    """Private keys (openssl CLI), their JWKS (approov-token jwks) and token minting."""

    def __init__(self, directory):
        self.dir = directory
        p = lambda n: os.path.join(directory, n)  # noqa: E731
        self.priv = {"ec-1": p("ec.pem"), "rsa-1": p("rsa.pem"), "ed-1": p("ed.pem"),
                     "ec-2": p("ec2.pem")}
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                self.priv["ec-1"])
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out",
                self.priv["rsa-1"])
        openssl("genpkey", "-algorithm", "ED25519", "-out", self.priv["ed-1"])
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                self.priv["ec-2"])
        self.jwk = {kid: json.loads(cli("jwks", "--key", path, "--kid", kid))["keys"][0]
                    for kid, path in self.priv.items()}
        self.rsa_public_pem = p("rsa.pub.pem")
        openssl("pkey", "-in", self.priv["rsa-1"], "-pubout", "-out", self.rsa_public_pem)

    def jwks(self, *kids):
        return json.dumps({"keys": [self.jwk[k] for k in kids]})

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def token(self, kid, *claims, key=None, expired=False):
        args = ["gen", "--key", key or self.priv[kid], "--kid", kid]
        args += ["--expired"] if expired else ["--ttl", "3600"]
        for c in claims:
            args += ["--claim", c]
        return cli(*args)


class ServerKeysets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="approov-server-keysets-")
        cls.keys = Keys(cls.tmp)
        cls.jwks_file = cls.keys.write("keys.jwks", cls.keys.jwks("ec-1", "rsa-1", "ed-1"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def server(self, env, args=()):
        srv = Server(SERVER, env, args=args)
        self.addCleanup(lambda: srv.proc.poll() is None and srv.stop())
        return srv

    def get(self, srv, token):
        return request(srv.port, "/", [("Approov-Token", token)])

    def assertOk(self, srv, token, what=""):
        self.assertEqual(self.get(srv, token), (200, HELLO, "application/json"), what)

    def assertDenied(self, srv, token, what=""):
        self.assertEqual(self.get(srv, token), (401, b"{}", "application/json"), what)

    def assertNoKeyMaterial(self, text):
        for jwk in self.keys.jwk.values():
            for member in ("n", "x", "y"):
                if member in jwk:
                    self.assertNotIn(jwk[member][:24], text, "key material printed")
        self.assertNotIn(TEST_SECRET_B64[:16], text, "secret printed")

    # ---- a JWKS file alone --------------------------------------------------------------
    def test_keyset_file_alone(self):
        srv = self.server({"APPROOV_JWKS_FILE": self.jwks_file})
        for kid in ("ec-1", "rsa-1", "ed-1"):
            self.assertOk(srv, self.keys.token(kid), kid)
        # RS256 from the RSA key, EdDSA, ES256: the algorithms the JWKS gives.
        self.assertDenied(srv, self.keys.token("ec-2"), "kid not in the set")
        self.assertDenied(srv, self.keys.token("ec-1", key=self.keys.priv["ec-2"]),
                          "known kid, another key's signature")
        with open(self.keys.rsa_public_pem, "rb") as f:
            public_pem = f.read()
        confused = hs256({"alg": "HS256", "kid": "rsa-1"}, {"exp": int(time.time()) + 3600},
                         public_pem)
        self.assertDenied(srv, confused, "HS256 keyed with the public key")
        self.assertDenied(srv, hs256({"typ": "JWT", "alg": "HS256"},
                                     {"exp": int(time.time()) + 3600},
                                     base64.b64decode(TEST_SECRET_B64)),
                          "HS256 token, no secret configured")
        self.assertDenied(srv, self.keys.token("ed-1", expired=True), "expired")
        out = srv.output()
        line = [l for l in out.splitlines() if "approov keys:" in l]
        self.assertEqual(len(line), 1, out)
        self.assertIn("keyset from APPROOV_JWKS_FILE " + self.jwks_file, line[0])
        for desc in ('kid "ec-1" ES256 (EC P-256)', 'kid "rsa-1" RS256 (RSA 2048-bit)',
                     'kid "ed-1" EdDSA (Ed25519)'):
            self.assertIn(desc, line[0])
        self.assertNotIn("HS256 secret", line[0])
        code, err = srv.stop()
        self.assertEqual(code, 0, err)
        self.assertNoKeyMaterial(out + err)

    def test_audience_and_issuer(self):
        srv = self.server({"APPROOV_JWKS_FILE": self.jwks_file, "APPROOV_AUDIENCE": AUD,
                           "APPROOV_ISSUER": ISS})
        self.assertOk(srv, self.keys.token("ec-1", "aud=" + AUD, "iss=" + ISS))
        self.assertOk(srv, self.keys.token("rsa-1", 'aud=["other", "%s"]' % AUD, "iss=" + ISS),
                      "aud array containing the audience")
        self.assertDenied(srv, self.keys.token("ec-1", "aud=other.example.com", "iss=" + ISS),
                          "wrong aud")
        self.assertDenied(srv, self.keys.token("ec-1", "iss=" + ISS), "no aud")
        self.assertDenied(srv, self.keys.token("ec-1", "aud=" + AUD, "iss=evil.approov.io"),
                          "wrong iss")
        self.assertDenied(srv, self.keys.token("ec-1", "aud=" + AUD), "no iss")
        line = [l for l in srv.output().splitlines() if "approov keys:" in l][0]
        self.assertIn('audience "%s"' % AUD, line)
        self.assertIn('issuer "%s"' % ISS, line)

    # ---- the secret and a keyset together -----------------------------------------------
    def test_secret_and_keyset(self):
        srv = self.server({"APPROOV_JWKS_FILE": self.jwks_file,
                           "APPROOV_BASE64_SECRET": TEST_SECRET_B64})
        secret = base64.b64decode(TEST_SECRET_B64)
        exp = {"exp": int(time.time()) + 3600}
        self.assertOk(srv, hs256({"typ": "JWT", "alg": "HS256"}, exp, secret),
                      "Approov's default HS256 token goes to the secret")
        for kid in ("ec-1", "rsa-1", "ed-1"):
            self.assertOk(srv, self.keys.token(kid), kid)
        self.assertDenied(srv, hs256({"typ": "JWT", "alg": "HS256"}, exp, b"x" * 32),
                          "HS256 with another secret")
        self.assertDenied(srv, hs256({"alg": "HS256", "kid": "ec-1"}, exp, secret),
                          "HS256 naming a keyset kid")
        self.assertDenied(srv, self.keys.token("ec-2"), "unknown kid")
        line = [l for l in srv.output().splitlines() if "approov keys:" in l][0]
        self.assertIn("HS256 secret (APPROOV_BASE64_SECRET); keyset from APPROOV_JWKS_FILE", line)

    def test_demo_mode_never_adds_the_test_secret_to_a_keyset(self):
        srv = self.server({"APPROOV_JWKS_FILE": self.jwks_file}, args=("--demo",))
        test_token = hs256({"typ": "JWT", "alg": "HS256"}, {"exp": int(time.time()) + 3600},
                           base64.b64decode(TEST_SECRET_B64))
        self.assertDenied(srv, test_token, "token minted with the public test secret")
        self.assertOk(srv, self.keys.token("ec-1"))
        out = srv.output()
        self.assertNotIn("curl", out)
        self.assertNotIn("TEST SECRET", out)
        _, err = srv.stop()
        self.assertIn("a keyset is configured, so the public test secret is not used", err)
        self.assertNotIn("PUBLIC Approov test secret", err)

    def test_key_ids_cannot_forge_log_lines(self):
        # A kid is text from the JWKS (maybe served by a URL): the start-up line escapes it.
        jwk = dict(self.keys.jwk["ec-1"], kid='ec-1\nhello-server: forged "line"\x7f')
        path = self.keys.write("odd-kid.jwks", json.dumps({"keys": [jwk]}))
        srv = self.server({"APPROOV_JWKS_FILE": path})
        out = srv.output()
        self.assertIn('kid "ec-1\\x0ahello-server: forged \\x22line\\x22\\x7f" ES256', out)
        self.assertNotIn("\nhello-server: forged", out)

    # ---- start-up refusals --------------------------------------------------------------
    def test_startup_refusals(self):
        k = self.keys
        dup = json.dumps({"keys": [k.jwk["ec-1"], dict(k.jwk["ec-2"], kid="ec-1")]})
        private = json.loads(cli("jwks", "--key", k.priv["ec-1"], "--kid", "p"))["keys"][0]
        # A private member: the key's own d, which must never be printed.
        with open(k.priv["ec-1"]) as f:
            pem_text = f.read()
        d_value = b64url(hashlib.sha256(pem_text.encode()).digest())
        with_d = json.dumps({"keys": [dict(private, d=d_value)]})
        cases = [
            ({"APPROOV_JWKS_FILE": os.path.join(self.tmp, "missing.jwks")},
             ["APPROOV_JWKS_FILE", "cannot open"], "missing file"),
            ({"APPROOV_JWKS_FILE": k.write("malformed.jwks", '{"keys": [')},
             ["APPROOV_JWKS_FILE", "malformed.jwks"], "malformed JSON"),
            ({"APPROOV_JWKS_FILE": k.write("empty-keys.jwks", '{"keys": []}')},
             ["APPROOV_JWKS_FILE", "empty"], "empty keys array"),
            ({"APPROOV_JWKS_FILE": k.write("dup.jwks", dup)},
             ["APPROOV_JWKS_FILE", "ec-1"], "duplicate kid"),
            ({"APPROOV_JWKS_FILE": k.write("private.jwks", with_d)},
             ["APPROOV_JWKS_FILE", "private"], "private member"),
            ({"APPROOV_JWKS_FILE": k.priv["ec-1"]},
             ["APPROOV_JWKS_FILE", "PEM", "approov-token jwks"], "a PEM key"),
            ({"APPROOV_JWKS_FILE": self.jwks_file, "APPROOV_JWKS_URL": "https://127.0.0.1:1/"},
             ["APPROOV_JWKS_FILE and APPROOV_JWKS_URL"], "both file and URL"),
            ({"APPROOV_JWKS_URL": "http://127.0.0.1:1/jwks.json"},
             ["APPROOV_JWKS_URL", "only https://"], "plain http URL"),
            ({"APPROOV_JWKS_URL": "https://127.0.0.1:1/jwks.json"},
             ["APPROOV_JWKS_URL", "127.0.0.1:1"], "unreachable URL"),
            ({"APPROOV_JWKS_URL": "https://127.0.0.1:1/", "APPROOV_JWKS_REFRESH_INTERVAL": "0"},
             ["APPROOV_JWKS_REFRESH_INTERVAL"], "zero refresh interval"),
            ({"APPROOV_JWKS_FILE": self.jwks_file, "APPROOV_AUDIENCE": "api\nexample"},
             ["APPROOV_AUDIENCE", "control character"], "control character in the audience"),
            ({"APPROOV_JWKS_FILE": self.jwks_file, "APPROOV_BASE64_SECRET": "c2hvcnQ="},
             ["APPROOV_BASE64_SECRET"], "bad secret beside a keyset"),
            ({}, ["APPROOV_BASE64_SECRET", "APPROOV_JWKS_FILE"], "nothing configured"),
        ]
        for env, needles, what in cases:
            with self.subTest(what):
                code, out = start_fails(env)
                self.assertEqual(code, 2, (what, out))
                self.assertIn("configuration error", out, what)
                for needle in needles:
                    self.assertIn(needle, out, (what, out))
                self.assertNotIn("listening on", out, what)
                self.assertNoKeyMaterial(out)
                self.assertNotIn(d_value, out)


class ServerJwksUrl(unittest.TestCase):
    """APPROOV_JWKS_URL: fetched at start-up, then kept current by the refresher."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="approov-server-jwks-url-")
        cls.keys = Keys(cls.tmp)
        cls.pki = Pki(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.jwks = JwksServer(self.pki)
        self.addCleanup(self.jwks.stop)

    def start(self, **extra):
        env = {"APPROOV_JWKS_URL": self.jwks.url, "APPROOV_JWKS_CA_FILE": self.pki.ca,
               "APPROOV_JWKS_REFRESH_INTERVAL": "1"}
        env.update(extra)
        srv = Server(SERVER, env)
        self.addCleanup(lambda: srv.proc.poll() is None and srv.stop())
        return srv

    def status(self, srv, token):
        return request(srv.port, "/", [("Approov-Token", token)])[0]

    def wait_status(self, srv, token, status, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.status(srv, token) == status:
                return
            time.sleep(0.1)
        self.fail("token never got %d" % status)

    def test_rotation_failure_and_recovery(self):
        self.jwks.serve(self.keys.jwks("ec-1", "ed-1"))
        srv = self.start()
        t1, t2, ted = self.keys.token("ec-1"), self.keys.token("ec-2"), self.keys.token("ed-1")
        self.assertEqual(self.status(srv, t1), 200)
        self.assertEqual(self.status(srv, ted), 200)
        self.assertEqual(self.status(srv, t2), 401)
        line = [l for l in srv.output().splitlines() if "approov keys:" in l][0]
        self.assertIn("keyset from APPROOV_JWKS_URL " + self.jwks.url, line)
        self.assertIn('kid "ec-1" ES256 (EC P-256), kid "ed-1" EdDSA (Ed25519)', line)
        # Rotation: ec-1 out, ec-2 in; picked up by the refresher without a restart.
        self.jwks.serve(self.keys.jwks("ec-2", "ed-1"))
        self.wait_status(srv, t2, 200)
        self.assertEqual(self.status(srv, t1), 401)
        # The URL fails, then serves a refused set: the last good keys stay in use.
        self.jwks.serve(self.keys.jwks("ec-2"), mode="error")
        t0 = time.monotonic()
        while self.jwks.hits_since(t0) < 2:
            self.assertLess(time.monotonic() - t0, 15, "no refresh attempted")
            time.sleep(0.1)
        self.assertEqual(self.status(srv, t2), 200)
        self.jwks.serve('{"keys":[]}')
        t0 = time.monotonic()
        while self.jwks.hits_since(t0) < 2:
            self.assertLess(time.monotonic() - t0, 15, "no refresh attempted")
            time.sleep(0.1)
        self.assertEqual(self.status(srv, t2), 200)
        self.assertEqual(self.status(srv, ted), 200)
        # Recovery.
        self.jwks.serve(self.keys.jwks("ec-1"))
        self.wait_status(srv, t1, 200)
        self.assertEqual(self.status(srv, t2), 401)
        code, err = srv.stop()
        self.assertEqual(code, 0, err)
        self.assertRegex(err, r'JWKS refresh \(interval\): updated: kid "ec-2" ES256')
        self.assertRegex(err, r"JWKS refresh \((interval|retry)\): failed, keeping the last "
                              r"good keys: .*HTTP status 500")
        self.assertIn("JWKS refresh", err)
        self.assertRegex(err, r'JWKS refresh \((interval|retry)\): updated: kid "ec-1" ES256')
        for jwk in self.keys.jwk.values():
            self.assertNotIn((jwk.get("x") or jwk["n"])[:24], err, "key material logged")

    def test_url_with_secret_audience_and_issuer(self):
        self.jwks.serve(self.keys.jwks("rsa-1"))
        srv = self.start(APPROOV_BASE64_SECRET=TEST_SECRET_B64, APPROOV_AUDIENCE=AUD,
                         APPROOV_ISSUER=ISS)
        self.assertEqual(self.status(srv, self.keys.token("rsa-1", "aud=" + AUD, "iss=" + ISS)),
                         200)
        self.assertEqual(self.status(srv, self.keys.token("rsa-1", "aud=x", "iss=" + ISS)), 401)
        self.assertEqual(self.status(srv, self.keys.token("rsa-1", "aud=" + AUD, "iss=x")), 401)
        secret = base64.b64decode(TEST_SECRET_B64)
        exp = int(time.time()) + 3600
        self.assertEqual(self.status(srv, hs256({"typ": "JWT", "alg": "HS256"},
                                                {"exp": exp, "aud": AUD, "iss": ISS}, secret)),
                         200, "the secret's tokens are held to the same aud and iss")
        self.assertEqual(self.status(srv, hs256({"typ": "JWT", "alg": "HS256"}, {"exp": exp},
                                                secret)), 401)

    def test_startup_fetch_failures(self):
        self.jwks.serve(self.keys.jwks("ec-1"), mode="error")
        code, out = start_fails({"APPROOV_JWKS_URL": self.jwks.url,
                                 "APPROOV_JWKS_CA_FILE": self.pki.ca})
        self.assertEqual(code, 2, out)
        self.assertIn("APPROOV_JWKS_URL: JWKS URL %s: HTTP status 500" % self.jwks.url, out)
        self.jwks.serve(self.keys.jwks("ec-1"))
        code, out = start_fails({"APPROOV_JWKS_URL": self.jwks.url,
                                 "APPROOV_JWKS_CA_FILE": self.pki.other_ca})
        self.assertEqual(code, 2, out)
        self.assertIn("APPROOV_JWKS_URL", out)
        self.assertIn("certificate", out.lower())
        dup = json.dumps({"keys": [self.keys.jwk["ec-1"], dict(self.keys.jwk["ec-2"],
                                                               kid="ec-1")]})
        self.jwks.serve(dup)
        code, out = start_fails({"APPROOV_JWKS_URL": self.jwks.url,
                                 "APPROOV_JWKS_CA_FILE": self.pki.ca})
        self.assertEqual(code, 2, out)
        self.assertIn("APPROOV_JWKS_URL", out)
        self.assertIn('"ec-1"', out)


if __name__ == "__main__":
    SERVER, CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
