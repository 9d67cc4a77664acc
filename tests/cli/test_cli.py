#!/usr/bin/env python3
"""Behaviour of the approov-token CLI (docs/BEHAVIOUR.md §4, §7), run as a real process.

Usage: test_cli.py PATH/TO/approov-token
"""

import base64
import json
import os
import re
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test_support import (OTHER_SECRET, OTHER_SECRET_BYTES, PUBLIC_SECRET,  # noqa: E402
                              PUBLIC_SECRET_BYTES, PUBLIC_TOKEN, Cli, b64url, mint, pay_for)

CLI = None  # set in main

# Published by the Approov quickstarts with the public secret: a token bound to AUTH_HEADER,
# and the "signed with an unknown secret" example.
BIND_TOKEN = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MTgwMTgyMjQuNzgwMzY4LCJwYXki"
              "OiJWUUZGUEpaNjgyYU90eFJNanowa3RDSG15V2VFRWVTTXZYaDF1RDhKM3ZrPSJ9."
              "N-KwuLeUt9s6TDibhX32AIkhobCYVh5-brVESqUxdBk")
AUTH_HEADER = ("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
               "IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
BADSIG_TOKEN = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ."
                "_ZdLOZmK4KXSIpVlhOpHBgboSHHTWer-X6oLqFIDQWI")

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$")


def payload_of(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def header_of(token):
    seg = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


class Base(unittest.TestCase):
    def verify(self, token, *args, **kw):
        return CLI.run("verify", *args, token, **kw)

    def assertValid(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.startswith("valid\n"), proc.stdout)

    def assertInvalid(self, proc, reason):
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertTrue(proc.stdout.startswith(f"invalid: {reason} "), proc.stdout)

    def assertUsage(self, proc, *needles):
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        for needle in needles:
            self.assertIn(needle, proc.stderr)


class HelpAndUsage(Base):
    def test_help_on_every_subcommand(self):
        for args in ([], ["verify"], ["gen"], ["decode"], ["bench"]):
            proc = CLI.run(*args, "--help")
            self.assertEqual(proc.returncode, 0, args)
            self.assertIn("Usage:", proc.stdout)
        self.assertIn("APPROOV_BASE64_SECRET", CLI.run("verify", "--help").stdout)
        self.assertIn(".env", CLI.run("verify", "--help").stdout)
        self.assertIn("UNVERIFIED", CLI.run("decode", "--help").stdout.upper())

    def test_version(self):
        proc = CLI.run("--version")
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout, r"^approov-token \d+\.\d+\.\d+")

    def test_usage_errors_exit_2(self):
        cases = [
            [],
            ["frobnicate"],
            ["verify"],
            ["verify", "--bogus", PUBLIC_TOKEN],
            ["verify", "--now", "soon", PUBLIC_TOKEN],
            ["verify", "--leeway", "301", PUBLIC_TOKEN],
            # --now outside 0..253402300799 (year 9999) is refused, as gen refuses it: at the
            # int64 ends now - leeway used to saturate and call a valid token expired.
            ["verify", "--now=-9223372036854775808", "--leeway", "1", PUBLIC_TOKEN],
            ["verify", "--now=-1", PUBLIC_TOKEN],
            ["verify", "--now", "253402300800", PUBLIC_TOKEN],
            ["verify", "--leeway=-1", PUBLIC_TOKEN],
            ["verify", "--allow-missing-pay", PUBLIC_TOKEN],
            ["verify", "--secret", PUBLIC_SECRET, "--secret-url", "abc", PUBLIC_TOKEN],
            ["verify", PUBLIC_TOKEN, "extra"],
            ["verify", "--secret=", PUBLIC_TOKEN],
            ["verify", "--secret-file", "", PUBLIC_TOKEN],
            ["decode"],
            ["gen", "--exp", "1", "--ttl", "5"],
            ["gen", "--exp", "tomorrow"],
            ["gen", "--exp", "1e"],
            ["gen", "--claim", "novalue"],
            ["gen", "--claim", "=1"],
            ["gen", "--claim", "exp=5"],
            ["gen", "--claim", "a=1", "--claim", "a=2"],
            ["gen", "--claim", "pay=x", "--bind", "y"],
            ["gen", "--claim", 'o={"a":1,"a":2}'],
            ["gen", "--ttl", "9223372036854775807"],
            ["gen", "--now=-1"],
            ["gen", "--now", "9223372036854775807", "--expired"],
            ["bench", "-n", "0"],
            ["bench", "-n", "many"],
        ]
        for args in cases:
            with self.subTest(args=args):
                proc = CLI.run(*args)
                self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
                self.assertNotEqual(proc.stderr.strip(), "")
                self.assertNotIn(PUBLIC_SECRET, proc.stdout + proc.stderr)


