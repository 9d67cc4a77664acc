#!/usr/bin/env python3
"""approov-token's message-signing commands (keygen, gen --ipk/--ipk-key/--mskid, sign), run as
a real process. What `sign` prints is checked independently of the library: the RFC 9421
signature base is rebuilt here in Python and the signature verified with python3-cryptography
(ECDSA P-256) or hmac (HMAC-SHA256).

Usage: test_signing.py PATH/TO/approov-token
"""

import base64
import hashlib
import hmac
import json
import os
import re
import stat
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test_support import Cli  # noqa: E402

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
except ImportError:  # pragma: no cover
    print("SKIP: python3-cryptography is needed (scripts/install-deps.sh test installs it)")
    sys.exit(77)

CLI = None
ACCOUNT_SECRET_BYTES = bytes(range(48))
ACCOUNT_SECRET = base64.b64encode(ACCOUNT_SECRET_BYTES).decode()
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ.c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U"


def payload_of(token):
    seg = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def parse_output(text):
    lines = text.splitlines()
    out = {}
    for line in lines:
        name, sep, value = line.partition(": ")
        assert sep, f"not a header line: {line!r}"
        out[name] = value
    return out


def base_for(components, params_text, method, scheme, authority, target, headers):
    """The RFC 9421 signature base for plain component identifiers (no parameters), built
    independently of the library: derived components as §2.2 says, header values trimmed and
    joined with ", " (§2.1)."""
    path, _, query = target.partition("?")
    host = authority.lower()
    if (scheme, host.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        host = host.rsplit(":", 1)[0]
    lines = []
    for c in components:
        if c == "@method":
            v = method
        elif c == "@target-uri":
            v = f"{scheme}://{host}{target}"
        elif c == "@authority":
            v = host
        elif c == "@path":
            v = path or "/"
        elif c == "@query":
            v = "?" + query
        else:
            v = ", ".join(val.strip() for n, val in headers if n.lower() == c)
        lines.append(f'"{c}": {v}')
    inner = " ".join(f'"{c}"' for c in components)
    lines.append(f'"@signature-params": ({inner}){params_text}')
    return "\n".join(lines).encode()


def split_input(value, label):
    m = re.fullmatch(label + r'=\(([^)]*)\)(.*)', value)
    assert m, value
    comps = re.findall(r'"([^"]+)"', m.group(1))
    return comps, m.group(2)


def signature_bytes(value, label):
    m = re.fullmatch(label + r'=:([A-Za-z0-9+/=]+):', value) or \
        re.fullmatch(label + r'="([A-Za-z0-9+/=]+)"', value)
    assert m, value
    return base64.b64decode(m.group(1), validate=True)


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="approov-sign-")
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def keygen(self, name="device.pem"):
        p = CLI.run("keygen", "--out", self.path(name))
        self.assertEqual(p.returncode, 0, p.stderr)
        return self.path(name), p.stdout.strip()

    def sign(self, *args, code=0):
        p = CLI.run("sign", *args)
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        return p

    def assertUsage(self, proc, *needles, code=2):
        self.assertEqual(proc.returncode, code, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "")
        for needle in needles:
            self.assertIn(needle, proc.stderr)

    def verify_install(self, out, key_path, method, scheme, authority, target, headers,
                       label="install"):
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
        comps, params = split_input(out["Signature-Input"], label)
        base = base_for(comps, params, method, scheme, authority, target, headers)
        raw = signature_bytes(out["Signature"], label)
        self.assertEqual(len(raw), 64)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.public_key().verify(der, base, ec.ECDSA(hashes.SHA256()))  # raises if wrong
        return comps, params, base


