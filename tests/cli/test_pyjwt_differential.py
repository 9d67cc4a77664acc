#!/usr/bin/env python3
"""Differential tests: approov-token against PyJWT (Debian python3-jwt), an independent HS256
implementation.

- tokens minted by `approov-token gen` verify with PyJWT and carry the same claims;
- tokens minted by PyJWT (`jwt.encode`) verify with `approov-token verify`;
- edge tokens get the same verdict from both where both should agree;
- the places where they knowingly differ are pinned down, so that a change on either side is
  noticed (see docs/CLI.md, "Differences from PyJWT").

PyJWT's clock is fixed by replacing the `datetime` that jwt.api_jwt reads, and ours by --now,
so both judge at the same instant.

Usage: test_pyjwt_differential.py PATH/TO/approov-token
"""

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
import unittest

import jwt
import jwt.api_jwt

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test_support import (OTHER_SECRET_BYTES, PUBLIC_SECRET, PUBLIC_SECRET_BYTES,  # noqa: E402
                              PUBLIC_TOKEN, Cli, b64url, mint, pay_for)

CLI = None  # set in main

NOW = 1_900_000_000  # the instant both sides judge at

IPK = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIxLZYh6EmjPnf6XW8pmLSgbQ5tLffXwl0dIwpdmIetSe"
       "/HwXxopCMulalNo+OLVdQp34+HPtwrEvVhmsWxboCA==")


@contextlib.contextmanager
def pyjwt_clock(now):
    """Makes PyJWT's claim checks see `now` (PyJWT 2.6 reads datetime.now in api_jwt)."""
    real = jwt.api_jwt.datetime

    class Fixed(real):
        @classmethod
        def now(cls, tz=None):
            return real.fromtimestamp(now, tz=tz or dt.timezone.utc)

    jwt.api_jwt.datetime = Fixed
    try:
        yield
    finally:
        jwt.api_jwt.datetime = real


def pyjwt_verdict(token, key=PUBLIC_SECRET_BYTES, now=NOW, leeway=0, require_exp=False):
    """('valid', claims) or ('invalid', exception class name)."""
    options = {"require": ["exp"]} if require_exp else {}
    with pyjwt_clock(now):
        try:
            return "valid", jwt.decode(token, key, algorithms=["HS256"], leeway=leeway,
                                       options=options)
        except (jwt.PyJWTError, TypeError) as e:
            # PyJWT 2.6 lets a TypeError escape for a non-numeric exp such as null or [1]
            # (int() of it); it still refuses the token, which is what is compared here.
            return "invalid", type(e).__name__


def ours_verdict(token, now=NOW, leeway=0, secret=PUBLIC_SECRET, extra=()):
    proc = CLI.run("verify", "--now", str(now), "--leeway", str(leeway), *extra, token,
                   secret=secret)
    if proc.returncode == 0:
        return "valid", None
    if proc.returncode == 1:
        return "invalid", proc.stdout.split()[1]
    raise AssertionError(f"verify exited {proc.returncode}: {proc.stderr}")


def ours_decoded_claims(token):
    proc = CLI.run("decode", token)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["claims"]


