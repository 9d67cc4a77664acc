#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (run from anywhere).

Seeds are valid tokens signed with the public Approov test secret, the request-header form that
fuzz_verify parses (one "Name: value" per line), claim payloads (fuzz_verify also verifies a token
minted around its whole input), JSON edge cases and base64 edge cases. Re-running it rewrites the
same files; crash reproducers added by hand (regression-*) are left alone.
"""
import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = base64.b64decode(
    "h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==")
AUTH = ("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
        "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
HEADER = b'{"typ":"JWT","alg":"HS256"}'


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(payload: bytes, header: bytes = HEADER, key: bytes = SECRET) -> str:
    signing_input = b64url(header) + "." + b64url(payload)
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def pay_for(value: str) -> str:
    return base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()


IPK = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEIxLZYh6EmjPnf6XW8pmLSgbQ5tLffXwl0dIwpdmIetSe/HwX"
       "xopCMulalNo+OLVdQp34+HPtwrEvVhmsWxboCA==")
LARGE = {"exp": 4723352405.123456, "ip": "203.0.113.42", "did": "hBjW4otKXIKqVya0outEFQ==",
         "arc": "RVRT8L6RVG", "ipk": IPK, "pay": pay_for(AUTH)}


def payloads():
    """Claim sets as JSON text (bytes), valid and invalid."""
    return {
        "small": b'{"exp":4708683205.891912}',
        "large": json.dumps(LARGE, separators=(",", ":")).encode(),
        "bind": b'{"exp":4718018224.780368,"pay":"' + pay_for(AUTH).encode() + b'"}',
        "expired": b'{"exp":1600000000}',
        "exp-boundary": b'{"exp":1700000000.000001}',
        "exp-string": b'{"exp":"4708683205"}',
        "exp-huge": b'{"exp":1e400}',
        "exp-max": b'{"exp":253402300799}',
        "exp-negative-exponent": b'{"exp":47086832058919e-4}',
        "missing-exp": b'{"ip":"1.2.3.4"}',
        "duplicate-exp": b'{"exp":4708683205,"exp":4708683205}',
        "duplicate-escaped": b'{"exp":4708683205,"\\u0065xp":1}',
        "escaped-claims": b'{"\\u0065xp":4708683205,"ip":"\\u00e9\\ud83d\\ude00\\n"}',
        "nbf-iat": b'{"exp":4708683205,"nbf":1699999990,"iat":1699999999.5}',
        "nbf-future": b'{"exp":4708683205,"nbf":1800000000}',
        "aud-iss": b'{"exp":4708683205,"aud":["x","api"],"iss":"approov","sub":"s","mskid":"m"}',
        "pay-number": b'{"exp":4708683205,"pay":1}',
        "pay-url": b'{"exp":4708683205,"pay":"' + pay_for(AUTH).replace("+", "-").replace(
            "/", "_").rstrip("=").encode() + b'"}',
        "nested": b'{"exp":4708683205,"x":{"a":[1,2,{"b":null}],"c":true,"d":false}}',
        "array": b'[{"exp":4708683205}]',
        "trailing-comma": b'{"exp":4708683205,}',
        "bom": b'\xef\xbb\xbf{"exp":4708683205}',
        "whitespace": b' \t\r\n{ "exp" : 4708683205 }\n',
    }


NOW = 1700000000  # fuzz_verify's clock; its second verifier allows 60 s of leeway


def boundary_payloads():
    """Time, audience, issuer and pay claims at the exact values where the rules turn."""
    out = {}
    for name, exp in {"now": "1700000000", "now-frac": "1700000000.0", "now-exp": "17e8",
                      "now-exp-frac": "1.7e9", "now-tiny-after": "1700000000.0000000001",
                      "now-tiny-before": "1699999999.9999999999", "leeway-edge": "1699999940",
                      "leeway-inside": "1699999940.5", "max": "253402300799",
                      "max-frac": "253402300799.0000001", "max+1": "253402300800",
                      "wraps": "18446744073709551617", "neg": "-1", "zero": "-0.0e5",
                      "tiny": "1e-400", "huge-exponent": "1e99999999999",
                      # for the check at the epoch (now = 0)
                      "half-exponent": "5e-1", "minus-half-exponent": "-5e-1",
                      "half": "0.5"}.items():
        out["exp-" + name] = b'{"exp":' + exp.encode() + b'}'
    for claim in ("nbf", "iat"):
        for name, value in {"now": "1700000000", "now+1": "1700000001", "now+frac": "1700000000.5",
                            "leeway-edge": "1700000060", "leeway-past": "1700000060.001",
                            "neg": "-1700000000", "string": '"1"', "null": "null",
                            "half-exponent": "5e-1", "zero": "0e5"}.items():
            out[claim + "-" + name] = ('{"exp":4708683205,"%s":%s}' % (claim, value)).encode()
    for name, aud in {"string": '"api"', "array": '["x","api"]', "nested": '[["api"]]',
                      "object": '{"aud":"api"}', "escaped": '"\\u0061pi"', "prefix": '"ap"',
                      "longer": '"apix"', "number": "1"}.items():
        out["aud-" + name] = ('{"exp":4708683205,"iss":"approov","aud":%s}' % aud).encode()
    for name, iss in {"exact": '"approov"', "prefix": '"approo"', "empty": '""',
                      "longer": '"approovx"', "escaped": '"\\u0061pproov"',
                      "array": '["approov"]'}.items():
        out["iss-" + name] = ('{"exp":4708683205,"aud":"api","iss":%s}' % iss).encode()
    digest = hashlib.sha256(AUTH.encode()).digest()
    flipped = bytes([digest[0]]) + digest[1:31] + bytes([digest[31] ^ 1])
    for name, pay in {"std": base64.b64encode(digest), "url": base64.urlsafe_b64encode(digest),
                      "url-nopad": base64.urlsafe_b64encode(digest).rstrip(b"="),
                      "std-nopad": base64.b64encode(digest).rstrip(b"="),
                      "last-byte": base64.b64encode(flipped),
                      "short": base64.b64encode(digest[:16]),
                      "long": base64.b64encode(digest + b"x"),
                      "mixed": base64.b64encode(digest).replace(b"+", b"-", 1)}.items():
        out["binding-pay-" + name] = b'{"exp":4708683205,"pay":"' + pay + b'"}'
    out["binding-pay-number"] = b'{"exp":4708683205,"pay":32}'
    out["binding-pay-escaped"] = (b'{"exp":4708683205,"pay":"\\u' + b"%04x" % base64.b64encode(digest)[0] +
                          base64.b64encode(digest)[1:] + b'"}')
    return out


def headers(alg="HS256", extra=""):
    return ('{"typ":"JWT","alg":"%s"%s}' % (alg, extra)).encode()


def tokens():
    small = payloads()["small"]
    t = {name: mint(p) for name, p in payloads().items()}
    good = t["small"]
    h, p, s = good.split(".")
    t.update({
        "alg-none": b64url(headers("none")) + "." + p + ".",
        "alg-none-signed": mint(small, headers("none")),
        "alg-hs384": mint(small, headers("HS384")),
        "alg-lowercase": mint(small, headers("hs256")),
        "alg-missing": mint(small, b'{"typ":"JWT"}'),
        "crit": mint(small, headers(extra=',"crit":["exp"]')),
        "kid-number": mint(small, headers(extra=',"kid":1')),
        "kid": mint(small, headers(extra=',"kid":"k1"')),
        "kid-k2": mint(small, headers(extra=',"kid":"k2"')),
        "header-reordered": mint(small, b'{"alg":"HS256","typ":"JWT"}'),
        "bad-signature": h + "." + p + "." + s[:-2] + "AA",
        "padded": good + "=",
        "two-segments": h + "." + p,
        "four-segments": good + ".e30",
        "empty-payload": h + ".." + s,
        "non-canonical-bits": h + "." + p + "." + s[:-1] + ("V" if s[-1] != "V" else "W"),
        "standard-alphabet": good.replace("_", "/").replace("-", "+"),
        "short-signature": h + "." + p + "." + s[:22],
    })
    return {k: v.encode() for k, v in t.items()}


def write(target, name, data: bytes):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    toks = tokens()
    for name, tok in toks.items():
        write("verify", "token-" + name, tok)
    for name, p in payloads().items():
        write("verify", "payload-" + name, p)
    for name, p in boundary_payloads().items():
        write("verify", "payload-" + name, p)
    bind = toks["bind"].decode()
    write("verify", "request-bind", ("Approov-Token: %s\nAuthorization: %s\nX-Device: d1" %
                                     (bind, AUTH)).encode())
    write("verify", "request-bearer", ("Authorization: Bearer %s" % toks["aud-iss"].decode()).encode())
    write("verify", "request-duplicate", ("Approov-Token: %s\napproov-token: %s" %
                                          (bind, bind)).encode())
    write("verify", "request-comma", ("Approov-Token: %s, %s" % (bind, bind)).encode())
    write("verify", "request-empty", b"Approov-Token: \t \nAuthorization:")

    for name, p in payloads().items():
        write("json", name, p)
    header_json = {
        "header": HEADER,
        "header-kid": headers(extra=',"kid":"k\\u0031"'),
        "empty-object": b"{}",
        "deep": b'{"a":' + b"[" * 31 + b"]" * 31 + b"}",
        "too-deep": b'{"a":' + b"[" * 32 + b"]" * 32 + b"}",
        "numbers": b'{"a":-0,"b":0.5e-3,"c":1E+2,"d":-12.34e5,"e":123456789012345678901234}',
        "bad-number": b'{"a":01}',
        "strings": b'{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t","b":"\\u0000","c":"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"}',
        "lone-surrogate": b'{"a":"\\ud800"}',
        "reversed-surrogates": b'{"a":"\\udc00\\ud800"}',
        "noncharacter": b'{"a":"\\ufffe"}',
        "noncharacter-utf8": b'{"a":"\xef\xbf\xbf"}',
        "overlong-utf8": b'{"a":"\xc0\xaf"}',
        "encoded-surrogate": b'{"a":"\xed\xa0\x80"}',
        "control-char": b'{"a":"\x01"}',
        "nan": b'{"a":NaN}',
        "comment": b'{"a":1/*c*/}',
        "garbage": b'{"a":1}x',
        "duplicate-nested": b'{"a":{"b":1,"b":2}}',
        "same-key-other-objects": b'{"a":{"b":1},"c":{"b":2}}',
        "literals": b'{"t":true,"f":false,"n":null,"a":[true,false,null]}',
        # What simdjson accepts and we refuse (each for its documented reason), and what
        # both refuse.
        "top-level-array": b'[1,2]', "top-level-string": b'"x"', "top-level-number": b' 1 ',
        "duplicate-escaped-both": b'{"\\u0061b":1,"a\\u0062":2}',
        "noncharacter-plane-1": b'{"a":"\xf0\x9f\xbf\xbf"}',
        "noncharacter-fdef": b'{"a":"\\ufdef"}',
        "lone-low": b'{"\\udc00":1}', "lone-high-end": b'{"a":1,"\\ud800":2}',
        "high-high": b'{"a":"\\udbff\\udbff"}',
        "escape-lengths": b'{"a":"\\u007f\\u0080\\u07ff\\u0800\\uffFD\\ud800\\udc00\\udbff\\udffd"}',
        "high-then-escape": b'{"a":"\\ud800\\u0041","b":"\\ud800\\n"}',
        "depth-32": b'{"a":' + b"[" * 31 + b"]" * 31 + b"}",
        "depth-33-objects": b'{"a":' + b'{"a":' * 31 + b"1" + b"}" * 31 + b"}",
        "form-feed": b'{"a":1\x0c}', "vertical-tab": b'\x0b{"a":1}',
        "escaped-quote": b'{"a":"it\\\'s"}', "control-1f": b'{"a":"xxxxxxxx\x1fxxxxxxxx"}',
        "control-in-name": b'{"a\x01":1}', "del": b'{"a":"\x7f"}',
        "events": b' {"a": [1, {"b\\n": null}], "c":"x\\"y", "d":true} ',
        "lenient-then-syntax": b'{"a":1,"a":2,}',
    }
    for name, j in header_json.items():
        write("json", name, j)

    b64 = {
        "empty": b"", "one": b"Zg", "one-padded": b"Zg==", "two": b"Zm8", "two-padded": b"Zm8=",
        "three": b"Zm9v", "url": b"-_-_", "standard": b"+/+/", "mixed": b"-/+_",
        "non-canonical": b"Zh", "non-canonical-two": b"Zm9", "bad-pad": b"Zg=", "pad-after-quad": b"Zm9v====",
        "remainder-one": b"Zm9vY", "whitespace": b"Zm9v\n", "secret": b"h+CX0tOzdAAR9l15bWAqvq7w9olk66daIH+Xk+IAHhVVHszjDzeGobzNnqyRze3lw/WVyWrc2gZfh3XXfBOmww==",
        "pay": pay_for(AUTH).encode(), "signature": b"c8I4KNndbThAQ7zlgX4_QDtcxCrD9cff1elaCJe9p9U",
        "binary": bytes(range(256)),
        # Texts whose mode decides: url-only and standard-only characters, padding where it
        # may be forbidden or required, and 32-character blocks for the vector decoder.
        "dash-only": b"-AAA", "underscore-only": b"_AAA", "plus-only": b"+AAA",
        "slash-only": b"/AAA", "url-padded": b"-A==", "standard-unpadded": b"+A",
        "one-pad-short": b"Zm8", "wrong-pad-count": b"Zg=", "extra-pad": b"Zm8==",
        "block-valid": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef" * 2,
        "block-invalid": b"ABCDEFGHIJKLMNOP*RSTUVWXYZabcdefABCD",
        "block-mixed": b"ABCDEFGHIJKLMNOP-RSTUVWXYZabcde+ABCD",
        "block-padded": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefAB==",
        "block-high-byte": b"ABCDEFGHIJKLMNOP\xc1RSTUVWXYZabcdefABCD",
        # one unused bit set, the highest of four (after two characters) or of two (three)
        "unused-bit-3": b"QI", "unused-bit-1": b"QUC",
    }
    for name, v in b64.items():
        write("base64", name, v)

    # Structured fields: every field value of the project's case files (tests/sf/data/).
    for name, value in sf_case_values():
        write("structured_fields", name, value)


def sf_case_values():
    """(seed name, field value) for each case of tests/sf/data/*.txt (format described in
    rfc9651_examples.txt): several input lines joined with ", ", input-x escapes decoded."""
    data = os.path.join(HERE, "..", "tests", "sf", "data")
    escapes = {"t": b"\t", "n": b"\n", "r": b"\r", "s": b" ", "\\": b"\\"}

    def unescape(text):
        out, i = b"", 0
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text):
                e = text[i + 1]
                if e == "x":
                    out += bytes([int(text[i + 2:i + 4], 16)])
                    i += 4
                    continue
                out += escapes[e]
                i += 2
                continue
            out += text[i].encode("latin-1")
            i += 1
        return out

    seen = set()
    for file in sorted(os.listdir(data)):
        name, inputs = None, []
        lines = open(os.path.join(data, file), encoding="latin-1").read().split("\n") + ["== end"]
        for line in lines:
            if line.startswith("== "):
                if name is not None:
                    slug = "".join(c if c.isalnum() else "-" for c in name.lower())[:60].strip("-")
                    while slug in seen:
                        slug += "-2"
                    seen.add(slug)
                    yield slug, b", ".join(inputs)
                name, inputs = line[3:], []
            elif line.startswith("input:"):
                inputs.append(line[6:].removeprefix(" ").encode("latin-1"))
            elif line.startswith("input-x:"):
                inputs.append(unescape(line[8:].removeprefix(" ")))


if __name__ == "__main__":
    main()