class Keygen(Base):
    def test_out_file_is_private_and_ipk_is_its_public_key(self):
        key_path, ipk = self.keygen()
        self.assertEqual(stat.S_IMODE(os.stat(key_path).st_mode), 0o600)
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
        self.assertIsInstance(key.curve, ec.SECP256R1)
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(ipk, base64.b64encode(spki).decode())

    def test_existing_file_is_never_overwritten(self):
        key_path, _ = self.keygen()
        with open(key_path, "rb") as f:
            before = f.read()
        p = CLI.run("keygen", "--out", key_path)
        self.assertUsage(p, "exists")
        with open(key_path, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_without_out_pem_on_stdout_ipk_on_stderr(self):
        p = CLI.run("keygen")
        self.assertEqual(p.returncode, 0, p.stderr)
        key = serialization.load_pem_private_key(p.stdout.encode(), None)
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(p.stderr.strip(), "ipk: " + base64.b64encode(spki).decode())

    def test_unwritable_directory(self):
        self.assertUsage(CLI.run("keygen", "--out", self.path("no/such/dir/key.pem")), "--out")


class GenClaims(Base):
    def test_ipk_value_and_mskid(self):
        tok = CLI.gen("--ipk", "AAAA", "--mskid", "key-1")
        self.assertEqual(payload_of(tok)["ipk"], "AAAA")
        self.assertEqual(payload_of(tok)["mskid"], "key-1")
        self.assertEqual(CLI.run("verify", tok).returncode, 0)

    def test_ipk_from_a_key_file(self):
        key_path, ipk = self.keygen()
        tok = CLI.gen("--ipk-key", key_path)
        self.assertEqual(payload_of(tok)["ipk"], ipk)

    def test_conflicts_and_bad_keys(self):
        key_path, _ = self.keygen()
        self.assertUsage(CLI.run("gen", "--ipk", "AAAA", "--ipk-key", key_path), "--ipk")
        self.assertUsage(CLI.run("gen", "--ipk", "AAAA", "--claim", "ipk=BBBB"), "twice")
        self.assertUsage(CLI.run("gen", "--mskid", "a", "--claim", "mskid=b"), "twice")
        self.assertUsage(CLI.run("gen", "--ipk-key", self.path("missing.pem")), "--ipk-key")
        p384 = ec.generate_private_key(ec.SECP384R1())
        with open(self.path("p384.pem"), "wb") as f:
            f.write(p384.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        self.assertUsage(CLI.run("gen", "--ipk-key", self.path("p384.pem")), "P-256")


class Sign(Base):
    URL = "https://api.example.com/v1/shapes?x=1"

    def test_default_components_and_window(self):
        key_path, _ = self.keygen()
        headers = [("Approov-Token", TOKEN)]
        p = self.sign("--key", key_path, "--method", "GET", "--url", self.URL,
                      "--header", f"Approov-Token: {TOKEN}", "--created", "1700000000")
        out = parse_output(p.stdout)
        self.assertEqual(list(out), ["Signature-Input", "Signature"])
        self.assertEqual(out["Signature-Input"],
                         'install=("@method" "@target-uri" "approov-token")'
                         ';alg="ecdsa-p256-sha256";created=1700000000;expires=1700000015')
        self.assertRegex(out["Signature"], r"^install=:[A-Za-z0-9+/]{86}==:$")
        self.verify_install(out, key_path, "GET", "https", "api.example.com", "/v1/shapes?x=1",
                            headers)
        self.assertEqual(p.stderr, "", "nothing on stderr without --debug")

    def test_created_defaults_to_now(self):
        import time
        key_path, _ = self.keygen()
        before = int(time.time())
        p = self.sign("--key", key_path, "--method", "GET", "--url", self.URL,
                      "--header", f"Approov-Token: {TOKEN}", "--ttl", "30")
        m = re.search(r";created=(\d+);expires=(\d+)$", parse_output(p.stdout)["Signature-Input"])
        created, expires = int(m.group(1)), int(m.group(2))
        self.assertTrue(before <= created <= int(time.time()) + 1)
        self.assertEqual(expires, created + 30)

    def test_sdk_components_for_a_post_with_a_body(self):
        key_path, _ = self.keygen()
        body = b'{"hello": "world"}\n'
        with open(self.path("body.json"), "wb") as f:
            f.write(body)
        headers = [("Content-Type", "application/json"), ("Authorization", "Bearer abc"),
                   ("Approov-Token", TOKEN), ("X-Other", "not covered"),
                   ("Approov-TraceID", "trace-1"), ("Content-Length", str(len(body)))]
        args = ["--key", key_path, "--method", "POST", "--url", "http://127.0.0.1:8080/upload",
                "--body-file", self.path("body.json")]
        for n, v in headers:
            args += ["--header", f"{n}: {v}"]
        out = parse_output(self.sign(*args).stdout)
        digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        self.assertEqual(out["Content-Digest"], digest)
        comps, _, _ = self.verify_install(out, key_path, "POST", "http", "127.0.0.1:8080",
                                          "/upload", headers + [("Content-Digest", digest)])
        self.assertEqual(comps, ["@method", "@target-uri", "approov-token", "approov-traceid",
                                 "authorization", "content-length", "content-type",
                                 "content-digest"])

    def test_debug_prints_the_base_on_stderr_only(self):
        key_path, _ = self.keygen()
        p = self.sign("--key", key_path, "--method", "GET", "--url", "http://Example.COM:80/a",
                      "--header", f"Approov-Token: {TOKEN}", "--created", "1", "--debug")
        out = parse_output(p.stdout)
        base = base_for(["@method", "@target-uri", "approov-token"],
                        ';alg="ecdsa-p256-sha256";created=1;expires=16', "GET", "http",
                        "Example.COM:80", "/a", [("Approov-Token", TOKEN)])
        self.assertIn(base.decode(), p.stderr)
        self.assertIn('"@target-uri": http://example.com/a\n', p.stderr)
        self.assertNotIn("@signature-params", p.stdout)
        self.verify_install(out, key_path, "GET", "http", "Example.COM:80", "/a",
                            [("Approov-Token", TOKEN)])

    def test_components_replace_the_list_bare_or_quoted(self):
        key_path, _ = self.keygen()
        headers = [("Approov-Token", TOKEN), ("X-Device", "d1")]
        p = self.sign("--key", key_path, "--method", "PUT", "--url", self.URL,
                      "--header", f"Approov-Token: {TOKEN}", "--header", "X-Device: d1",
                      "--component", '"@method"', "--component", "@path",
                      "--component", "@query", "--component", "x-device",
                      "--component", '"approov-token"')
        out = parse_output(p.stdout)
        comps, _, _ = self.verify_install(out, key_path, "PUT", "https", "api.example.com",
                                          "/v1/shapes?x=1", headers)
        self.assertEqual(comps, ["@method", "@path", "@query", "x-device", "approov-token"])

    def test_parameterised_components(self):
        key_path, _ = self.keygen()
        p = self.sign("--key", key_path, "--method", "GET", "--url", self.URL + "&id=a%20b",
                      "--header", f"Approov-Token: {TOKEN}",
                      "--component", '"@query-param";name="id"', "--component", "approov-token;bs",
                      "--debug")
        self.assertIn('"@query-param";name="id": a%20b\n', p.stderr)
        bs = base64.b64encode(TOKEN.encode()).decode()
        self.assertIn(f'"approov-token";bs: :{bs}:\n', p.stderr)

    def test_string_form(self):
        key_path, _ = self.keygen()
        p = self.sign("--key", key_path, "--method", "GET", "--url", self.URL,
                      "--header", f"Approov-Token: {TOKEN}", "--form", "string")
        out = parse_output(p.stdout)
        self.assertRegex(out["Signature"], r'^install="[A-Za-z0-9+/]{86}=="$')
        self.verify_install(out, key_path, "GET", "https", "api.example.com", "/v1/shapes?x=1",
                            [("Approov-Token", TOKEN)])

    def test_keyid_nonce_tag(self):
        key_path, _ = self.keygen()
        out = parse_output(self.sign("--key", key_path, "--method", "GET", "--url", self.URL,
                                     "--header", f"Approov-Token: {TOKEN}", "--created", "5",
                                     "--keyid", "dev", "--nonce", "n1", "--tag", "t").stdout)
        self.assertTrue(out["Signature-Input"].endswith(
            ';created=5;expires=20;keyid="dev";nonce="n1";tag="t"'), out)
        self.verify_install(out, key_path, "GET", "https", "api.example.com", "/v1/shapes?x=1",
                            [("Approov-Token", TOKEN)])

    def test_host_header_is_the_authority(self):
        key_path, _ = self.keygen()
        headers = [("Host", "api.example.org"), ("Approov-Token", TOKEN)]
        out = parse_output(self.sign("--key", key_path, "--method", "GET", "--url",
                                     "http://127.0.0.1:9/", "--header", "Host: api.example.org",
                                     "--header", f"Approov-Token: {TOKEN}").stdout)
        self.verify_install(out, key_path, "GET", "http", "api.example.org", "/", headers)

    def test_account_signature(self):
        for args, env in ((["--account-secret", ACCOUNT_SECRET], None),
                          ([], {"APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64": ACCOUNT_SECRET}),
                          ([], {"APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64URL":
                                base64.urlsafe_b64encode(ACCOUNT_SECRET_BYTES).decode().rstrip("=")})):
            p = CLI.run("sign", *args, "--method", "GET", "--url", self.URL,
                        "--header", f"Approov-Token: {TOKEN}", env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            out = parse_output(p.stdout)
            comps, params = split_input(out["Signature-Input"], "account")
            self.assertIn(';alg="hmac-sha256";', params)
            base = base_for(comps, params, "GET", "https", "api.example.com", "/v1/shapes?x=1",
                            [("Approov-Token", TOKEN)])
            self.assertEqual(signature_bytes(out["Signature"], "account"),
                             hmac.new(ACCOUNT_SECRET_BYTES, base, hashlib.sha256).digest())

    def test_tampering_breaks_the_independent_check(self):
        key_path, _ = self.keygen()
        out = parse_output(self.sign("--key", key_path, "--method", "GET", "--url", self.URL,
                                     "--header", f"Approov-Token: {TOKEN}").stdout)
        with self.assertRaises(InvalidSignature):
            self.verify_install(out, key_path, "POST", "https", "api.example.com",
                                "/v1/shapes?x=1", [("Approov-Token", TOKEN)])

    def test_usage_errors(self):
        key_path, _ = self.keygen()
        common = ["--method", "GET", "--url", self.URL]
        tok = ["--header", f"Approov-Token: {TOKEN}"]
        self.assertUsage(CLI.run("sign", "--key", key_path, *common), "--header 'Approov-Token")
        self.assertUsage(CLI.run("sign", "--key", key_path, "--account-secret", ACCOUNT_SECRET,
                                 *common, *tok), "excludes")
        self.assertUsage(CLI.run("sign", *common, *tok), "no signing key")
        self.assertUsage(CLI.run("sign", "--key", key_path, "--method", "GET", "--url",
                                 "ftp://x/", *tok), "--url")
        self.assertUsage(CLI.run("sign", "--key", key_path, "--method", "GET", "--url",
                                 "/relative", *tok), "--url")
        self.assertUsage(CLI.run("sign", "--key", key_path, *common, *tok, "--header", "NoColon"),
                         "--header")
        self.assertUsage(CLI.run("sign", "--key", key_path, *common, *tok, "--form", "hex"),
                         "--form")
        self.assertUsage(CLI.run("sign", "--key", key_path, "--method", "G T", "--url", self.URL,
                                 *tok), "--method")
        self.assertUsage(CLI.run("sign", "--key", key_path, *common, *tok, "--component",
                                 '"@status"'), "bad_component")
        self.assertUsage(CLI.run("sign", "--key", key_path, *common, *tok, "--component",
                                 '"X-Upper"'), "bad_component")
        self.assertUsage(CLI.run("sign", "--key", self.path("none.pem"), *common, *tok), "--key")
        p384 = ec.generate_private_key(ec.SECP384R1())
        with open(self.path("p384.pem"), "wb") as f:
            f.write(p384.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        self.assertUsage(CLI.run("sign", "--key", self.path("p384.pem"), *common, *tok), "P-256")
        # A covered header the request lacks: the request cannot be signed as asked (1).
        self.assertUsage(CLI.run("sign", "--key", key_path, *common, *tok, "--component",
                                 "x-missing"), "missing_component", code=1)

    def test_secrets_and_tokens_are_never_printed(self):
        bad_secret = "c2hvcnQ="  # decodes, but too short
        p = CLI.run("sign", "--account-secret", bad_secret, "--method", "GET", "--url", self.URL,
                    "--header", f"Approov-Token: {TOKEN}")
        self.assertUsage(p, "--account-secret")
        self.assertNotIn(bad_secret, p.stderr)
        # A parser error quoting the arguments redacts the secret and the token.
        p = CLI.run("sign", "--account-secret", ACCOUNT_SECRET, "--method", "GET", "--url",
                    self.URL, "--header", f"Approov-Token: {TOKEN}", "stray", TOKEN)
        self.assertEqual(p.returncode, 2)
        self.assertNotIn(ACCOUNT_SECRET, p.stderr)
        self.assertNotIn(TOKEN, p.stderr)
        p = CLI.run("sign", "--account-secret", ACCOUNT_SECRET, "--method", "GET", "--url",
                    self.URL, "--header", f"Approov-Token: {TOKEN}")
        self.assertEqual(p.returncode, 0)
        self.assertNotIn(ACCOUNT_SECRET, p.stdout + p.stderr)
        self.assertNotIn(TOKEN, p.stdout + p.stderr)
        # A malformed secret in the environment is named, not printed.
        env = {"APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64": "abc*" + ACCOUNT_SECRET[4:]}
        p = CLI.run("sign", "--method", "GET", "--url", self.URL,
                    "--header", f"Approov-Token: {TOKEN}", env=env)
        self.assertUsage(p, "APPROOV_ACCOUNT_MESSAGE_SIGNING_SECRET_BASE64")
        self.assertNotIn(ACCOUNT_SECRET[4:20], p.stderr)


def main():
    global CLI
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    CLI = Cli(os.path.abspath(sys.argv[1]))
    prog = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