class GenThenPyJWT(unittest.TestCase):
    """Tokens minted by approov-token gen verify with PyJWT, with the same claims."""

    CLAIM_SETS = [
        ([], {}),
        (["--claim", "ip=203.0.113.42", "--claim", "did=hBjW4otKXIKqVya0outEFQ==",
          "--claim", "arc=RVRT8L6RVG", "--claim", "ipk=" + IPK],
         {"ip": "203.0.113.42", "did": "hBjW4otKXIKqVya0outEFQ==", "arc": "RVRT8L6RVG",
          "ipk": IPK}),
        (["--claim", "n=12", "--claim", "f=-0.25", "--claim", "b=false", "--claim", "z=null",
          "--claim", 'o={"k":[1,"two",{"three":3.5}]}', "--claim", 'q="12"'],
         {"n": 12, "f": -0.25, "b": False, "z": None, "o": {"k": [1, "two", {"three": 3.5}]},
          "q": "12"}),
        (["--claim", "sub=caf\u00e9 \u2603 \U0001F600", "--claim", 'esc=a"b\\c\td'],
         {"sub": "caf\u00e9 \u2603 \U0001F600", "esc": 'a"b\\c\td'}),
        (["--claim", "iss=https://example.test", "--claim", "aud=api", "--claim",
          f"iat={NOW - 10}", "--claim", f"nbf={NOW - 10}"],
         {"iss": "https://example.test", "aud": "api", "iat": NOW - 10, "nbf": NOW - 10}),
    ]

    def check(self, token, expected_claims):
        verdict, claims = pyjwt_verdict_for_claims(token, expected_claims)
        self.assertEqual(verdict, "valid", claims)
        self.assertEqual(claims, expected_claims)
        self.assertEqual(ours_decoded_claims(token), expected_claims)
        self.assertEqual(ours_verdict(token), ("valid", None))

    def test_claim_sets(self):
        for args, claims in self.CLAIM_SETS:
            with self.subTest(args=args):
                token = CLI.gen("--exp", str(NOW + 600), *args)
                self.check(token, {"exp": NOW + 600, **claims})

    def test_fractional_exp(self):
        for exp in ("1900000600.891912", "1900000600.5", "1900000600.0"):
            with self.subTest(exp=exp):
                token = CLI.gen("--exp", exp)
                self.check(token, {"exp": float(exp)})

    def test_binding_pay(self):
        auth = "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"
        token = CLI.gen("--exp", str(NOW + 600), "--bind", auth)
        self.check(token, {"exp": NOW + 600, "pay": pay_for(auth)})
        digest = base64.b64decode(jwt.decode(token, PUBLIC_SECRET_BYTES, algorithms=["HS256"],
                                             options={"verify_exp": False})["pay"])
        self.assertEqual(digest, hashlib.sha256(auth.encode()).digest())

    def test_kid_header(self):
        token = CLI.gen("--exp", str(NOW + 600), "--kid", "key-2")
        self.assertEqual(jwt.get_unverified_header(token),
                         {"typ": "JWT", "alg": "HS256", "kid": "key-2"})
        self.check(token, {"exp": NOW + 600})

    def test_other_secret(self):
        secret = base64.b64encode(OTHER_SECRET_BYTES).decode()
        token = CLI.gen("--exp", str(NOW + 600), secret=secret)
        self.assertEqual(pyjwt_verdict(token, key=OTHER_SECRET_BYTES)[0], "valid")
        self.assertEqual(pyjwt_verdict(token)[0], "invalid")


def pyjwt_verdict_for_claims(token, claims):
    # PyJWT checks aud only when told which audience to expect; give it the one in the token.
    kwargs = {}
    if "aud" in claims:
        kwargs["audience"] = claims["aud"]
    if "iss" in claims:
        kwargs["issuer"] = claims["iss"]
    with pyjwt_clock(NOW):
        try:
            return "valid", jwt.decode(token, PUBLIC_SECRET_BYTES, algorithms=["HS256"],
                                       **kwargs)
        except jwt.PyJWTError as e:
            return "invalid", type(e).__name__


