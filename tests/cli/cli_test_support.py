"""Shared helpers for the approov-token CLI tests: run the real binary in a clean environment.

Every run gets a fresh working directory holding an empty `.env`, so the `.env` lookup (which
walks up parent directories) always stops there and a stray file elsewhere on the machine
cannot change the outcome, while the tool still takes its normal start-up path.
"""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import tempfile

# The public test secret and token the Approov quickstarts publish (not an account secret).
PUBLIC_SECRET = "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
PUBLIC_SECRET_BYTES = base64.b64decode(PUBLIC_SECRET)
PUBLIC_TOKEN = ("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJleHAiOjQ3MDg2ODMyMDUuODkxOTEyfQ."
                "c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U")

# Any other 64-byte secret, for "wrong key" cases.
OTHER_SECRET_BYTES = bytes(range(1, 65))
OTHER_SECRET = base64.b64encode(OTHER_SECRET_BYTES).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(header, payload, key: bytes = PUBLIC_SECRET_BYTES) -> str:
    """A compact HS256 JWS over the given JSON texts (or objects), signed in Python."""
    if not isinstance(header, (str, bytes)):
        header = json.dumps(header, separators=(",", ":"))
    if not isinstance(payload, (str, bytes)):
        payload = json.dumps(payload, separators=(",", ":"))
    if isinstance(header, str):
        header = header.encode()
    if isinstance(payload, str):
        payload = payload.encode()
    signing_input = b64url(header) + "." + b64url(payload)
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def pay_for(value: str) -> str:
    return base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()


class Cli:
    def __init__(self, binary: str):
        self.binary = binary

    def run(self, *args, secret=PUBLIC_SECRET, env=None, stdin=None, dotenv=""):
        """Runs the binary; `secret` goes into APPROOV_BASE64_SECRET (None: no secret at all).
        `dotenv` is written to ./.env in a fresh working directory."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
        if secret is not None:
            clean["APPROOV_BASE64_SECRET"] = secret
        if env:
            clean.update(env)
        with tempfile.TemporaryDirectory(prefix="approov-cli-") as cwd:
            with open(os.path.join(cwd, ".env"), "w") as f:
                f.write(dotenv)
            proc = subprocess.run([self.binary, *args], cwd=cwd, env=clean, input=stdin,
                                  capture_output=True, text=True, timeout=120)
        return proc

    def gen(self, *args, **kw) -> str:
        proc = self.run("gen", *args, **kw)
        if proc.returncode != 0:
            raise AssertionError(f"gen {args} failed ({proc.returncode}): {proc.stderr}")
        return proc.stdout.strip()
