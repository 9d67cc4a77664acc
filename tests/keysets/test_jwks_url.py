#!/usr/bin/env python3
"""The JWKS URL refresher end to end: a local HTTPS server (python http.server + ssl, with a CA
this test makes with the openssl CLI) serves rotating key sets to jwks_url_probe, a verifier on
a KeySet that approov::JwksFetcher keeps current. Covers start-up, a new kid accepted after
rotation (refresh on unknown kid), a fetch failure and a malformed set (the last good set stays
in use), recovery, the rate limit, and start-up refusals (wrong CA, plain http, HTTP error).

Usage: test_jwks_url.py PATH/TO/jwks_url_probe PATH/TO/approov-token
"""
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

PROBE = None
CLI = None
INTERVAL = 3  # seconds between scheduled refreshes
MIN_GAP = 1   # seconds: the rate limit of unknown-kid refreshes and retries


def run(*args, **kw):
    return subprocess.run(list(args), check=True, capture_output=True, text=True, **kw).stdout


class Pki:
    """A CA and a server certificate for 127.0.0.1, made with the openssl CLI."""

    def __init__(self, directory):
        self.dir = directory
        p = lambda name: os.path.join(directory, name)  # noqa: E731
        self.ca, self.cert, self.key = p("ca.pem"), p("server.pem"), p("server.key")
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", p("ca.key"), "-out", self.ca, "-days", "2",
            "-subj", "/CN=approov-cpp test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", self.key, "-out", p("server.csr"), "-subj", "/CN=127.0.0.1")
        with open(p("ext.cnf"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n")
        run("openssl", "x509", "-req", "-in", p("server.csr"), "-CA", self.ca, "-CAkey",
            p("ca.key"), "-CAcreateserial", "-out", self.cert, "-days", "2",
            "-extfile", p("ext.cnf"))
        # Another CA, which did not sign the server's certificate.
        self.other_ca = p("other-ca.pem")
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", p("other-ca.key"), "-out", self.other_ca, "-days", "2",
            "-subj", "/CN=another CA")


class JwksServer:
    """Serves `self.body` at /jwks.json over HTTPS; `self.mode` makes it fail on purpose."""

    def __init__(self, pki):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                with server.lock:
                    server.hits.append(time.monotonic())
                    mode, body = server.mode, server.body
                if mode == "error":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.hits = []
        self.mode = "ok"
        self.body = b"{}"
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.cert, pki.key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "https://127.0.0.1:%d/jwks.json" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, body, mode="ok"):
        with self.lock:
            self.body, self.mode = body.encode() if isinstance(body, str) else body, mode

    def hits_since(self, t):
        with self.lock:
            return len([h for h in self.hits if h >= t])

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Probe:
    def __init__(self, url, ca):
        self.proc = subprocess.Popen([PROBE, url, ca, str(INTERVAL), str(MIN_GAP)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.first = self.proc.stdout.readline().strip()

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def verify(self, token):
        return self.ask("verify " + token)

    def state(self):
        return dict(kv.split("=") for kv in self.ask("state").split())

    def events(self):
        self.proc.stdin.write("events\n")
        self.proc.stdin.flush()
        out = []
        for line in iter(self.proc.stdout.readline, ""):
            if line.strip() == "end":
                break
            out.append(line.strip())
        return out

    def wait_generation(self, generation, seconds=15):
        state = dict(kv.split("=") for kv in self.ask("wait %d %s" % (generation, seconds)).split())
        return state

    def wait_for(self, predicate, seconds=15):
        """Polls `events` until predicate(events) holds (readiness by polling, not sleeping)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            events = self.events()
            if predicate(events):
                return events
            time.sleep(0.1)
        raise AssertionError("timed out; events: %r" % self.events())

    def close(self):
        """Stops the probe (quit, then kill if it hangs); returns its exit status."""
        if self.proc.poll() is None:
            try:
                self.ask("quit")
            except (BrokenPipeError, ValueError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()
        return self.proc.returncode


class JwksUrl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="approov-jwks-url-")
        cls.pki = Pki(cls.dir)
        cls.keys = {}
        for kid, spec in [("ec-1", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                          ("rsa-2", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
                          ("ed-3", ["-algorithm", "ED25519"])]:
            path = os.path.join(cls.dir, kid + ".pem")
            run("openssl", "genpkey", *spec, "-out", path)
            cls.keys[kid] = path
        cls.tokens = {kid: run(CLI, "gen", "--key", path, "--kid", kid, "--ttl", "3600").strip()
                      for kid, path in cls.keys.items()}
        cls.server = JwksServer(cls.pki)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def jwks(self, *kids):
        import json
        keys = [json.loads(run(CLI, "jwks", "--key", self.keys[k], "--kid", k))["keys"][0]
                for k in kids]
        return json.dumps({"keys": keys})

    def probe(self, url=None, ca=None):
        probe = Probe(url or self.server.url, ca or self.pki.ca)
        self.addCleanup(probe.close)
        return probe

    def test_rotation_failure_and_recovery(self):
        self.server.serve(self.jwks("ec-1"))
        probe = self.probe()
        self.assertTrue(probe.first.startswith("ready generation=1 keys=1 updated=1"), probe.first)
        self.assertEqual(probe.verify(self.tokens["ec-1"]), "ok")
        self.assertEqual(probe.verify(self.tokens["rsa-2"]), "unknown_kid")

        # Rotation: rsa-2 appears. A token with the new kid asks for a refresh and is accepted
        # once the set has it.
        self.server.serve(self.jwks("ec-1", "rsa-2"))
        deadline = time.monotonic() + 15
        while probe.verify(self.tokens["rsa-2"]) != "ok":
            self.assertLess(time.monotonic(), deadline, probe.events())
            time.sleep(0.1)
        state = probe.state()
        self.assertEqual(state["keys"], "2")
        self.assertGreaterEqual(int(state["requests"]), 1)
        self.assertTrue(any(e.startswith("unknown_kid updated keys=2") for e in probe.events()),
                        probe.events())
        self.assertEqual(probe.verify(self.tokens["ec-1"]), "ok")

        # The server fails: the refresh fails and the last good set stays in use.
        self.server.serve(self.jwks("ec-1", "rsa-2"), mode="error")
        events = probe.wait_for(lambda ev: any(" failed " in e and "HTTP status 500" in e
                                               for e in ev))
        self.assertEqual(probe.verify(self.tokens["rsa-2"]), "ok")
        self.assertEqual(probe.verify(self.tokens["ec-1"]), "ok")

        # A malformed set (duplicate kids) is refused whole; the last good set stays.
        import json
        good = json.loads(self.jwks("ec-1"))["keys"][0]
        self.server.serve(json.dumps({"keys": [good, good]}))
        probe.wait_for(lambda ev: any("have the same kid" in e for e in ev))
        self.assertEqual(probe.state()["keys"], "2")
        self.assertEqual(probe.verify(self.tokens["rsa-2"]), "ok")

        # Recovery with a rotated set: only ed-3 now.
        generation = int(probe.state()["generation"])
        self.server.serve(self.jwks("ed-3"))
        state = probe.wait_generation(generation + 1)
        self.assertEqual(state["keys"], "1", state)
        self.assertEqual(probe.verify(self.tokens["ed-3"]), "ok")
        self.assertEqual(probe.verify(self.tokens["ec-1"]), "unknown_kid")
        self.assertEqual(probe.verify(self.tokens["rsa-2"]), "unknown_kid")
        events = probe.events()
        self.assertTrue(any(e.startswith(("retry updated", "interval updated")) for e in events),
                        events)
        # The refresher stops cleanly (under the sanitizer build: no leak, no report).
        self.assertEqual(probe.close(), 0)

    def test_unknown_kids_are_rate_limited(self):
        self.server.serve(self.jwks("ec-1"))
        probe = self.probe()
        self.assertTrue(probe.first.startswith("ready"), probe.first)
        start = time.monotonic()
        # A flood of tokens with kids the set does not hold.
        while time.monotonic() - start < 2.5:
            self.assertEqual(probe.verify(self.tokens["ed-3"]), "unknown_kid")
        elapsed = time.monotonic() - start
        hits = self.server.hits_since(start)
        # At most one refresh per MIN_GAP for the unknown kids, plus scheduled ones.
        self.assertLessEqual(hits, int(elapsed / MIN_GAP) + int(elapsed / INTERVAL) + 2, hits)
        self.assertGreaterEqual(hits, 1)
        self.assertEqual(probe.verify(self.tokens["ec-1"]), "ok")

    def test_unchanged_set_is_not_replaced(self):
        self.server.serve(self.jwks("ec-1"))
        probe = self.probe()
        probe.wait_for(lambda ev: any(e.startswith("interval unchanged") for e in ev),
                       seconds=INTERVAL * 4)
        self.assertEqual(probe.state()["generation"], "1")

    def test_startup_refusals(self):
        self.server.serve(self.jwks("ec-1"))
        wrong_ca = self.probe(ca=self.pki.other_ca)
        self.assertTrue(wrong_ca.first.startswith("error: JWKS URL " + self.server.url + ": "),
                        wrong_ca.first)
        self.assertIn("certificate", wrong_ca.first.lower())
        plain = self.probe(url=self.server.url.replace("https://", "http://"))
        self.assertTrue(plain.first.endswith("only https:// URLs are fetched"), plain.first)
        self.server.serve(self.jwks("ec-1"), mode="error")
        failing = self.probe()
        self.assertTrue(failing.first.endswith("HTTP status 500 (200 expected)"), failing.first)
        self.server.serve('{"keys":[]}')
        empty = self.probe()
        self.assertTrue(empty.first.endswith('the JWKS: "keys" is empty'), empty.first)
        for p in (wrong_ca, plain, failing, empty):
            self.assertEqual(p.proc.wait(timeout=10), 2)


if __name__ == "__main__":
    PROBE, CLI = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