class PyJWTThenOurs(unittest.TestCase):
    """Tokens minted by PyJWT's jwt.encode verify with approov-token verify."""

    def encode(self, claims, key=PUBLIC_SECRET_BYTES, **kw):
        return jwt.encode(claims, key, algorithm="HS256", **kw)

    def test_claim_sets(self):
        sets = [
            {"exp": NOW + 1},
            {"exp": NOW + 3600, "ip": "2001:db8::1", "did": "abc", "arc": "X", "ipk": IPK},
            {"exp": NOW + 3600.891912, "nested": {"a": [1, 2.5, None, True]}},
            {"exp": NOW + 60, "sub": "caf\u00e9 \U0001F600", "aud": ["a", "b"]},
            {"exp": NOW + 60, "iat": NOW, "nbf": NOW},
        ]
        for claims in sets:
            with self.subTest(claims=claims):
                token = self.encode(claims)
                self.assertEqual(ours_verdict(token), ("valid", None))
                self.assertEqual(ours_decoded_claims(token), claims)

    def test_pyjwt_header_with_kid(self):
        token = self.encode({"exp": NOW + 60}, headers={"kid": "k1"})
        self.assertEqual(jwt.get_unverified_header(token)["kid"], "k1")
        self.assertEqual(ours_verdict(token), ("valid", None))

    def test_binding(self):
        auth = "Bearer some-user-token"
        token = self.encode({"exp": NOW + 60, "pay": pay_for(auth)})
        self.assertEqual(ours_verdict(token, extra=("--bind", auth)), ("valid", None))
        self.assertEqual(ours_verdict(token, extra=("--bind", auth + "!")),
                         ("invalid", "binding_mismatch"))
        # PyJWT-style url-safe unpadded pay is accepted too (docs/BEHAVIOUR.md §5: either alphabet).
        url_pay = base64.urlsafe_b64encode(hashlib.sha256(auth.encode()).digest()).rstrip(b"=")
        token = self.encode({"exp": NOW + 60, "pay": url_pay.decode()})
        self.assertEqual(ours_verdict(token, extra=("--bind", auth)), ("valid", None))

    def test_published_token_both_sides(self):
        self.assertEqual(pyjwt_verdict(PUBLIC_TOKEN)[0], "valid")
        self.assertEqual(ours_verdict(PUBLIC_TOKEN), ("valid", None))


class EdgeTokensAgree(unittest.TestCase):
    """Both implementations give the same verdict."""

    def agree(self, token, expected, now=NOW, leeway=0):
        theirs = pyjwt_verdict(token, now=now, leeway=leeway, require_exp=True)[0]
        ours = ours_verdict(token, now=now, leeway=leeway)[0]
        self.assertEqual((theirs, ours), (expected, expected), f"PyJWT {theirs}, ours {ours}")

    def test_time_boundaries_with_integer_claims(self):
        exp = NOW + 100
        token = jwt.encode({"exp": exp}, PUBLIC_SECRET_BYTES, algorithm="HS256")
        for now, leeway, expected in [(exp - 1, 0, "valid"), (exp, 0, "invalid"),
                                      (exp + 1, 0, "invalid"), (exp + 9, 10, "valid"),
                                      (exp + 10, 10, "invalid"), (exp + 299, 300, "valid"),
                                      (exp + 300, 300, "invalid")]:
            with self.subTest(now=now, leeway=leeway):
                self.agree(token, expected, now=now, leeway=leeway)

    def test_nbf_and_iat(self):
        nbf = jwt.encode({"exp": NOW + 100, "nbf": NOW + 10}, PUBLIC_SECRET_BYTES)
        iat = jwt.encode({"exp": NOW + 100, "iat": NOW + 10}, PUBLIC_SECRET_BYTES)
        for token in (nbf, iat):
            for now, leeway, expected in [(NOW + 9, 0, "invalid"), (NOW + 10, 0, "valid"),
                                          (NOW + 5, 5, "valid"), (NOW + 4, 5, "invalid")]:
                with self.subTest(now=now, leeway=leeway):
                    self.agree(token, expected, now=now, leeway=leeway)

    def test_expired(self):
        self.agree(CLI.gen("--exp", str(NOW - 1)), "invalid")
        self.agree(jwt.encode({"exp": NOW - 3600}, PUBLIC_SECRET_BYTES), "invalid")

    def test_wrong_key(self):
        self.agree(jwt.encode({"exp": NOW + 60}, OTHER_SECRET_BYTES), "invalid")
        self.agree(CLI.gen("--exp", str(NOW + 60), secret=base64.b64encode(
            OTHER_SECRET_BYTES).decode()), "invalid")

    def test_tampered(self):
        token = CLI.gen("--exp", str(NOW + 60), "--claim", "ip=10.0.0.1")
        h, p, s = token.split(".")
        forged = b64url(b'{"exp":%d,"ip":"10.0.0.2"}' % (NOW + 60))
        self.agree(f"{h}.{forged}.{s}", "invalid")
        self.agree(f"{h}.{p}.{s[:-1]}{'A' if s[-1] != 'A' else 'E'}", "invalid")
        self.agree(f"{h}.{p}.{b64url(bytes(32))}", "invalid")

    def test_alg_none(self):
        unsigned = jwt.encode({"exp": NOW + 60}, None, algorithm="none")
        self.assertTrue(unsigned.endswith("."))
        self.agree(unsigned, "invalid")
        # ... also with a signature attached (the classic alg-confusion attempt).
        self.agree(mint({"typ": "JWT", "alg": "none"}, {"exp": NOW + 60}), "invalid")

    def test_other_hmac_algorithms(self):
        for alg in ("HS384", "HS512"):
            with self.subTest(alg=alg):
                self.agree(jwt.encode({"exp": NOW + 60}, PUBLIC_SECRET_BYTES, algorithm=alg),
                           "invalid")
        # HS256 MAC under a header that claims HS384: both refuse on the header.
        self.agree(mint({"typ": "JWT", "alg": "HS384"}, {"exp": NOW + 60}), "invalid")

    def test_structure(self):
        good = jwt.encode({"exp": NOW + 60}, PUBLIC_SECRET_BYTES)
        for bad in (good + ".x", good.rsplit(".", 1)[0], "a.b.c", "", good.replace(".", "..", 1)):
            with self.subTest(token=bad[:30]):
                self.agree(bad, "invalid")

    def test_bad_exp_types(self):
        for payload in ('{"exp":"soon"}', '{"exp":null}', '{"exp":[1]}'):
            with self.subTest(payload=payload):
                self.agree(mint({"alg": "HS256"}, payload), "invalid")