class Verify(Base):
    def test_published_quickstart_token_is_valid(self):
        proc = self.verify(PUBLIC_TOKEN)
        self.assertValid(proc)
        self.assertIn("4708683205.891912", proc.stdout)
        self.assertIn("2119-03-19T15:33:25Z", proc.stdout)

    def test_published_bad_signature_example(self):
        self.assertInvalid(self.verify(BADSIG_TOKEN), "bad_signature")

    def test_published_binding_example(self):
        self.assertValid(self.verify(BIND_TOKEN, "--bind", AUTH_HEADER))
        self.assertInvalid(self.verify(BIND_TOKEN, "--bind", AUTH_HEADER + "x"), "binding_mismatch")

    def test_output_never_contains_token_or_secret(self):
        token = CLI.gen("--claim", "ip=203.0.113.7")
        runs = [
            self.verify(token),
            self.verify(token[:-2] + ("AA" if not token.endswith("AA") else "BA")),
            self.verify(token, "--secret", OTHER_SECRET),
            self.verify(token, "--bind", "x"),
            CLI.run("verify", "--secrets", PUBLIC_SECRET, token),
            CLI.run("verify", token, token),
            CLI.run("verify", "--secret=" + PUBLIC_SECRET, token, "extra-argument"),
        ]
        for proc in runs:
            out = proc.stdout + proc.stderr
            self.assertNotIn(token, out)
            self.assertNotIn(token.split(".")[2], out)
            self.assertNotIn(PUBLIC_SECRET, out)
            self.assertNotIn(OTHER_SECRET, out)

    def test_summary_shows_fingerprint_and_claim_names(self):
        token = CLI.gen("--claim", "ip=203.0.113.7", "--claim", "did=abc", "--bind", "B")
        proc = self.verify(token)
        self.assertValid(proc)
        self.assertRegex(proc.stdout, r"token +[0-9a-f]{16} ")
        self.assertIn("exp, ip, did, pay", proc.stdout)

    def test_claim_names_cannot_inject_terminal_controls(self):
        proc = self.verify(mint({"alg": "HS256"}, '{"exp":4708683205,"a\\u001b[2Jb":1}'))
        self.assertValid(proc)
        self.assertNotIn("\x1b", proc.stdout)
        self.assertIn("a?[2Jb", proc.stdout)

    def test_gen_then_verify(self):
        self.assertValid(self.verify(CLI.gen()))

    def test_token_from_stdin_is_trimmed(self):
        proc = CLI.run("verify", "-", stdin="\n  " + PUBLIC_TOKEN + " \r\n")
        self.assertValid(proc)
        proc = CLI.run("verify", "-", stdin="")
        self.assertInvalid(proc, "malformed")

    def test_tampering_is_a_bad_signature(self):
        token = CLI.gen("--claim", "ip=10.0.0.1")
        head, payload, sig = token.split(".")
        forged = b64url(json.dumps({**payload_of(token), "ip": "10.0.0.2"},
                                   separators=(",", ":")).encode())
        self.assertInvalid(self.verify(f"{head}.{forged}.{sig}"), "bad_signature")
        other_sig = b64url(bytes(32))
        self.assertInvalid(self.verify(f"{head}.{payload}.{other_sig}"), "bad_signature")
        # A bad MAC wins over a bad exp: never "expired" for a forged token.
        expired = CLI.gen("--expired")
        h, p, s = expired.split(".")
        self.assertInvalid(self.verify(f"{h}.{p}.{other_sig}"), "bad_signature")

    def test_wrong_secret_is_a_bad_signature(self):
        self.assertInvalid(self.verify(PUBLIC_TOKEN, secret=OTHER_SECRET), "bad_signature")

    def test_malformed_tokens(self):
        for bad in ["", "abc", "a.b", "a.b.c.d", PUBLIC_TOKEN + "=", "x" * 9000]:
            with self.subTest(token=bad[:20]):
                proc = self.verify(bad)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                self.assertRegex(proc.stdout, r"^invalid: (malformed|token_too_long|missing_token)")

    def test_header_rules(self):
        payload = {"exp": 4708683205}
        self.assertInvalid(self.verify(mint({"alg": "none", "typ": "JWT"}, payload)), "bad_header")
        self.assertInvalid(self.verify(mint({"alg": "HS384"}, payload)), "bad_header")
        self.assertInvalid(self.verify(mint({"alg": "hs256"}, payload)), "bad_header")
        self.assertValid(self.verify(mint({"alg": "HS256"}, payload)))
        # An unsigned alg:none token (empty signature) is not even well-formed.
        unsigned = b64url(b'{"alg":"none"}') + "." + b64url(b'{"exp":4708683205}') + "."
        self.assertInvalid(self.verify(unsigned), "malformed")

    def test_payload_rules(self):
        h = {"typ": "JWT", "alg": "HS256"}
        self.assertInvalid(self.verify(mint(h, {"ip": "1.2.3.4"})), "missing_exp")
        self.assertInvalid(self.verify(mint(h, {"exp": "4708683205"})), "bad_exp")
        self.assertInvalid(self.verify(mint(h, '{"exp":1,"exp":4708683205}')), "bad_json")
        self.assertInvalid(self.verify(mint(h, "[4708683205]")), "bad_json")

    def test_expired_token_from_gen(self):
        self.assertInvalid(self.verify(CLI.gen("--exp", "1500000000")), "expired")
        self.assertInvalid(self.verify(CLI.gen("--expired")), "expired")
        self.assertInvalid(self.verify(CLI.gen("--ttl=-10")), "expired")

    def test_now_boundary_integer_exp(self):
        token = CLI.gen("--exp", "2000000000")
        self.assertValid(self.verify(token, "--now", "1999999999"))
        self.assertInvalid(self.verify(token, "--now", "2000000000"), "expired")

    def test_now_boundary_fractional_exp(self):
        token = CLI.gen("--exp", "2000000000.5")
        self.assertValid(self.verify(token, "--now", "2000000000"))
        self.assertInvalid(self.verify(token, "--now", "2000000001"), "expired")
        self.assertValid(self.verify(PUBLIC_TOKEN, "--now", "4708683205"))
        self.assertInvalid(self.verify(PUBLIC_TOKEN, "--now", "4708683206"), "expired")

    def test_leeway_boundary(self):
        token = CLI.gen("--exp", "2000000000")
        self.assertValid(self.verify(token, "--now", "2000000009", "--leeway", "10"))
        self.assertInvalid(self.verify(token, "--now", "2000000010", "--leeway", "10"), "expired")
        self.assertValid(self.verify(token, "--now", "2000000299", "--leeway", "300"))
        self.assertInvalid(self.verify(token, "--now", "2000000300", "--leeway", "300"), "expired")

    def test_nbf_and_iat(self):
        nbf = CLI.gen("--exp", "2000000000", "--claim", "nbf=1999999000")
        self.assertInvalid(self.verify(nbf, "--now", "1999998999"), "not_yet_valid")
        self.assertValid(self.verify(nbf, "--now", "1999999000"))
        self.assertValid(self.verify(nbf, "--now", "1999998995", "--leeway", "5"))
        iat = CLI.gen("--exp", "2000000000", "--claim", "iat=1999999000")
        self.assertInvalid(self.verify(iat, "--now", "1999998999"), "iat_future")
        self.assertValid(self.verify(iat, "--now", "1999999000"))

    def test_binding(self):
        auth = "Bearer user-session-token"
        token = CLI.gen("--bind", auth)
        self.assertEqual(payload_of(token)["pay"], pay_for(auth))
        self.assertValid(self.verify(token, "--bind", auth))
        self.assertInvalid(self.verify(token, "--bind", auth + " "), "binding_mismatch")
        self.assertInvalid(self.verify(token, "--bind", "bearer user-session-token"),
                           "binding_mismatch")
        self.assertInvalid(self.verify(token, "--bind", ""), "missing_binding_header")
        self.assertInvalid(self.verify(token, "--bind="), "missing_binding_header")
        self.assertValid(self.verify(token, "--bind=" + auth))
        # Binding is off unless asked for.
        self.assertValid(self.verify(token))

    def test_binding_without_pay(self):
        token = CLI.gen()
        self.assertInvalid(self.verify(token, "--bind", "x"), "missing_pay")
        proc = self.verify(token, "--bind", "x", "--allow-missing-pay")
        self.assertValid(proc)
        self.assertIn("no pay claim", proc.stdout)
        # The option does not excuse a wrong pay.
        bound = CLI.gen("--bind", "y")
        self.assertInvalid(self.verify(bound, "--bind", "x", "--allow-missing-pay"),
                           "binding_mismatch")
        bad_pay = CLI.gen("--claim", "pay=not-a-hash")
        self.assertInvalid(self.verify(bad_pay, "--bind", "x"), "bad_pay")


