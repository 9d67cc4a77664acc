#!/usr/bin/env python3
"""Differential tests against the npm `jose` package (panva/jose 5, which runs on Debian 12's
Node 18 and on Node 20): for every JWS algorithm of a keyset,
  - tokens jose signs verify here (approov-token verify with jose's public JWKS),
  - tokens approov-token gen signs verify in jose (with the JWKS approov-token jwks prints),
  - and over a corpus of broken tokens (tampered signatures, swapped algorithms, public keys
    used as HMAC secrets, DER or out-of-range ECDSA signatures, alg none, unknown kids, crit,
    expired, no exp, ...), every token jose rejects is rejected here too. Where this verifier is
    stricter than jose (non-canonical base64url, duplicate JSON members, ...), the token must be
    one of the known cases listed below.

jose is installed by this test into a cache directory under the build tree with
`npm install --no-save`; without npm (or node), or when the npm registry cannot be reached,
the test is skipped (exit status 77).

Usage: test_jose_differential.py PATH/TO/approov-token CACHE_DIR
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

JOSE_VERSION = "5.10.0"
HERE = os.path.dirname(os.path.abspath(__file__))
CLI = CACHE = None
NOW = int(time.time())
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]
OPENSSL_KEYS = {  # genpkey arguments per algorithm family
    "RS": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "PS": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "ES256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "ES384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    "ES512": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
    "EdDSA": ["-algorithm", "ED25519"],
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def install_jose():
    """jose in CACHE/node_modules (once per build tree), by the npm helper every differential
    test shares. Returns a reason to skip, or None; any other npm failure is an error."""
    proc = run(os.path.join(HERE, "..", "support", "npm-install.sh"), CACHE,
               "jose@" + JOSE_VERSION, check=False)
    if proc.returncode == 77:
        return proc.stdout.strip()[len("SKIP: "):]
    if proc.returncode != 0:
        raise SystemExit("npm install jose@%s failed: %s" % (JOSE_VERSION, proc.stderr.strip()[-800:]))
    return None


class Oracle:
    def __init__(self, workdir):
        self.workdir = workdir

    def call(self, mode, payload):
        path = os.path.join(self.workdir, mode + "-input.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        proc = run("node", os.path.join(HERE, "jose_oracle.cjs"), CACHE, mode, path, check=False)
        if proc.returncode != 0:
            raise AssertionError("jose oracle failed: " + proc.stderr)
        return json.loads(proc.stdout)


def our_verify(jwks_file, token):
    """approov-token's verdict: "ok" or the reason code."""
    proc = run(CLI, "verify", "--no-dotenv", "--jwks", jwks_file, "--now", str(NOW), token,
               check=False)
    if proc.returncode == 0:
        return "ok"
    if proc.returncode == 1 and proc.stdout.startswith("invalid: "):
        return proc.stdout.split()[1]
    raise AssertionError("approov-token verify failed: %s %s" % (proc.stdout, proc.stderr))


def resign_hs256(token, secret, header=None):
    head, payload, _ = token.split(".")
    if header is not None:
        head = b64url(json.dumps(header, separators=(",", ":")).encode())
    sig = hmac.new(secret, (head + "." + payload).encode(), hashlib.sha256).digest()
    return head + "." + payload + "." + b64url(sig)


def with_header(token, header):
    _, payload, sig = token.split(".")
    return b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + payload + "." + sig


def with_signature(token, sig):
    head, payload, _ = token.split(".")
    return head + "." + payload + "." + b64url(sig)


def ecdsa_der(raw):
    half = len(raw) // 2

    def integer(b):
        b = b.lstrip(b"\x00") or b"\x00"
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b

    body = integer(raw[:half]) + integer(raw[half:])
    length = bytes([len(body)]) if len(body) < 128 else b"\x81" + bytes([len(body)])
    return b"\x30" + length + body


class JoseDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="approov-jose-")
        cls.oracle = Oracle(cls.dir)
        cls.payload = {"exp": NOW + 3600, "iss": "acme.approov.io", "aud": "api.example.com",
                       "did": "device", "ip": "203.0.113.7"}
        # jose's keys and tokens.
        cls.variants = [("no exp", {"iss": "acme.approov.io"}, "missing_exp"),
                        ("exp a string", {"exp": str(NOW + 600)}, "bad_exp"),
                        ("expired", {"exp": NOW - 10}, "expired"),
                        ("nbf in the future", {"exp": NOW + 600, "nbf": NOW + 300},
                         "not_yet_valid"),
                        ("valid", {"exp": NOW + 600, "nbf": NOW - 300}, "ok")]
        signed = cls.oracle.call("sign", {"algorithms": ALGORITHMS, "payload": cls.payload,
                                          "variants": [v for _, v, _ in cls.variants]})
        cls.jose_jwks = os.path.join(cls.dir, "jose.jwks")
        with open(cls.jose_jwks, "w") as f:
            json.dump(signed["jwks"], f)
        cls.jose_jwks_doc = signed["jwks"]
        cls.jose_tokens = {t["alg"]: t["token"] for t in signed["tokens"] if not t.get("variant")}
        cls.jose_variant_tokens = [t["token"] for t in signed["tokens"] if t.get("variant")]
        # Our keys (openssl), JWKS (approov-token jwks) and tokens (approov-token gen).
        cls.our_keys, cls.our_tokens, keys = {}, {}, []
        for alg in ALGORITHMS:
            pem = os.path.join(cls.dir, alg + ".pem")
            run("openssl", "genpkey", *OPENSSL_KEYS.get(alg, OPENSSL_KEYS.get(alg[:2])),
                "-out", pem)
            kid = "ours-" + alg
            cls.our_keys[alg] = pem
            keys += json.loads(run(CLI, "jwks", "--key", pem, "--kid", kid, "--alg",
                                   alg).stdout)["keys"]
            claims = [a for k, v in cls.payload.items() if k != "exp"
                      for a in ("--claim", "%s=%s" % (k, v))]
            cls.our_tokens[alg] = run(CLI, "gen", "--key", pem, "--kid", kid, "--alg", alg,
                                      "--ttl", "3600", "--now", str(NOW), *claims).stdout.strip()
        cls.our_jwks_doc = {"keys": keys}
        cls.our_jwks = os.path.join(cls.dir, "ours.jwks")
        with open(cls.our_jwks, "w") as f:
            json.dump(cls.our_jwks_doc, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_jose_tokens_verify_here(self):
        for alg, token in self.jose_tokens.items():
            with self.subTest(alg=alg):
                self.assertEqual(our_verify(self.jose_jwks, token), "ok")

    def test_our_tokens_verify_in_jose(self):
        results = self.oracle.call("verify", {"jwks": self.our_jwks_doc, "now": NOW,
                                              "tokens": [self.our_tokens[a] for a in ALGORITHMS]})
        for alg, result in zip(ALGORITHMS, results):
            with self.subTest(alg=alg):
                self.assertTrue(result["ok"], result)
                self.assertEqual(our_verify(self.our_jwks, self.our_tokens[alg]), "ok")

    def broken_tokens(self, tokens, jwks_doc, pem_of=None):
        """(name, token, stricter) triples: stricter means jose may accept what we refuse."""
        out = []
        keys = {k["alg"]: k for k in jwks_doc["keys"]}
        for alg, token in tokens.items():
            head, payload, sig = token.split(".")
            header = json.loads(unb64url(head))
            raw = unb64url(sig)
            kid = header["kid"]
            flipped = bytearray(raw)
            flipped[len(flipped) // 2] ^= 1
            out.append(("%s tampered signature" % alg, with_signature(token, bytes(flipped)), False))
            out.append(("%s tampered payload" % alg,
                        head + "." + b64url(unb64url(payload).replace(b"device", b"devicf")) +
                        "." + sig, False))
            for other in ("RS256", "PS256", "ES256", "EdDSA", "HS256", "none", "ES384"):
                if other != alg:
                    out.append(("%s header says %s" % (alg, other),
                                with_header(token, dict(header, alg=other)), False))
            out.append(("%s unknown kid" % alg, with_header(token, dict(header, kid="nope")), False))
            out.append(("%s kid as a number" % alg, with_header(token, dict(header, kid=7)), False))
            out.append(("%s crit" % alg, with_header(token, dict(header, crit=["exp"])), False))
            # A public key as an HMAC secret, in several encodings, under the key's kid.
            jwk_text = json.dumps(keys[alg], separators=(",", ":")).encode()
            secrets = [jwk_text]
            if "n" in keys[alg]:
                secrets.append(unb64url(keys[alg]["n"]))
            if "x" in keys[alg]:
                secrets.append(unb64url(keys[alg]["x"]) + unb64url(keys[alg].get("y", "")))
            if pem_of is not None:
                pub = run("openssl", "pkey", "-in", pem_of[alg], "-pubout").stdout.encode()
                der = subprocess.run(["openssl", "pkey", "-in", pem_of[alg], "-pubout",
                                      "-outform", "DER"], capture_output=True, check=True).stdout
                secrets += [pub, der]
            for i, secret in enumerate(secrets):
                out.append(("%s HS256 with public key encoding %d" % (alg, i),
                            resign_hs256(token, secret, dict(header, alg="HS256")), False))
            if alg.startswith("ES"):
                out.append(("%s DER signature" % alg, with_signature(token, ecdsa_der(raw)), False))
                half = len(raw) // 2
                out.append(("%s r zero" % alg, with_signature(token, bytes(half) + raw[half:]),
                            False))
                out.append(("%s s zero" % alg, with_signature(token, raw[:half] + bytes(half)),
                            False))
                out.append(("%s r all ones" % alg,
                            with_signature(token, b"\xff" * half + raw[half:]), False))
            out.append(("%s signature one byte short" % alg, with_signature(token, raw[:-1]),
                        False))
            out.append(("%s no signature" % alg, head + "." + payload + ".", False))
            out.append(("%s four segments" % alg, token + ".AAAA", False))
            # Where this verifier is stricter than jose.
            if len(sig) % 4 != 0:
                alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                noncanonical = sig[:-1] + alphabet[alphabet.index(sig[-1]) + 1]
                out.append(("%s non-canonical base64url signature" % alg,
                            head + "." + payload + "." + noncanonical, True))
                out.append(("%s padded signature" % alg,
                            token + "=" * (-len(sig) % 4), True))
        return out

    def check_corpus(self, tokens, jwks_doc, jwks_file, pem_of=None):
        corpus = self.broken_tokens(tokens, jwks_doc, pem_of)
        # Claims-level cases, signed properly by jose or by us (exp, duplicate members).
        results = self.oracle.call("verify", {"jwks": jwks_doc, "now": NOW,
                                              "tokens": [t for _, t, _ in corpus]})
        self.assertEqual(len(results), len(corpus))
        jose_rejected = 0
        for (name, token, stricter), result in zip(corpus, results):
            ours = our_verify(jwks_file, token)
            with self.subTest(case=name):
                if not result["ok"]:
                    jose_rejected += 1
                    self.assertNotEqual(ours, "ok", "jose rejects (%s), we accept" % result["error"])
                elif ours != "ok":
                    self.assertTrue(stricter, "we reject (%s) what jose accepts, unexpectedly" % ours)
        self.assertGreater(jose_rejected, len(corpus) // 2)

    def test_broken_jose_tokens(self):
        self.check_corpus(self.jose_tokens, self.jose_jwks_doc, self.jose_jwks)

    def test_broken_tokens_of_ours(self):
        self.check_corpus(self.our_tokens, self.our_jwks_doc, self.our_jwks, self.our_keys)

    def test_claims_rules_agree(self):
        """Tokens jose signed that differ only in their claims: both verifiers agree."""
        results = self.oracle.call("verify", {"jwks": self.jose_jwks_doc, "now": NOW,
                                              "tokens": self.jose_variant_tokens})
        self.assertEqual(len(results), len(self.variants))
        for (name, _, want), token, result in zip(self.variants, self.jose_variant_tokens,
                                                  results):
            with self.subTest(case=name):
                self.assertEqual(our_verify(self.jose_jwks, token), want)
                self.assertEqual(result["ok"], want == "ok", result)


def main():
    global CLI, CACHE
    CLI, CACHE = sys.argv[1], os.path.abspath(sys.argv[2])
    skip = install_jose()
    if skip:
        print("SKIP: " + skip)
        return 77
    result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
