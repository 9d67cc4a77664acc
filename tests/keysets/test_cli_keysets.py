#!/usr/bin/env python3
"""approov-token with keysets, run as a real process: `jwks --key`, `gen --key`, and `verify
--jwks` with `--kid/--alg`, `--aud`, `--iss`, a secret beside the keyset, and the same exit
codes as with a secret (0 valid, 1 invalid with the reason, 2 usage or configuration error).

Usage: test_cli_keysets.py PATH/TO/approov-token
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CLI = None
SECRET = "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
NOW = "1700000000"


def cli(*args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
    e.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=e)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def header_of(token):
    seg = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


class CliKeysets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="approov-cli-keysets-")
        p = lambda n: os.path.join(cls.dir, n)  # noqa: E731
        cls.ec, cls.rsa, cls.ed, cls.small = p("ec.pem"), p("rsa.pem"), p("ed.pem"), p("small.pem")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", cls.ec)
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", cls.rsa)
        openssl("genpkey", "-algorithm", "ED25519", "-out", cls.ed)
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out",
                cls.small)
        cls.ec_pub = p("ec.pub.pem")
        openssl("pkey", "-in", cls.ec, "-pubout", "-out", cls.ec_pub)
        keys = []
        for key, kid, alg in [(cls.ec, "ec-1", "ES256"), (cls.rsa, "rsa-1", "PS256"),
                              (cls.ed, "ed-1", "EdDSA")]:
            out = cli("jwks", "--key", key, "--kid", kid, "--alg", alg)
            assert out.returncode == 0, out.stderr
            keys += json.loads(out.stdout)["keys"]
        cls.jwks = p("keys.jwks")
        with open(cls.jwks, "w") as f:
            json.dump({"keys": keys}, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def gen(self, *args):
        out = cli("gen", "--now", NOW, *args)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.strip()

    def verify(self, token, *args, env=None):
        return cli("verify", "--no-dotenv", "--now", NOW, *args, token, env=env)

    def assertValid(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.startswith("valid\n"), proc.stdout)

    def assertInvalid(self, proc, reason):
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.startswith("invalid: %s " % reason), proc.stdout)

    def assertUsage(self, proc, *needles):
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        for needle in needles:
            self.assertIn(needle, proc.stderr)

    def test_jwks_prints_only_the_public_key(self):
        out = cli("jwks", "--key", self.rsa, "--kid", "rsa-1")
        self.assertEqual(out.returncode, 0, out.stderr)
        jwk = json.loads(out.stdout)["keys"][0]
        self.assertEqual(sorted(jwk), ["alg", "e", "kid", "kty", "n", "use"])
        self.assertEqual((jwk["kty"], jwk["alg"], jwk["use"]), ("RSA", "RS256", "sig"))
        ed = json.loads(cli("jwks", "--key", self.ed, "--kid", "e").stdout)["keys"][0]
        self.assertEqual((ed["kty"], ed["crv"], ed["alg"]), ("OKP", "Ed25519", "EdDSA"))
        self.assertNotIn("d", ed)
        # A public key gives the same JWK as its private key.
        from_private = cli("jwks", "--key", self.ec, "--kid", "p")
        from_public = cli("jwks", "--key", self.ec_pub, "--kid", "p")
        self.assertEqual(from_public.returncode, 0, from_public.stderr)
        self.assertEqual(from_public.stdout, from_private.stdout)

    def test_jwks_refusals(self):
        self.assertUsage(cli("jwks", "--key", self.small, "--kid", "s"),
                         "RSA modulus shorter than 2048 bits")
        self.assertUsage(cli("jwks", "--key", self.ec, "--kid", "e", "--alg", "ES384"),
                         "--alg ES384 does not fit the EC P-256 key")
        self.assertUsage(cli("jwks", "--key", self.ec, "--kid", "e", "--alg", "HS256"),
                         "signs with a secret")
        self.assertUsage(cli("jwks", "--key", self.ec, "--kid", ""), "the key id is empty")
        self.assertUsage(cli("jwks", "--key", "/nonexistent", "--kid", "k"), "cannot open")
        self.assertUsage(cli("jwks", "--key", self.ec), "--kid")

    def test_gen_and_verify_every_kind(self):
        for key, kid, alg in [(self.ec, "ec-1", "ES256"), (self.rsa, "rsa-1", "PS256"),
                              (self.ed, "ed-1", "EdDSA")]:
            with self.subTest(alg=alg):
                token = self.gen("--key", key, "--kid", kid, "--alg", alg)
                self.assertEqual(header_of(token), {"typ": "JWT", "alg": alg, "kid": kid})
                out = self.verify(token, "--jwks", self.jwks)
                self.assertValid(out)
                self.assertIn("  key      kid %s, %s, from --jwks %s" % (kid, alg, self.jwks),
                              out.stdout)
                # The token never appears in the output.
                self.assertNotIn(token, out.stdout + out.stderr)

    def test_gen_refusals(self):
        self.assertUsage(cli("gen", "--key", self.ec), "--key needs --kid")
        self.assertUsage(cli("gen", "--key", self.small, "--kid", "s"), "shorter than 2048")
        self.assertUsage(cli("gen", "--key", self.ed, "--kid", "e", "--alg", "ES256"),
                         "does not fit")
        self.assertUsage(cli("gen", "--alg", "ES256", "--secret", SECRET), "--alg")
        self.assertUsage(cli("gen", "--key", self.ec, "--kid", "k", "--secret", SECRET),
                         "--secret")
        self.assertUsage(cli("gen", "--key", self.ec_pub, "--kid", "k"), "not a PEM private key")

    def test_verify_outcomes(self):
        token = self.gen("--key", self.ec, "--kid", "ec-1", "--claim", "aud=api.example.com",
                         "--claim", "iss=acme.approov.io")
        self.assertValid(self.verify(token, "--jwks", self.jwks, "--aud", "api.example.com",
                                     "--iss", "acme.approov.io"))
        self.assertInvalid(self.verify(token, "--jwks", self.jwks, "--aud", "other"),
                           "bad_audience")
        self.assertInvalid(self.verify(token, "--jwks", self.jwks, "--iss", "other"), "bad_issuer")
        other = self.gen("--key", self.ec, "--kid", "unknown")
        self.assertInvalid(self.verify(other, "--jwks", self.jwks), "unknown_kid")
        swapped = self.gen("--key", self.rsa, "--kid", "rsa-1", "--alg", "RS256")
        self.assertInvalid(self.verify(swapped, "--jwks", self.jwks), "bad_algorithm")
        expired = self.gen("--key", self.ec, "--kid", "ec-1", "--expired")
        self.assertInvalid(self.verify(expired, "--jwks", self.jwks), "expired")
        # A PEM public key with its kid and algorithm given beside it.
        self.assertValid(self.verify(token, "--jwks", self.ec_pub, "--kid", "ec-1", "--alg",
                                     "ES256"))
        self.assertUsage(self.verify(token, "--jwks", self.ec_pub), "needs a key id")
        self.assertUsage(self.verify(token, "--kid", "ec-1"), "--jwks")

    def test_secret_beside_the_keyset(self):
        hs = self.gen("--secret", SECRET)
        es = self.gen("--key", self.ec, "--kid", "ec-1")
        # Without a secret configured, an HS256 token has no key.
        self.assertInvalid(self.verify(hs, "--jwks", self.jwks), "unknown_kid")
        both = ["--jwks", self.jwks, "--secret", SECRET]
        self.assertValid(self.verify(hs, *both))
        self.assertValid(self.verify(es, *both))
        env = {"APPROOV_BASE64_SECRET": SECRET}
        out = self.verify(hs, "--jwks", self.jwks, env=env)
        self.assertValid(out)
        self.assertIn("  secret   APPROOV_BASE64_SECRET", out.stdout)
        # A malformed secret is still a configuration error.
        self.assertUsage(self.verify(hs, "--jwks", self.jwks,
                                     env={"APPROOV_BASE64_SECRET": "not base64!"}),
                         "APPROOV_BASE64_SECRET")

    def test_bad_key_files(self):
        bad = os.path.join(self.dir, "bad.jwks")
        with open(bad, "w") as f:
            json.dump({"keys": [{"kty": "EC", "crv": "P-256", "kid": "a", "alg": "ES256",
                                 "x": "AAAA", "y": "AAAA"}]}, f)
        token = self.gen("--key", self.ec, "--kid", "ec-1")
        self.assertUsage(self.verify(token, "--jwks", bad), "key #1 (kid \"a\")",
                         "not of the curve's full size")
        self.assertUsage(self.verify(token, "--jwks", "/nonexistent.jwks"), "cannot open")
        self.assertUsage(self.verify(token, "--jwks", self.ec), "needs a key id")


if __name__ == "__main__":
    CLI = sys.argv[1]
    unittest.main(argv=[sys.argv[0], "-v"])