class Secrets(Base):
    def test_no_secret_names_both_variables(self):
        proc = self.verify(PUBLIC_TOKEN, secret=None)
        self.assertUsage(proc, "APPROOV_BASE64_SECRET", "APPROOV_BASE64URL_SECRET")
        self.assertEqual(proc.stdout, "")
        proc = self.verify(PUBLIC_TOKEN, secret="")
        self.assertUsage(proc, "APPROOV_BASE64_SECRET")

    def test_bad_secrets_are_named_never_echoed(self):
        bad = [
            PUBLIC_SECRET.rstrip("="),               # standard base64 needs its padding
            PUBLIC_SECRET[:40] + " " + PUBLIC_SECRET[40:],  # inner whitespace
            PUBLIC_SECRET.replace("+", "-"),         # mixed alphabet
            base64.b64encode(b"s" * 31).decode(),    # too short
            "QUJD!EVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlq",
        ]
        for secret in bad:
            with self.subTest(secret=secret[:12]):
                proc = self.verify(PUBLIC_TOKEN, secret=secret)
                self.assertUsage(proc, "APPROOV_BASE64_SECRET")
                self.assertNotIn(secret, proc.stdout + proc.stderr)
                self.assertNotIn(secret.strip()[:16], proc.stdout + proc.stderr)
                proc = self.verify(PUBLIC_TOKEN, "--secret", secret, secret=None)
                self.assertUsage(proc, "--secret")
                self.assertNotIn(secret.strip()[:16], proc.stdout + proc.stderr)
                proc = CLI.run("gen", secret=secret)
                self.assertUsage(proc, "APPROOV_BASE64_SECRET")
                self.assertEqual(proc.stdout, "")
                self.assertNotIn(secret.strip()[:16], proc.stderr)

    def test_surrounding_whitespace_is_trimmed(self):
        self.assertValid(self.verify(PUBLIC_TOKEN, secret="  " + PUBLIC_SECRET + "\n"))

    def test_base64url_variable_and_flags(self):
        url = base64.urlsafe_b64encode(PUBLIC_SECRET_BYTES).decode().rstrip("=")
        self.assertValid(self.verify(PUBLIC_TOKEN, secret=None,
                                     env={"APPROOV_BASE64URL_SECRET": url}))
        self.assertValid(self.verify(PUBLIC_TOKEN, "--secret-url=" + url, secret=None))
        self.assertValid(self.verify(PUBLIC_TOKEN, "--secret", PUBLIC_SECRET, secret=None))
        # Both variables with different secrets is a configuration error.
        proc = self.verify(PUBLIC_TOKEN, env={
            "APPROOV_BASE64URL_SECRET": base64.urlsafe_b64encode(OTHER_SECRET_BYTES).decode()})
        self.assertUsage(proc, "APPROOV_BASE64URL_SECRET")

    def test_flag_beats_environment(self):
        self.assertInvalid(self.verify(PUBLIC_TOKEN, "--secret", OTHER_SECRET), "bad_signature")
        self.assertValid(self.verify(PUBLIC_TOKEN, "--secret", PUBLIC_SECRET, secret=OTHER_SECRET))

    def test_secret_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "secret")
            with open(path, "w") as f:
                f.write(PUBLIC_SECRET + "\n")
            self.assertValid(self.verify(PUBLIC_TOKEN, "--secret-file", path, secret=None))
            with open(path, "w") as f:
                f.write(base64.urlsafe_b64encode(PUBLIC_SECRET_BYTES).decode().rstrip("="))
            self.assertValid(self.verify(PUBLIC_TOKEN, "--secret-file", path, secret=None))
            with open(path, "w") as f:
                f.write("not a secret at all!")
            proc = self.verify(PUBLIC_TOKEN, "--secret-file", path, secret=None)
            self.assertUsage(proc, path)
            self.assertNotIn("not a secret at all", proc.stderr)
            proc = self.verify(PUBLIC_TOKEN, "--secret-file", os.path.join(d, "missing"),
                               secret=None)
            self.assertUsage(proc, "missing")

    def test_dotenv_is_loaded_over_the_environment(self):
        dotenv = f"# test\nexport APPROOV_BASE64_SECRET='{PUBLIC_SECRET}'\n"
        self.assertValid(self.verify(PUBLIC_TOKEN, secret=None, dotenv=dotenv))
        self.assertValid(self.verify(PUBLIC_TOKEN, secret=OTHER_SECRET, dotenv=dotenv))
        # --no-dotenv ignores it.
        self.assertInvalid(self.verify(PUBLIC_TOKEN, "--no-dotenv", secret=OTHER_SECRET,
                                       dotenv=dotenv), "bad_signature")
        # A flag wins over .env.
        self.assertInvalid(self.verify(PUBLIC_TOKEN, "--secret", OTHER_SECRET, dotenv=dotenv),
                           "bad_signature")
        # A broken .env is a configuration error that does not echo its values.
        proc = self.verify(PUBLIC_TOKEN, dotenv="APPROOV_BASE64_SECRET='Zm9vYmFyYmF6\n")
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertIn(".env", proc.stderr)
        self.assertNotIn("Zm9vYmFyYmF6", proc.stderr)


