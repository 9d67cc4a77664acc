#!/usr/bin/env python3
"""approov-authd on its own: every decision over real HTTP (http.client and asyncio sockets)."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import (AUTH, AUTHD, BAD_SIG, BOUND, EXPIRED, FAR, OTHER_SECRET_B64, SECRET_B64,
                     VALID, VALID_BARE, WRONG_KEY, Authd, Proc, authd_env, header, main, mint,
                     reload_and_wait, request, tmpdir, wait_until)

DENY = (401, b"{}")


def mint_json(payload):
    """An HS256 token over a payload given as JSON text (numbers that Python cannot hold)."""
    import base64, hashlib, hmac

    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signed = b64url(b'{"alg":"HS256"}') + "." + b64url(payload.encode())
    sig = hmac.new(base64.b64decode(SECRET_B64), signed.encode(), hashlib.sha256).digest()
    return signed + "." + b64url(sig)


def deny_of(status, headers, body):
    assert header(headers, "Content-Type") == ["application/json"], headers
    return status, body


class Decisions(unittest.TestCase):
    def setUp(self):
        self.a = Authd(self, [])

    def test_valid_token_is_allowed_with_claim_headers(self):
        status, headers, body = request(self.a.port, "/anything?x=1", {"Approov-Token": VALID},
                                        method="POST")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(header(headers, "Approov-Claim-Did"), ["device-123"])
        self.assertEqual(header(headers, "Approov-Claim-Ip"), ["203.0.113.7"])
        self.assertEqual(header(headers, "Approov-Claim-Arc"), ["RVRT8L6RVG"])
        self.assertEqual(header(headers, "Approov-Claim-Exp"), ["4708683205"])
        # absent claims are still sent, empty, so proxies overwrite client-sent copies
        self.assertEqual(header(headers, "Approov-Claim-Mskid"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Ipk"), [""])

    def test_oversized_claim_values_are_sent_empty_so_the_answer_stays_small(self):
        # A valid 5.4 KB token with a 4,000-character did: copied whole into the 200 answer it
        # overflows nginx's default proxy_buffer_size (4 KiB) and the client gets a 500. A
        # claim value over 1024 bytes is sent empty instead (still present, so the proxy still
        # replaces a client-sent copy); values up to 1024 bytes are sent whole.
        def whole_answer(token):
            raw = socket.create_connection(("127.0.0.1", self.a.port), timeout=5)
            raw.sendall(("GET / HTTP/1.1\r\nHost: x\r\nApproov-Token: %s\r\n\r\n"
                         % token).encode())
            answer = b""
            while not answer.endswith(b"\r\n\r\n"):
                chunk = raw.recv(65536)
                self.assertTrue(chunk, answer)
                answer += chunk
            raw.close()
            self.assertTrue(answer.startswith(b"HTTP/1.1 200 "), answer[:100])
            return answer

        big = mint({"exp": FAR, "did": "d" * 4000, "ip": "203.0.113.7"})
        self.assertGreater(len(big), 5000)
        self.assertLess(len(whole_answer(big)), 1024)
        status, headers, body = request(self.a.port, "/", {"Approov-Token": big})
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(header(headers, "Approov-Claim-Did"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Ip"), ["203.0.113.7"])
        # the cap is per value: 1024 bytes pass, 1025 do not
        edge = mint({"exp": FAR, "ip": "i" * 1025, "arc": "a" * 1024, "ipk": "k" * 1500,
                     "mskid": "m" * 1025})
        status, headers, _ = request(self.a.port, "/", {"Approov-Token": edge})
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Approov-Claim-Ip"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Arc"), ["a" * 1024])
        self.assertEqual(header(headers, "Approov-Claim-Ipk"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Mskid"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Exp"), [str(FAR)])
        # `exp` as signed is capped too: a number may carry a long fraction
        long_exp = mint_json('{"exp":%d.%s,"did":"x"}' % (FAR, "0" * 1100))
        status, headers, _ = request(self.a.port, "/", {"Approov-Token": long_exp})
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Approov-Claim-Exp"), [""])
        self.assertEqual(header(headers, "Approov-Claim-Did"), ["x"])
        # about the largest answer an 8 KiB token can cause: under 6.5 KiB (docs/SIDECAR.md)
        full = mint_json('{"exp":%d.%s,"did":"%s","ip":"%s","arc":"%s","ipk":"%s","mskid":"%s"}'
                         % (FAR, "0" * 1013, "d" * 1024, "i" * 1024, "a" * 1024, "k" * 1024,
                            "m" * 700))
        self.assertLessEqual(len(full), 8192)
        status, headers, _ = request(self.a.port, "/", {"Approov-Token": full})
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Approov-Claim-Ipk"), ["k" * 1024])
        self.assertEqual(len(header(headers, "Approov-Claim-Exp")[0]), 1024)
        self.assertLess(len(whole_answer(full)), 6656)

    def test_each_failure_gets_the_same_401_and_its_reason_counted(self):
        cases = {
            "missing_token": [],
            "duplicate_token": [("Approov-Token", VALID), ("Approov-Token", VALID)],
            "bad_signature": [("Approov-Token", BAD_SIG)],
            "expired": [("Approov-Token", EXPIRED)],
            "malformed": [("Approov-Token", "not-a-token")],
        }
        wrong_key = [("Approov-Token", WRONG_KEY)]
        for reason, hdrs in list(cases.items()) + [("bad_signature", wrong_key)]:
            status, headers, body = request(self.a.port, "/", hdrs)
            self.assertEqual(deny_of(status, headers, body), DENY, reason)
            self.assertEqual(header(headers, "Approov-Claim-Did"), [], reason)
        m = self.a.metrics()
        for reason in cases:
            want = 2 if reason == "bad_signature" else 1
            self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="%s"}' % reason],
                             want, reason)
        self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="ok"}'], 0)
        self.assertEqual(m["approov_authd_check_duration_seconds_count"], 6)
        self.assertEqual(m['approov_authd_check_duration_seconds_bucket{le="+Inf"}'], 6)

    def test_denial_log_has_reason_and_fingerprint_never_the_token(self):
        request(self.a.port, "/", {"Approov-Token": BAD_SIG})
        wait_until(lambda: '"deny"' in self.a.proc.stderr_text(), "the deny log line")
        log = self.a.proc.stderr_text()
        lines = [json.loads(l) for l in log.splitlines() if '"deny"' in l]
        self.assertEqual(len(lines), 1, log)
        self.assertEqual(lines[0]["reason"], "bad_signature")
        self.assertEqual(len(lines[0]["token_fp"]), 16)
        self.assertNotIn(BAD_SIG.split(".")[2], log)
        self.assertNotIn(BAD_SIG.split(".")[1], log)
        self.assertNotIn(SECRET_B64, log)

    def test_log_lines_stay_valid_json_whatever_the_client_sends(self):
        # (control bytes never get this far: the HTTP parser refuses them, see Limits)
        hostile = [b"G\xe9T\xff\x80", b"\xc3\x28", b'P"O\\ST}']
        for method in hostile:
            request(self.a.port, "/", [("X-Original-URI", "/x"), ("X-Original-Method", method),
                                       ("Approov-Token", BAD_SIG)])
        wait_until(lambda: self.a.proc.stderr_text().count('"event":"deny"') >= len(hostile),
                   "a deny log line per request")
        with open(self.a.proc.log.name, "rb") as f:
            raw = f.read()
        lines = [json.loads(l.decode("utf-8")) for l in raw.splitlines() if l.strip()]
        methods = [l["method"] for l in lines if l.get("event") == "deny"]
        self.assertEqual(methods, ["G?T??", "?(", 'P"O\\ST}'])

    def test_keep_alive_and_admin_endpoints(self):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.a.port, timeout=5)
        for i in range(50):
            tok = VALID if i % 2 else BAD_SIG
            status, _, _ = request(self.a.port, "/", {"Approov-Token": tok}, conn=c)
            self.assertEqual(status, 200 if i % 2 else 401)
        c.close()
        self.assertEqual(request(self.a.admin, "/healthz")[0], 200)
        self.assertEqual(request(self.a.admin, "/readyz")[0], 200)
        self.assertEqual(request(self.a.admin, "/nope")[0], 404)
        self.assertEqual(self.a.metrics()['approov_authd_requests_total{decision="allow",reason="ok"}'], 25)


class Options(unittest.TestCase):
    def test_simple_mode_binding_header(self):
        a = Authd(self, ["--token-binding-header", "Authorization"])
        self.assertEqual(request(a.port, "/", {"Approov-Token": BOUND, "Authorization": AUTH})[0], 200)
        st, h, b = request(a.port, "/", {"Approov-Token": BOUND, "Authorization": AUTH + "x"})
        self.assertEqual(deny_of(st, h, b), DENY)
        self.assertEqual(request(a.port, "/", {"Approov-Token": BOUND})[0], 401)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID, "Authorization": AUTH})[0], 401)
        m = a.metrics()
        for reason in ("binding_mismatch", "missing_binding_header", "missing_pay"):
            self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="%s"}' % reason], 1)

    def test_unix_socket_listener(self):
        sock = os.path.join(tmpdir(self, "authd-unix-"), "authd.sock")
        a = Authd(self, ["--listen", "unix:" + sock, "--threads", "2"])
        for token, want in ((VALID, "200"), (BAD_SIG, "401")):
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                "--unix-socket", sock, "-H", "Approov-Token: " + token,
                                "http://authd/x"], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.stdout, want)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)
        self.assertEqual(os.stat(sock).st_mode & 0o777, 0o660)  # whatever the umask

    def test_claim_headers_off_and_custom_failure(self):
        a = Authd(self, ["--claim-headers", "off", "--failure-status", "403",
                         "--failure-body", '{"error":"denied"}'])
        st, h, _ = request(a.port, "/", {"Approov-Token": VALID})
        self.assertEqual((st, header(h, "Approov-Claim-Did")), (200, []))
        st, h, b = request(a.port, "/", {"Approov-Token": BAD_SIG})
        self.assertEqual(deny_of(st, h, b), (403, b'{"error":"denied"}'))
        # a token header the HTTP parser refuses gets the same configured answer
        st, h, b = request(a.port, "/", {"Approov-Token": "\x01" + VALID})
        self.assertEqual(deny_of(st, h, b), (403, b'{"error":"denied"}'))

    def test_token_prefix_and_header(self):
        a = Authd(self, ["--token-header", "Authorization", "--token-prefix", "Bearer "])
        self.assertEqual(request(a.port, "/", {"Authorization": "Bearer " + VALID})[0], 200)
        self.assertEqual(request(a.port, "/", {"Authorization": VALID})[0], 401)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 401)

    def test_cors_preflight_bypass(self):
        pre = {"Access-Control-Request-Method": "POST", "Origin": "https://app.example"}
        off = Authd(self, [])
        self.assertEqual(request(off.port, "/", pre, method="OPTIONS")[0], 401)
        on = Authd(self, ["--cors-preflight", "on"])
        self.assertEqual(request(on.port, "/", pre, method="OPTIONS")[0], 200)
        # nginx's auth subrequest is a GET: the original method comes in X-Original-Method
        self.assertEqual(request(on.port, "/", dict(pre, **{"X-Original-Method": "OPTIONS",
                                                            "X-Original-URI": "/x"}))[0], 200)
        self.assertEqual(request(on.port, "/", dict(pre, **{"X-Forwarded-Method": "OPTIONS",
                                                            "X-Forwarded-Uri": "/x"}))[0], 200)
        # method and URI come from the same proxy's pair: a mixed pair is not a preflight
        self.assertEqual(request(on.port, "/", dict(pre, **{"X-Forwarded-Method": "OPTIONS",
                                                            "X-Original-URI": "/x"}))[0], 401)
        self.assertEqual(request(on.port, "/", dict(pre, **{"X-Original-Method": "OPTIONS"}))[0], 401)
        self.assertEqual(request(on.port, "/", {"Origin": "x"}, method="OPTIONS")[0], 401)
        self.assertEqual(request(on.port, "/", {"X-Original-Method": "OPTIONS"})[0], 401)
        self.assertEqual(on.metrics()['approov_authd_requests_total{decision="allow",reason="preflight"}'], 3)

    def test_only_a_real_preflight_gets_the_bypass(self):
        # A preflight is OPTIONS + one non-empty Origin + one Access-Control-Request-Method
        # holding a method token; anything looser would let a plain OPTIONS (which a
        # catch-all handler may serve) through without a token.
        on = Authd(self, ["--cors-preflight", "on"])
        origin = ("Origin", "https://app.example")
        acrm = "Access-Control-Request-Method"
        not_preflights = [
            [(acrm, "DELETE")],                              # no Origin
            [origin, (acrm, "")],                            # empty method
            [origin, (acrm, "GET POST")],                    # not a method token
            [origin, (acrm, "GET,POST")],
            [origin, (acrm, "GET\u00e9".encode().decode("latin-1"))],
            [origin, (acrm, "DELETE"), (acrm, "DELETE")],    # twice
            [origin, origin, (acrm, "DELETE")],
            [("Origin", ""), (acrm, "DELETE")],              # empty Origin
        ]
        for hdrs in not_preflights:
            self.assertEqual(request(on.port, "/", hdrs, method="OPTIONS")[0], 401, hdrs)
            # the same through the proxy headers (nginx's subrequest is a GET)
            via = hdrs + [("X-Original-URI", "/x"), ("X-Original-Method", "OPTIONS")]
            self.assertEqual(request(on.port, "/_auth", via)[0], 401, hdrs)
        self.assertEqual(request(on.port, "/", [origin, (acrm, "DELETE")], method="OPTIONS")[0],
                         200)
        self.assertEqual(request(on.port, "/", [origin, (acrm, "X-Custom_1")],
                                 method="OPTIONS")[0], 200)
        m = on.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="preflight"}'], 2)

    def test_duplicated_original_method_is_denied(self):
        # Two method fields: a proxy appended instead of replacing, so which one it acted on is
        # unknown. Denied like two URI fields, with a valid token and as a preflight alike.
        on = Authd(self, ["--cors-preflight", "on"])
        pre = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]
        for uri_h, method_h in (("X-Original-URI", "X-Original-Method"),
                                ("X-Forwarded-Uri", "X-Forwarded-Method")):
            for first, second in (("OPTIONS", "OPTIONS"), ("GET", "OPTIONS"), ("GET", "GET")):
                for extra in (pre, [("Approov-Token", VALID)]):
                    hdrs = [(uri_h, "/x"), (method_h, first), (method_h, second)] + extra
                    self.assertEqual(request(on.port, "/_auth", hdrs)[0], 401, hdrs)
            ok = [(uri_h, "/x"), (method_h, "GET"), ("Approov-Token", VALID)]
            self.assertEqual(request(on.port, "/_auth", ok)[0], 200)
        m = on.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_uri"}'], 12)

    def test_report_only_allows_and_counts(self):
        a = Authd(self, ["--report-only", "on"])
        st, h, b = request(a.port, "/", {"Approov-Token": EXPIRED})
        self.assertEqual((st, b), (200, b""))
        self.assertEqual(header(h, "Approov-Claim-Did"), [""])
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="report_only",reason="expired"}'], 1)
        self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="ok"}'], 1)
        wait_until(lambda: '"event":"report_only"' in a.proc.stderr_text(), "the report-only line")
        self.assertIn('"event":"report_only","reason":"expired"', a.proc.stderr_text())

    def test_denial_logs_are_rate_limited(self):
        a = Authd(self, ["--log-rate", "5"])
        for _ in range(60):
            request(a.port, "/", {"Approov-Token": BAD_SIG})
        wait_until(lambda: '"event":"deny"' in a.proc.stderr_text(), "a deny log line")
        n = a.proc.stderr_text().count('"event":"deny"')
        self.assertGreaterEqual(n, 1)
        self.assertLessEqual(n, 10)
        self.assertEqual(a.metrics()['approov_authd_requests_total{decision="deny",reason="bad_signature"}'], 60)

    def test_report_only_lines_have_their_own_budget_during_a_denial_flood(self):
        # A flood of denials must not hide report-only failures (the lines a rollout watches).
        d = tmpdir(self, "authd-logbudget-")
        conf = os.path.join(d, "authd.conf")
        with open(conf, "w") as f:
            f.write("route / protected\nroute /beta report-only\n")
        a = Authd(self, ["--config", conf, "--log-rate", "5"])
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=5)
        for _ in range(3):
            for _ in range(60):
                request(a.port, "/api", {"Approov-Token": BAD_SIG}, conn=c)
            self.assertEqual(request(a.port, "/beta", {"Approov-Token": EXPIRED}, conn=c)[0], 200)
        c.close()
        wait_until(lambda: a.proc.stderr_text().count('"event":"report_only"') >= 3,
                   "three report-only lines")
        log = a.proc.stderr_text()
        self.assertEqual(log.count('"event":"report_only"'), 3, log)
        self.assertLessEqual(log.count('"event":"deny"'), 10)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="report_only",reason="expired"}'], 3)


ROUTES = """
# test policy
route / protected
route /public unprotected
route /pay binding Authorization
route /beta report-only
route /beta/strict protected
"""


class Routes(unittest.TestCase):
    def setUp(self):
        d = tmpdir(self, "authd-routes-")
        self.conf = os.path.join(d, "authd.conf")
        with open(self.conf, "w") as f:
            f.write(ROUTES)
        self.a = Authd(self, ["--config", self.conf])

    def check(self, uri, headers, want, via="X-Original-URI"):
        h = dict(headers)
        if via == "target":
            path = uri
        else:
            path = "/_auth"
            h[via] = uri
        st = request(self.a.port, path, h)[0]
        self.assertEqual(st, want, "%s via %s" % (uri, via))

    def test_longest_prefix_by_segment(self):
        for via in ("X-Original-URI", "X-Forwarded-Uri", "target"):
            self.check("/public/x?q=1", {}, 200, via)
            self.check("/public", {}, 200, via)
            self.check("/publicity", {}, 401, via)  # not the /public segment
            self.check("/api", {}, 401, via)
            self.check("/api", {"Approov-Token": VALID}, 200, via)
            self.check("/pay/now", {"Approov-Token": VALID, "Authorization": AUTH}, 401, via)
            self.check("/pay/now", {"Approov-Token": BOUND, "Authorization": AUTH}, 200, via)
            self.check("/beta/x", {"Approov-Token": BAD_SIG}, 200, via)  # report-only
            self.check("/beta/strict/x", {"Approov-Token": BAD_SIG}, 401, via)

    def test_ambiguous_paths_are_denied_not_guessed(self):
        for uri in ("/public/../api", "/public/%2e%2e/api", "/public%2F..%2Fapi", "/public/./x",
                    "/public\\x", "public", "/public/%zz", "/public/%00"):
            self.check(uri, {"Approov-Token": VALID}, 401)
        self.check("//public//x", {}, 200)  # merged slashes
        self.check("/%70ublic/x", {}, 200)  # decoded
        self.assertEqual(self.a.metrics()['approov_authd_requests_total{decision="deny",reason="bad_uri"}'], 8)

    def test_path_parameters_are_denied_not_guessed(self):
        # Tomcat/Jetty/Spring serve /api;x/secret as /api/secret: with `/` unprotected and
        # `/api` protected, it must not fall to `/` and pass without a token.
        conf = os.path.join(tmpdir(self, "authd-params-"), "authd.conf")
        with open(conf, "w") as f:
            f.write("route / unprotected\nroute /api protected\n")
        a = Authd(self, ["--config", conf])
        for via in ("X-Original-URI", "X-Forwarded-Uri", "target"):
            for uri in ("/api;x/secret", "/api;/secret", "/api;jsessionid=1", "/api%3Bx/secret",
                        "/api%3b/secret", "/x;y"):
                path, h = (uri, {}) if via == "target" else ("/_auth", {via: uri})
                self.assertEqual(request(a.port, path, h)[0], 401, (uri, via))
            # in the query a `;` is not a path parameter
            path, h = ("/other?a=1;b=2", {}) if via == "target" else ("/_auth", {via: "/other?a=1;b=2"})
            self.assertEqual(request(a.port, path, h)[0], 200, via)
        self.assertEqual(a.metrics()['approov_authd_requests_total{decision="deny",reason="bad_uri"}'], 18)

    def test_duplicated_original_uri_is_denied(self):
        st = request(self.a.port, "/_auth", [("X-Original-URI", "/public"),
                                             ("X-Original-URI", "/public")])[0]
        self.assertEqual(st, 401)
        # also when the first of the two is empty (it used to be skipped, leaving the target)
        st = request(self.a.port, "/public", [("X-Original-URI", ""), ("X-Original-URI", "/x")])[0]
        self.assertEqual(st, 401)

    def test_no_matching_route_is_denied(self):
        with open(self.conf, "w") as f:
            f.write("route /only protected\n")
        reload_and_wait(self.a)
        self.check("/other", {"Approov-Token": VALID}, 401)
        self.check("/only/x", {"Approov-Token": VALID}, 200)


def start_with_routes(testcase, text, extra=None):
    conf = os.path.join(tmpdir(testcase, "authd-readings-"), "authd.conf")
    with open(conf, "w") as f:
        f.write(text)
    return Authd(testcase, ["--config", conf] + (extra or []))


class RouteReadings(unittest.TestCase):
    """Matching fails closed: a path that a framework could serve from a protected route under
    any reasonable reading (case, trailing slash, suffix, case folding to ASCII) gets that
    route's check, and an unprotected route read loosely never takes a path from a protected
    one: the request must pass the route of every reading."""

    def status(self, a, uri, headers=None, via="X-Original-URI"):
        h = dict(headers or {})
        if via == "target":
            return request(a.port, uri, h)[0]
        h[via] = uri
        return request(a.port, "/_auth", h)[0]

    def assert_statuses(self, a, cases, headers=None):
        for via in ("X-Original-URI", "X-Forwarded-Uri", "target"):
            for uri, want in cases:
                self.assertEqual(self.status(a, uri, headers, via), want, (uri, via, headers))

    def test_case_variants_of_a_protected_prefix_are_protected(self):
        a = start_with_routes(self, "route / unprotected\nroute /api protected\n"
                                    "route /api/open unprotected\n")
        self.assert_statuses(a, [("/API/x", 401), ("/Api", 401), ("/aPI/x", 401), ("/api", 401),
                                 ("/%41PI/x", 401), ("/API/open/x", 200), ("/Api/Open", 200),
                                 ("/apix", 200), ("/other", 200)])
        self.assert_statuses(a, [("/API/x", 200), ("/Api", 200)], {"Approov-Token": VALID})
        # a prefix written in capitals covers its lower-case spelling too
        b = start_with_routes(self, "route / unprotected\nroute /Admin protected\n")
        self.assert_statuses(b, [("/admin", 401), ("/ADMIN/x", 401), ("/Admin", 401)])

    def test_unprotected_route_never_takes_a_protected_path_by_case(self):
        # On a case-sensitive upstream /PUBLIC/x is not /public/x: it stays under `/`.
        a = start_with_routes(self, "route / protected\nroute /public unprotected\n")
        self.assert_statuses(a, [("/public/x", 200), ("/PUBLIC/x", 401), ("/Public", 401)])
        self.assert_statuses(a, [("/PUBLIC/x", 200)], {"Approov-Token": VALID})

    def test_trailing_slash_in_a_prefix_protects_the_bare_path(self):
        a = start_with_routes(self, "route / unprotected\nroute /admin/ protected\n")
        self.assert_statuses(a, [("/admin", 401), ("/admin/", 401), ("/admin/x", 401),
                                 ("/ADMIN", 401), ("//admin//", 401), ("/administrator", 200)])

    def test_suffix_reading_of_a_protected_prefix(self):
        # Spring's suffix pattern matching serves /api.json (and /api.anything) from /api.
        a = start_with_routes(self, "route / unprotected\nroute /api protected\n")
        self.assert_statuses(a, [("/api.json", 401), ("/API.json", 401), ("/api.x.y/", 401),
                                 ("/api.json/x", 200), ("/apijson", 200)])

    def test_every_reading_counts_not_just_the_loosest(self):
        # A case-insensitive framework without suffix matching serves /A/b.json from /a (it
        # is not /a/b): the loosest reading alone (/a/b) would miss it.
        a = start_with_routes(self, "route / unprotected\nroute /a protected\n"
                                    "route /a/b unprotected\n")
        self.assert_statuses(a, [("/A/b.json", 401), ("/a/b.json", 401), ("/a/b", 200),
                                 ("/A/B/x", 200)])

    def test_the_request_must_pass_the_route_of_every_reading(self):
        # /x/y: /x binding as written, /x/Y protected read case-insensitively. Both apply.
        a = start_with_routes(self, "route /x binding Authorization\nroute /x/Y protected\n")
        self.assert_statuses(a, [("/x/y", 401)], {"Approov-Token": VALID})
        self.assert_statuses(a, [("/x/y", 401)], {"Approov-Token": VALID, "Authorization": AUTH})
        self.assert_statuses(a, [("/x/y", 200)], {"Approov-Token": BOUND, "Authorization": AUTH})
        self.assert_statuses(a, [("/x/Y", 200)], {"Approov-Token": VALID})
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="missing_pay"}'], 6)

    def test_characters_that_case_fold_to_ascii(self):
        # Java's equalsIgnoreCase takes dotless i for I and the Kelvin sign for k; full case
        # folding (and toUpperCase) turns sharp s into ss and ligatures into their letters.
        a = start_with_routes(self, "route / unprotected\nroute /api protected\n"
                                    "route /class protected\nroute /file protected\n"
                                    "route /kit protected\nroute /stuff protected\n")
        self.assert_statuses(a, [("/ap%C4%B1", 401), ("/AP%C4%B0/x", 401), ("/cla%C3%9F", 401),
                                 ("/CLA%E1%BA%9E", 401), ("/%EF%AC%81le", 401),
                                 ("/%E2%84%AAit", 401), ("/%EF%AC%86u%EF%AC%80", 401),
                                 ("/a%C5%BFx", 200), ("/caf%C3%A9", 200)])
        self.assert_statuses(a, [("/ap%C4%B1", 200)], {"Approov-Token": VALID})

    def test_paths_with_more_readings_are_denied(self):
        # Windows servers drop trailing dots and spaces from a segment; a second decoding pass
        # turns %2561 into a.
        a = start_with_routes(self, "route / unprotected\nroute /api protected\n")
        for uri in ("/api.", "/api%2e", "/api%20", "/api./x", "/api%20/x", "/x/y...",
                    "/%2561pi", "/a%25%32%46b"):
            self.assertEqual(self.status(a, uri, {"Approov-Token": VALID}), 401, uri)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_uri"}'], 8)
        self.assertEqual(self.status(a, "/x/a%25b"), 200)  # a lone percent sign is just data


class RouteConfig(unittest.TestCase):
    """Route prefixes are normalized like request paths; a prefix that could never match, or
    that two lines spell alike, is refused with the file and line."""

    def check_config(self, text):
        d = tmpdir(self, "authd-routeconf-")
        conf = os.path.join(d, "authd.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--config", conf, "--check-config"],
                           env=authd_env(), cwd=d, capture_output=True, text=True, timeout=20)
        return conf, r

    def test_prefixes_are_normalized(self):
        _, r = self.check_config("route / unprotected\nroute /admin/ protected\n"
                                 "route //v1//%61pi protected\nroute /Keep/Case binding X-A\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("route /admin protected\n", r.stdout)
        self.assertIn("route /v1/api protected\n", r.stdout)
        self.assertIn("route /Keep/Case binding X-A\n", r.stdout)

    def test_prefixes_that_cannot_match_are_refused_naming_the_line(self):
        cases = [
            ("/caf%C3%A9", "ASCII"), ("/caf\u00e9", "ASCII"), ("/a/../b", "dot segment"),
            ("/a/./b", "dot segment"), ("/a;v=1", ";"), ("/a%3Bb", ";"), ("/a%2Fb", "encoded"),
            ("/a\\b", "backslash"), ("/a%zz", "escape"), ("/a%00", "control"),
            ("/a?x=1", "query"), ("/a#f", "fragment"), ("/api/*", "wildcard"), ("/a.", "dot"),
            ("/a%20", "space"), ("/a%2561", "encoded twice"), ("api", "start with /"),
        ]
        for prefix, needle in cases:
            conf, r = self.check_config("route / protected\nroute %s unprotected\n" % prefix)
            self.assertEqual(r.returncode, 2, (prefix, r.stdout))
            self.assertIn(conf + ":2", r.stderr, prefix)
            self.assertIn(needle, r.stderr, prefix)

    def test_prefixes_equal_under_folding_are_refused(self):
        for first, second in (("/api", "/API"), ("/api", "/api/"), ("/Api/X", "/aPI//x"),
                              ("/api", "/%61pi"), ("/", "//")):
            conf, r = self.check_config("route %s protected\nroute %s unprotected\n"
                                        % (first, second))
            self.assertEqual(r.returncode, 2, (first, second, r.stdout))
            self.assertIn(conf + ":2", r.stderr)
            self.assertIn(conf + ":1", r.stderr)
            self.assertIn("duplicate", r.stderr)


class Reload(unittest.TestCase):
    def setUp(self):
        d = tmpdir(self, "authd-reload-")
        self.secret = os.path.join(d, "secret")
        self.conf = os.path.join(d, "authd.conf")
        with open(self.secret, "w") as f:
            f.write(SECRET_B64 + "\n")
        with open(self.conf, "w") as f:
            f.write("secret-file = %s\nroute / protected\n" % self.secret)
        self.a = Authd(self, ["--config", self.conf], env=authd_env(secret=None))

    def hup(self):
        reload_and_wait(self.a)

    def test_good_reload_switches_secret_and_policy(self):
        self.assertEqual(request(self.a.port, "/", {"Approov-Token": VALID})[0], 200)
        with open(self.secret, "w") as f:
            f.write(OTHER_SECRET_B64)
        with open(self.conf, "a") as f:
            f.write("route /open unprotected\n")
        self.hup()
        self.assertEqual(request(self.a.port, "/", {"Approov-Token": VALID})[0], 401)
        self.assertEqual(request(self.a.port, "/", {"Approov-Token": WRONG_KEY})[0], 200)
        self.assertEqual(request(self.a.port, "/open")[0], 200)
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_config_reloads_total{result="ok"}'], 1)
        self.assertEqual(m["approov_authd_config_generation"], 2)
        # the failure answer is reloaded too, for requests the HTTP parser refuses as well
        with open(self.conf, "a") as f:
            f.write("failure-status = 403\nfailure-body = no\nfailure-content-type = text/plain\n")
        self.hup()
        for token in (VALID, "\x01" + WRONG_KEY):
            st, h, b = request(self.a.port, "/", {"Approov-Token": token})
            self.assertEqual((st, header(h, "Content-Type"), b), (403, ["text/plain"], b"no"))
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_config_reloads_total{result="ok"}'], 2)
        self.assertEqual(m["approov_authd_config_generation"], 3)

    def test_bad_reload_keeps_the_old_config(self):
        bad_secret = "c2hvcnQ="  # 5 bytes: too short
        for content, conf in ((bad_secret, None), (SECRET_B64, "route / sideways\n"),
                              (SECRET_B64, "bogus = 1\n")):
            with open(self.secret, "w") as f:
                f.write(content)
            if conf:
                with open(self.conf, "w") as f:
                    f.write("secret-file = %s\n%s" % (self.secret, conf))
            self.hup()
            self.assertEqual(request(self.a.port, "/", {"Approov-Token": VALID})[0], 200)
            self.assertEqual(request(self.a.port, "/", {"Approov-Token": BAD_SIG})[0], 401)
        m = self.a.metrics()
        self.assertEqual(m['approov_authd_config_reloads_total{result="rejected"}'], 3)
        self.assertEqual(m["approov_authd_config_generation"], 1)
        log = self.a.proc.stderr_text()
        self.assertEqual(log.count('"result":"rejected"'), 3, log)
        self.assertNotIn(bad_secret, log)


class DotenvReload(unittest.TestCase):
    """SIGHUP re-reads .env as if for the first time: what it no longer sets is not in force."""

    def setUp(self):
        self.d = tmpdir(self, "authd-dotenv-reload-")

    def write_env(self, text):
        with open(os.path.join(self.d, ".env"), "w") as f:
            f.write(text)

    def hup(self, a):
        reload_and_wait(a)

    def status(self, a, token):
        return request(a.port, "/", {"Approov-Token": token})[0]

    def test_removed_or_renamed_secret_variable_is_not_kept(self):
        import base64
        self.write_env("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)
        a = Authd(self, [], env=authd_env(secret=None), cwd=self.d)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (200, 401))
        # renamed to the URL-safe variable (another secret): not "both set, differ"
        url = base64.urlsafe_b64encode(base64.b64decode(OTHER_SECRET_B64)).rstrip(b"=").decode()
        self.write_env("APPROOV_BASE64URL_SECRET=%s\n" % url)
        self.hup(a)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (401, 200))
        # removed: the reload is rejected (no secret) and the configuration in force stays
        self.write_env("# no secret here\n")
        self.hup(a)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (401, 200))
        m = a.metrics()
        self.assertEqual(m['approov_authd_config_reloads_total{result="ok"}'], 1)
        self.assertEqual(m['approov_authd_config_reloads_total{result="rejected"}'], 1)
        log = a.proc.stderr_text()
        self.assertIn("no secret", log)
        self.assertNotIn("both", log)
        # back again under the first name
        self.write_env("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)
        self.hup(a)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (200, 401))

    def test_removed_variable_falls_back_to_the_process_environment(self):
        self.write_env("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)  # overrides the environment
        a = Authd(self, [], env=authd_env(secret=OTHER_SECRET_B64), cwd=self.d)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (200, 401))
        self.write_env("\n")
        self.hup(a)
        self.assertEqual((self.status(a, VALID), self.status(a, WRONG_KEY)), (401, 200))
        self.assertEqual(a.metrics()['approov_authd_config_reloads_total{result="ok"}'], 1)


class StartUp(unittest.TestCase):
    def run_authd(self, args, env):
        d = tmpdir(self, "authd-start-")
        return subprocess.run([AUTHD] + args, env=env, cwd=d, capture_output=True, text=True,
                              timeout=20)

    def test_check_config(self):
        r = self.run_authd(["--listen", "127.0.0.1:1", "--check-config"], authd_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("route / protected", r.stdout)
        self.assertNotIn(SECRET_B64, r.stdout + r.stderr)
        self.assertNotIn("warning", r.stdout + r.stderr)
        for status in ("401", "403"):
            r = self.run_authd(["--listen", "127.0.0.1:1", "--check-config", "--failure-status",
                                status], authd_env())
            self.assertEqual((r.returncode, r.stderr), (0, ""), status)

    def test_check_config_warns_about_a_status_nginx_turns_into_500(self):
        for status in ("400", "404", "429"):
            r = self.run_authd(["--listen", "127.0.0.1:1", "--check-config", "--failure-status",
                                status], authd_env())
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("warning: failure-status " + status, r.stderr)
            self.assertIn("nginx", r.stderr)
            self.assertIn("500", r.stderr)

    def test_bad_configuration_stops_with_a_clear_message_and_no_secret(self):
        bad = "QUFBQUFB!!notbase64" + SECRET_B64[:20]
        cases = [
            (["--listen", "127.0.0.1:0"], authd_env(secret=None), "APPROOV_BASE64_SECRET"),
            (["--listen", "127.0.0.1:0"], authd_env(secret=bad), "APPROOV_BASE64_SECRET"),
            (["--listen", "127.0.0.1:0"], authd_env(secret="c2hvcnQ="), "APPROOV_BASE64_SECRET"),
            ([], authd_env(), "--listen"),
            (["--listen", "127.0.0.1:0", "--leeway", "301"], authd_env(), "--leeway"),
            (["--listen", "127.0.0.1:0", "--bogus", "1"], authd_env(), "bogus"),
            (["--listen", "127.0.0.1:0", "--token-header", "Bad Header"], authd_env(), "--token-header"),
            (["--listen", "127.0.0.1:0", "--config", "/nonexistent/authd.conf"], authd_env(),
             "/nonexistent/authd.conf"),
            (["--listen", "not-an-address"], authd_env(), "not-an-address"),
            (["--listen", "127.0.0.1:0", "--secret-file", "/nonexistent/secret"], authd_env(),
             "/nonexistent/secret"),
        ]
        for args, env, needle in cases:
            r = self.run_authd(args, env)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(needle, r.stderr, args)
            self.assertNotIn(bad, r.stderr)
            self.assertNotIn(SECRET_B64, r.stderr)

    def test_unix_listener_never_deletes_a_file_that_is_not_a_socket(self):
        path = os.path.join(tmpdir(self, "authd-unix-"), "authd.sock")
        with open(path, "w") as f:
            f.write("precious")
        r = self.run_authd(["--listen", "unix:" + path], authd_env())
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("unix:" + path, r.stderr)
        self.assertIn("not a socket", r.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), "precious")

    def test_bad_route_line_names_file_and_line(self):
        d = tmpdir(self, "authd-conf-")
        conf = os.path.join(d, "c.conf")
        with open(conf, "w") as f:
            f.write("route / protected\nroute /x binding\n")
        r = self.run_authd(["--listen", "127.0.0.1:0", "--config", conf], authd_env())
        self.assertEqual(r.returncode, 2)
        self.assertIn(conf + ":2", r.stderr)

    def test_dotenv_supplies_the_secret(self):
        d = tmpdir(self, "authd-dotenv-")
        with open(os.path.join(d, ".env"), "w") as f:
            f.write("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)
        a = Authd(self, [], env=authd_env(secret=None), cwd=d)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)


class Limits(unittest.TestCase):
    def test_oversize_headers_get_the_failure_response_and_service_continues(self):
        a = Authd(self, ["--header-limit", "4096"])
        st, h, b = request(a.port, "/", {"Approov-Token": VALID, "X-Big": "a" * 8000})
        self.assertEqual(deny_of(st, h, b), DENY)
        st, h, b = request(a.port, "/", {"Approov-Token": "a" * 9000})
        self.assertEqual(deny_of(st, h, b), DENY)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_request"}'], 2)

    def test_default_header_limit_is_above_what_nginx_forwards(self):
        # nginx's default large_client_header_buffers (4 x 8 KiB) forwards up to ~32 KiB of
        # headers, plus the X-Original-URI it adds: the sidecar must read all of it.
        a = Authd(self, [])
        big = [("X-Fill-%d" % i, "f" * 8000) for i in range(5)]  # ~40 KiB
        st, _, _ = request(a.port, "/", big + [("Approov-Token", VALID)])
        self.assertEqual(st, 200)
        st, h, b = request(a.port, "/", big + [("Approov-Token", BAD_SIG)])
        self.assertEqual(deny_of(st, h, b), DENY)

    def test_headers_the_parser_refuses_get_the_failure_response(self):
        a = Authd(self, [])
        for hdrs in ([("Approov-Token", "\x01" + VALID)], [("Approov-Token", VALID + "\x7f")],
                     [("Approov-Token", VALID), ("X-Other", "a\x00b")]):
            st, h, b = request(a.port, "/", hdrs)
            self.assertEqual(deny_of(st, h, b), DENY, hdrs)
        raw = socket.create_connection(("127.0.0.1", a.port), timeout=5)
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n")
        answer = raw.recv(4096)
        raw.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 401 "), answer)
        self.assertIn(b"\r\nContent-Type: application/json\r\n", answer)
        self.assertTrue(answer.endswith(b"\r\n\r\n{}"), answer)
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason="bad_request"}'], 4)

    def test_slow_loris_clients_time_out_while_others_are_served(self):
        a = Authd(self, ["--read-timeout-ms", "800", "--idle-timeout-ms", "1500"])
        slow = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", a.port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        idle = socket.create_connection(("127.0.0.1", a.port))
        start = time.time()
        closed_at = {}
        served = 0
        while time.time() - start < 3.0 and len(closed_at) < len(slow):
            for i, s in enumerate(slow):
                if i in closed_at:
                    continue
                try:
                    s.sendall(b"X-Drip: 1\r\n")
                except OSError:
                    closed_at[i] = time.time() - start
            t0 = time.time()
            st = request(a.port, "/", {"Approov-Token": VALID})[0]
            self.assertEqual(st, 200)
            self.assertLess(time.time() - t0, 0.5)
            served += 1
            time.sleep(0.1)
        self.assertEqual(len(closed_at), len(slow), "slow clients still open")
        self.assertLess(max(closed_at.values()), 2.5)
        self.assertGreater(served, 5)
        # an idle keep-alive connection is closed after the idle timeout
        idle.settimeout(3)
        self.assertEqual(idle.recv(10), b"")
        for s in slow:
            s.close()
        idle.close()

    def test_graceful_stop_finishes_in_flight_requests(self):
        a = Authd(self, [])
        busy = socket.create_connection(("127.0.0.1", a.port))
        busy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", a.port))
        # Both connections accepted (the partial request in flight) before the stop.
        wait_until(lambda: a.metrics()["approov_authd_connections"] >= 2, "both connections")
        os.kill(a.pid, signal.SIGTERM)
        idle.settimeout(3)
        self.assertEqual(idle.recv(10), b"")  # idle keep-alive connection closed: stopping
        busy.sendall(("Approov-Token: %s\r\n\r\n" % VALID).encode())
        busy.settimeout(3)
        answer = busy.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK"), answer)
        self.assertIn(b"Connection: close", answer)
        self.assertEqual(a.proc.p.wait(5), 0)
        busy.close()
        idle.close()


async def _client(port, index, rounds):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    wrong = 0
    for i in range(rounds):
        kind = (index + i) % 3
        tok = (VALID, BAD_SIG, EXPIRED)[kind]
        writer.write(("GET /r/%d/%d HTTP/1.1\r\nHost: x\r\nApproov-Token: %s\r\n\r\n"
                      % (index, i, tok)).encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length"))
        body = await reader.readexactly(length)
        want = (200, b"") if kind == 0 else (401, b"{}")
        if (status, body) != want:
            wrong += 1
    writer.close()
    return wrong


class Concurrency(unittest.TestCase):
    def test_200_keep_alive_connections_mixed_tokens_all_right(self):
        a = Authd(self, ["--threads", "2"])

        async def run():
            return await asyncio.gather(*(_client(a.port, i, 30) for i in range(200)))

        wrong = asyncio.run(asyncio.wait_for(run(), 60))
        self.assertEqual(sum(wrong), 0)
        m = a.metrics()
        total = 200 * 30
        allowed = m['approov_authd_requests_total{decision="allow",reason="ok"}']
        denied = (m['approov_authd_requests_total{decision="deny",reason="bad_signature"}'] +
                  m['approov_authd_requests_total{decision="deny",reason="expired"}'])
        self.assertEqual(allowed + denied, total)
        self.assertEqual(allowed, sum(1 for i in range(200) for r in range(30) if (i + r) % 3 == 0))


class TrailerFields(unittest.TestCase):
    """Only the header section is ever read: fields in a chunked request's trailer never
    supply a token, a bound header, the original URI or method, or a preflight's fields."""

    def ask(self, port, headers, trailers, method="GET", target="/_auth"):
        req = ("%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "Transfer-Encoding: chunked\r\n" % (method, target)).encode()
        req += b"".join(("%s: %s\r\n" % hv).encode() for hv in headers) + b"\r\n"
        req += b"3\r\nabc\r\n0\r\n"
        req += b"".join(("%s: %s\r\n" % hv).encode() for hv in trailers) + b"\r\n"
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(req)
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        s.close()
        return int(answer[9:12])

    def test_trailer_fields_never_decide(self):
        conf = os.path.join(tmpdir(self, "authd-trailers-"), "authd.conf")
        with open(conf, "w") as f:
            f.write("route / protected\nroute /public unprotected\n"
                    "route /pay binding Authorization\n")
        a = Authd(self, ["--config", conf, "--cors-preflight", "on"])
        # the trailer's X-Original-URI does not pick the (unprotected) route
        self.assertEqual(self.ask(a.port, [], [("X-Original-URI", "/public")]), 401)
        self.assertEqual(self.ask(a.port, [], [("X-Forwarded-Uri", "/public")]), 401)
        # nor does it make the header's X-Original-URI ambiguous
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/public")],
                                  [("X-Original-URI", "/api")]), 200)
        # a token only in the trailer is no token; a second one there is no duplicate
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/api")],
                                  [("Approov-Token", VALID)]), 401)
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/api"), ("Approov-Token", VALID)],
                                  [("Approov-Token", VALID)]), 200)
        # a bound header only in the trailer is missing
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/pay"), ("Approov-Token", BOUND)],
                                  [("Authorization", AUTH)]), 401)
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/pay"), ("Approov-Token", BOUND),
                                           ("Authorization", AUTH)],
                                  [("Authorization", "Bearer someone-else")]), 200)
        # a preflight's method and fields come from the header section only
        pre = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]
        self.assertEqual(self.ask(a.port, [("X-Original-URI", "/api")] + pre,
                                  [("X-Original-Method", "OPTIONS")]), 401)
        self.assertEqual(self.ask(a.port, [("Origin", "https://app.example")],
                                  [("Access-Control-Request-Method", "POST")], method="OPTIONS",
                                  target="/api"), 401)
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="preflight"}'], 0)
        self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="ok"}'], 2)


