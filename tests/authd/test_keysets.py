#!/usr/bin/env python3
"""approov-authd with keysets (docs/KEYSETS.md): a JWKS file (a changed file is picked up on
SIGHUP), the HS256 secret beside it or not at all, and a JWKS URL served over HTTPS by a local
server with a CA the test makes (tests/keysets/test_jwks_url.py's): the refresher's outcomes as
a metric and log lines, and a rotated key picked up without a restart. Tokens are minted by
`approov-token gen --key`, key sets printed by `approov-token jwks`."""
import json
import os
import subprocess
import sys
import unittest

from harness import (AUTHD, CLI, VALID, Authd, authd_env, reload_and_wait, request, tmpdir,
                     wait_until)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keysets"))
from test_jwks_url import JwksServer, Pki  # noqa: E402


def cli(*args):
    return subprocess.run([CLI, *args], check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()


class Keys:
    """Private keys in a directory, their tokens and their public JWKS."""

    def __init__(self, testcase):
        self.dir = tmpdir(testcase, "authd-keys-")

    def key(self, kid):
        path = os.path.join(self.dir, kid + ".pem")
        if not os.path.exists(path):
            subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-out", path], check=True,
                           capture_output=True)
        return path

    def token(self, kid):
        return cli("gen", "--ttl", "3600", "--key", self.key(kid), "--kid", kid)

    def jwks(self, *kids):
        return json.dumps({"keys": [json.loads(cli("jwks", "--key", self.key(k), "--kid", k))
                                    ["keys"][0] for k in kids]})

    def write(self, name, *kids):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(self.jwks(*kids))
        return path


def status(authd, token):
    return request(authd.port, "/", {"Approov-Token": token})[0]


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
class JwksFile(unittest.TestCase):
    def test_a_keyset_alone_and_a_changed_file_on_sighup(self):
        k = Keys(self)
        path = k.write("jwks.json", "k1")
        a = Authd(self, ["--jwks-file", path], env=authd_env(secret=None))
        self.assertEqual(status(a, k.token("k1")), 200)
        self.assertEqual(status(a, k.token("k2")), 401)
        self.assertEqual(status(a, VALID), 401)  # HS256, and no secret configured
        k.write("jwks.json", "k2")
        reload_and_wait(a)
        self.assertEqual(status(a, k.token("k2")), 200)
        self.assertEqual(status(a, k.token("k1")), 401)

    def test_check_config_names_the_keyset(self):
        k = Keys(self)
        path = k.write("jwks.json", "k1")
        r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config", "--jwks-file",
                            path], env=authd_env(secret=None), capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("keyset from file %s\n  no shared secret (keyset only)\n" % path, r.stdout)

    def test_secret_and_keyset_together(self):
        k = Keys(self)
        a = Authd(self, ["--jwks-file", k.write("jwks.json", "k1")])
        self.assertEqual(status(a, k.token("k1")), 200)
        self.assertEqual(status(a, VALID), 200)

    def test_a_bad_jwks_file_is_a_configuration_error(self):
        d = tmpdir(self, "authd-keys-")
        bad = os.path.join(d, "bad.json")
        with open(bad, "w") as f:
            f.write('{"keys": [{"kty": "EC", "kid": "x"}]}')
        for path in (bad, os.path.join(d, "missing.json")):
            r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config",
                                "--jwks-file", path], env=authd_env(secret=None),
                               capture_output=True, text=True, timeout=20)
            self.assertEqual(r.returncode, 2, r.stdout)
            self.assertIn("jwks-file", r.stderr)


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
class JwksUrl(unittest.TestCase):
    def test_fetched_refreshed_counted_and_logged(self):
        k = Keys(self)
        pki = Pki(tmpdir(self, "authd-pki-"))
        server = JwksServer(pki)
        self.addCleanup(server.stop)
        server.serve(k.jwks("k1"))
        a = Authd(self, ["--jwks-url", server.url, "--jwks-ca-file", pki.ca,
                         "--jwks-refresh-seconds", "1"], env=authd_env(secret=None))
        self.assertEqual(status(a, k.token("k1")), 200)
        # Rotated at the source: picked up by a refresh, no restart.
        server.serve(k.jwks("k2"))
        t2 = k.token("k2")
        wait_until(lambda: status(a, t2) == 200, "the rotated key")
        self.assertEqual(status(a, k.token("k1")), 401)
        # A failing source: the last good set stays in use, the failure is counted and logged.
        server.serve(b"", mode="error")
        wait_until(lambda: a.metrics()['approov_authd_jwks_refreshes_total{outcome="failed"}'] > 0,
                   "a failed refresh")
        self.assertEqual(status(a, t2), 200)
        m = a.metrics()
        self.assertGreaterEqual(m['approov_authd_jwks_refreshes_total{outcome="updated"}'], 2)
        lines = [json.loads(x) for x in a.proc.stderr_text().splitlines() if x.startswith("{")]
        refreshes = [x for x in lines if x.get("event") == "jwks_refresh"]
        self.assertEqual(refreshes[0]["trigger"], "startup")
        self.assertEqual(refreshes[0]["outcome"], "updated")
        self.assertTrue(any(x["outcome"] == "failed" and x["level"] == "warning"
                            for x in refreshes))

    def test_an_unreachable_url_stops_start_up(self):
        pki = Pki(tmpdir(self, "authd-pki-"))
        server = JwksServer(pki)
        self.addCleanup(server.stop)
        server.serve(b"{}")
        for args in (["--jwks-url", server.url],  # the system's CAs do not know the test CA
                     ["--jwks-url", server.url.replace("https", "http"), "--jwks-ca-file",
                      pki.ca]):
            r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config"] + args,
                               env=authd_env(secret=None), capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 2, (args, r.stdout))
            self.assertIn("jwks-url", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
