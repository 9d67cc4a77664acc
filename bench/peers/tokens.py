#!/usr/bin/env python3
"""The benchmarks' test data, as shell assignments (`eval "$(python3 bench/peers/tokens.py)"`).

Everything is derived here, deterministically, from the public test secret of the Approov
quickstarts (never an account's):
  APPROOV_BASE64_SECRET  the public test secret
  TOKEN_SMALL            the quickstarts' published test token, {"exp":4708683205.891912}
  TOKEN_BADSIG           the same header and payload signed with another key (a bad signature)
  TOKEN_LARGE            a realistic Approov token: exp, ip, did, arc, ipk (124 chars), pay
  HAPROXY_SECRET_B64     a stand-in secret for HAProxy's jwt_verify, which takes the key as a
                         configuration string and so cannot hold the NUL byte the test secret
                         has: the first SHA-512 in a chain from the test secret with no zero byte
  TOKEN_SMALL_HAPROXY    TOKEN_SMALL's header and payload signed with that stand-in
Standard library only."""
import base64
import hashlib
import hmac
import json
import shlex

SECRET_B64 = "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww=="
SECRET = base64.b64decode(SECRET_B64)
HEADER = '{"typ":"JWT","alg":"HS256"}'


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(payload_json, key):
    signing_input = b64url(HEADER.encode()) + "." + b64url(payload_json.encode())
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def main():
    small_payload = '{"exp":4708683205.891912}'  # byte for byte the quickstarts' token
    small = sign(small_payload, SECRET)
    assert small.endswith(".c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U"), small
    other_key = hashlib.sha256(b"approov-cpp benchmarks: not the secret").digest()
    bound_value = "Bearer benchmark-user-session"
    pay = base64.b64encode(hashlib.sha256(bound_value.encode()).digest()).decode()
    large = sign(json.dumps({
        "exp": 4723352405.123456,
        "ip": "203.0.113.42",
        "did": "hBjW4otKXIKqVya0outEFQ==",
        "arc": "RVRT8L6RVG",
        "ipk": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIxLZYh6EmjPnf6XW8pmLSgbQ5tLffXwl0dIwpdmIe"
               "tSe/HwXxopCMulalNo+OLVdQp34+HPtwrEvVhmsWxboCA==",
        "pay": pay}, separators=(",", ":")), SECRET)
    stand_in = hashlib.sha512(SECRET).digest()
    while 0 in stand_in:
        stand_in = hashlib.sha512(stand_in).digest()
    values = {
        "APPROOV_BASE64_SECRET": SECRET_B64,
        "TOKEN_SMALL": small,
        "TOKEN_BADSIG": sign(small_payload, other_key),
        "TOKEN_LARGE": large,
        "HAPROXY_SECRET_B64": base64.b64encode(stand_in).decode(),
        "TOKEN_SMALL_HAPROXY": sign(small_payload, stand_in),
    }
    for name, value in values.items():
        print("%s=%s" % (name, shlex.quote(value)))


if __name__ == "__main__":
    main()