class KnownDifferences(unittest.TestCase):
    """Where PyJWT and this project deliberately differ (documented in docs/CLI.md). Each test
    asserts both sides' current verdicts so that a change on either side is noticed."""

    def test_fractional_exp_is_compared_exactly_not_truncated(self):
        # exp = NOW + 0.5: still valid at NOW for us (now < exp); PyJWT truncates exp to int
        # and calls it expired.
        token = CLI.gen("--exp", f"{NOW}.5")
        self.assertEqual(ours_verdict(token, now=NOW), ("valid", None))
        self.assertEqual(pyjwt_verdict(token, now=NOW), ("invalid", "ExpiredSignatureError"))
        # One second later both agree.
        self.assertEqual(ours_verdict(token, now=NOW + 1)[0], "invalid")
        self.assertEqual(pyjwt_verdict(token, now=NOW + 1)[0], "invalid")

    def test_exp_is_required(self):
        token = jwt.encode({"ip": "1.2.3.4"}, PUBLIC_SECRET_BYTES)
        self.assertEqual(ours_verdict(token), ("invalid", "missing_exp"))
        self.assertEqual(pyjwt_verdict(token)[0], "valid")  # PyJWT: exp optional by default
        self.assertEqual(pyjwt_verdict(token, require_exp=True)[0], "invalid")

    def test_duplicate_claims_are_rejected(self):
        token = mint({"alg": "HS256"}, '{"exp":1,"exp":%d}' % (NOW + 60))
        self.assertEqual(ours_verdict(token), ("invalid", "bad_json"))
        self.assertEqual(pyjwt_verdict(token)[0], "valid")  # Python's json: last one wins

    def test_non_canonical_base64url_is_rejected(self):
        token = jwt.encode({"exp": NOW + 60}, PUBLIC_SECRET_BYTES)
        h, p, s = token.split(".")
        # The signature's last character carries 2 unused bits; set one of them.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        tweaked = s[:-1] + alphabet[alphabet.index(s[-1]) ^ 1]
        self.assertEqual(ours_verdict(f"{h}.{p}.{tweaked}"), ("invalid", "malformed"))
        self.assertEqual(pyjwt_verdict(f"{h}.{p}.{tweaked}")[0], "valid")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_pyjwt_differential.py PATH/TO/approov-token [unittest args]")
    CLI = Cli(os.path.abspath(sys.argv.pop(1)))
    unittest.main(verbosity=2)