class ListeningLines(unittest.TestCase):
    """The start-up lines name each listener with the port it bound: scripts and tests read the
    ports chosen for HOST:0 from them."""

    def test_each_listener_line_gives_its_own_port(self):
        d = tmpdir(self, "authd-listeners-")
        check_sock = os.path.join(d, "check.sock")
        admin_sock = os.path.join(d, "admin.sock")
        p = Proc(self, [AUTHD, "--listen", "127.0.0.1:0", "--listen", "unix:" + check_sock,
                        "--listen", "127.0.0.1:0", "--admin-listen", "unix:" + admin_sock],
                 env=authd_env(), cwd=d)
        lines = [p.p.stdout.readline() for _ in range(4)]
        self.assertTrue(all(lines), (lines, p.stderr_text()))
        prefix = "approov-authd listening on 127.0.0.1:"
        self.assertTrue(lines[0].startswith(prefix), lines)
        self.assertEqual(lines[1], "approov-authd listening on unix:%s\n" % check_sock)
        self.assertTrue(lines[2].startswith(prefix), lines)
        self.assertEqual(lines[3], "approov-authd admin on unix:%s\n" % admin_sock)
        ports = [int(lines[0][len(prefix):]), int(lines[2][len(prefix):])]
        self.assertNotEqual(ports[0], ports[1], lines)
        for port in ports:  # each line's port is a check listener
            self.assertEqual(request(port, "/", {"Approov-Token": VALID})[0], 200, port)
            self.assertEqual(request(port, "/", {"Approov-Token": BAD_SIG})[0], 401, port)
        r = subprocess.run(["curl", "-s", "--unix-socket", admin_sock, "http://authd/healthz"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.stdout, "ok\n")


if __name__ == "__main__":
    main()