class Gen(Base):
    def test_token_alone_on_stdout(self):
        proc = CLI.run("gen")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout.count("\n"), 1)
        self.assertRegex(proc.stdout.strip(), TOKEN_RE)

    def test_header_and_kid(self):
        self.assertEqual(header_of(CLI.gen()), {"typ": "JWT", "alg": "HS256"})
        token = CLI.gen("--kid", "2024-rotation")
        self.assertEqual(token.split(".")[0], b64url(
            b'{"typ":"JWT","alg":"HS256","kid":"2024-rotation"}'))
        self.assertValid(self.verify(token))  # single-secret mode ignores kid

    def test_exp_ttl_and_now(self):
        self.assertEqual(payload_of(CLI.gen("--now", "1000", "--ttl", "60"))["exp"], 1060)
        self.assertEqual(payload_of(CLI.gen("--now", "1000"))["exp"], 4600)
        self.assertEqual(payload_of(CLI.gen("--now", "10000", "--expired"))["exp"], 6400)
        token = CLI.gen("--exp", "4708683205.891912")
        self.assertIn(b'"exp":4708683205.891912',
                      base64.urlsafe_b64decode(token.split(".")[1] + "=="))

    def test_same_bytes_as_the_published_token(self):
        # Same header, same payload text, same secret: the same token, byte for byte.
        self.assertEqual(CLI.gen("--exp", "4708683205.891912"), PUBLIC_TOKEN)

    def test_claim_values(self):
        token = CLI.gen("--claim", "n=12", "--claim", "f=1.5", "--claim", "s=abc",
                        "--claim", 'q="12"', "--claim", "t=true", "--claim", "z=null",
                        "--claim", "ip=1.2.3.4", "--claim", 'o={"a":[1,{"b":"c"}]}',
                        "--claim", "eq=a=b", "--claim", "e=", "--claim", 'u=caf\u00e9 "x"\\',
                        "--claim", "arr=[1,2,")
        claims = payload_of(token)
        self.assertEqual(claims, {"exp": claims["exp"], "n": 12, "f": 1.5, "s": "abc", "q": "12",
                                  "t": True, "z": None, "ip": "1.2.3.4",
                                  "o": {"a": [1, {"b": "c"}]}, "eq": "a=b", "e": "",
                                  "u": 'caf\u00e9 "x"\\', "arr": "[1,2,"})
        self.assertEqual(list(claims), ["exp", "n", "f", "s", "q", "t", "z", "ip", "o", "eq", "e",
                                        "u", "arr"])
        self.assertValid(self.verify(token))

    def test_gen_refuses_what_verify_rejects_and_names_the_rule(self):
        cases = [
            (["--claim", 'x="\\uFFFF"'], "noncharacter"),          # escaped U+FFFF
            (["--claim", "x=\uffff"], "noncharacter"),             # raw U+FFFF as a string
            (["--claim", "\ufdd0=1"], "noncharacter"),             # in the name
            (["--claim", 'x="\\ud800"'], "unpaired surrogate"),
            (["--claim", 'x={"a":1,"a":2}'], "duplicate member name"),
            (["--claim", "x=\udcff"], "invalid UTF-8"),            # the byte 0xFF
            (["--kid", "k\uffff"], "noncharacter"),
            (["--claim", 'nbf="soon"'], "bad_nbf"),
            (["--claim", "iat=[1]"], "bad_iat"),
            (["--exp", "1e300"], "bad_exp"),
            (["--exp", "253402300800"], "bad_exp"),
            (["--claim", "big=" + "x" * 7000], "token_too_long"),
        ]
        for args, rule in cases:
            with self.subTest(args=[a[:40] for a in args]):
                proc = CLI.run("gen", *args)
                self.assertUsage(proc, rule)
                self.assertEqual(proc.stdout, "")

    def test_every_claim_gen_accepts_verify_accepts(self):
        # Agreement over a corpus: whatever gen mints, verify accepts; and for every value gen
        # refuses, the same payload minted here (byte for byte what gen would have signed) is
        # refused by verify too.
        corpus = ["0", "-0", "1e400", "-1E-400", "4708683205.891912", "true", "null", "[]", "{}",
                  '""', '"\\u0000"', '"\\ud83d\\ude00"', '"\\ud83d"', '"\\udc00"',
                  '"\\uFFFE"', '"\\uFDD0"', '"\\uFDEF"', '"\\uFDF0"', '"\\u00e9"',
                  '"\\/\\b\\f\\n\\r\\t"', '"\\\'"', '"\\x41"', "caf\u00e9",
                  "\U0001F600", "\U0010FFFF", "\U0001FFFE", "\uFFFD", "tab\there",
                  "line\nbreak", 'q"uote', "back\\slash", "[1,[2,[3]]]",
                  "[" * 31 + "]" * 31, "[" * 32 + "]" * 32, "[" * 33 + "]" * 33,
                  '{"a":{"a":1}}', '{"a":1,"\\u0061":2}', '{"a":[{"b":1,"b":1}]}',
                  " 12 ", "\f12", "12 garbage", "[1,]", "{'a':1}", "NaN", "01", "\udcff\udcfe"]
        exp = 4102444800  # 2100-01-01
        for value in corpus:
            with self.subTest(value=value[:40]):
                proc = CLI.run("gen", "--exp", str(exp), "--claim", "x=" + value)
                if proc.returncode == 0:
                    token = proc.stdout.strip()
                    self.assertValid(self.verify(token))
                    continue
                self.assertEqual(proc.returncode, 2, proc.stderr)
                # What gen would have signed: the value as JSON if it is JSON, else quoted.
                raw = value.encode("utf-8", "surrogateescape")
                try:
                    json.loads(raw.decode("utf-8"))
                    member = raw.strip(b" \t\r\n")
                except (ValueError, UnicodeDecodeError):
                    member = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogateescape")
                payload = b'{"exp":%d,"x":' % exp + member + b"}"
                self.assertInvalid(self.verify(mint('{"typ":"JWT","alg":"HS256"}', payload)),
                                   "bad_json")

    def test_pay_comes_last_like_approov(self):
        token = CLI.gen("--claim", "ip=1.2.3.4", "--bind", "Bearer x")
        self.assertEqual(list(payload_of(token)), ["exp", "ip", "pay"])

    def test_secret_flags(self):
        token = CLI.gen("--secret", OTHER_SECRET, secret=None)
        self.assertValid(self.verify(token, secret=OTHER_SECRET))
        self.assertInvalid(self.verify(token), "bad_signature")

    def test_no_secret(self):
        proc = CLI.run("gen", secret=None)
        self.assertUsage(proc, "APPROOV_BASE64_SECRET")
        self.assertEqual(proc.stdout, "")


class Decode(Base):
    def test_decode_published_token(self):
        proc = CLI.run("decode", PUBLIC_TOKEN, secret=None)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("UNVERIFIED", proc.stderr)
        self.assertEqual(json.loads(proc.stdout),
                         {"header": {"typ": "JWT", "alg": "HS256"},
                          "claims": {"exp": 4708683205.891912}})
        self.assertIn('"exp": 4708683205.891912', proc.stdout)  # digits kept verbatim

    def test_decode_does_not_verify(self):
        proc = CLI.run("decode", BADSIG_TOKEN)
        self.assertEqual(proc.returncode, 0)
        self.assertIn("UNVERIFIED", proc.stderr)
        token = mint({"alg": "none"}, '{"exp":1,"nested":{"a":[true,null,"x\\u00e9"]}}',
                     key=b"whatever")
        proc = CLI.run("decode", token)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["claims"],
                         {"exp": 1, "nested": {"a": [True, None, "x\u00e9"]}})

    def test_decode_from_stdin(self):
        proc = CLI.run("decode", "-", stdin=PUBLIC_TOKEN + "\n")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(json.loads(proc.stdout)["claims"]["exp"], 4708683205.891912)

    def test_duplicate_claims_are_shown_with_a_warning(self):
        proc = CLI.run("decode", mint({"alg": "HS256"}, '{"exp":1,"exp":2}'))
        self.assertEqual(proc.returncode, 0)
        self.assertIn("duplicate", proc.stderr)
        self.assertIn("bad_json", proc.stderr)

    def test_undecodable(self):
        h = b64url(b'{"alg":"HS256"}')
        for token in ["abc", "a.b", "a.b.c.d", f"{h}.!!!.sig", f"{h}.{b64url(b'not json')}.sig",
                      f"{b64url(b'[1,')}.{b64url(b'{}')}.sig", f"{h}.{b64url(b'{} x')}.sig",
                      f"{h}.{b64url(b'[' * 40 + b']' * 40)}.sig"]:
            with self.subTest(token=token):
                proc = CLI.run("decode", token)
                self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                self.assertEqual(proc.stdout, "")


class Bench(Base):
    def test_bench_prints_rate(self):
        proc = CLI.run("bench", "-n", "2000")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout, r"2000 verifies in [0-9.]+ s")
        self.assertRegex(proc.stdout, r"[0-9]+ verifies/s +[0-9.]+ ns/verify")
        self.assertRegex(proc.stdout, r"\((4[0-9]{2})-byte token, ok\)")  # realistic size

    def test_bench_without_secret_uses_public_test_secret(self):
        proc = CLI.run("bench", "-n", "100", PUBLIC_TOKEN, secret=None)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("public Approov test secret", proc.stderr)
        self.assertIn(", ok)", proc.stdout)

    def test_bench_times_rejections_too(self):
        proc = CLI.run("bench", "-n", "100", BADSIG_TOKEN)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("bad_signature", proc.stderr)
        self.assertIn("ns/verify", proc.stdout)

    def test_bench_bad_secret_is_a_configuration_error(self):
        self.assertUsage(CLI.run("bench", "-n", "10", secret="nope"), "APPROOV_BASE64_SECRET")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_cli.py PATH/TO/approov-token [unittest args]")
    CLI = Cli(os.path.abspath(sys.argv.pop(1)))
    unittest.main(verbosity=2)
