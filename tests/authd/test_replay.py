#!/usr/bin/env python3
"""approov-authd's replay store: each signature accepted once. In memory (one sidecar, kept
across a reload) and in a real redis-server shared by two sidecars: a signed request accepted by
one is refused as replayed by the other; Redis stopped: fail-closed refuses
(replay_store_unavailable), fail-open lets requests through, both log it and recover when Redis
returns, and no output holds the Redis password. Requests are signed by `approov-token sign`
and asked the way nginx asks (test_signing.forwarded)."""
import base64
import os
import subprocess
import sys
import threading
import time
import unittest

from harness import AUTHD, CLI, Authd, authd_env, reload_and_wait, request, tmpdir, wait_until
from test_signing import PUBLIC, Signer, forwarded

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redis"))
from redis_harness import REDIS_SERVER, RedisServer  # noqa: E402

PASSWORD = "Redis-Pa55:w@rd"
# The order of P-256's group: (r, s) and (r, n - s) are both valid ECDSA signatures.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ROUTES = ["--route", "/v1 message-signing-required protected"]


def ask(authd, fields):
    return request(authd.port, "/_approov_auth", fields)[0]


def answers(authd):
    m = authd.metrics()
    return {a: m['approov_authd_replay_store_answers_total{answer="%s"}' % a]
            for a in ("stored", "replayed", "unavailable")}


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
class Memory(unittest.TestCase):
    def test_each_signature_is_accepted_once_even_across_a_reload(self):
        dev = Signer(self)
        conf = os.path.join(tmpdir(self, "authd-replay-"), "authd.conf")
        with open(conf, "w") as f:
            f.write("replay-store = memory\nroute /v1 message-signing-required protected\n")
        a = Authd(self, ["--config", conf])
        tok = [("Approov-Token", dev.token)]
        sig = tok + dev.sign("GET", "http://%s/v1/orders?id=7" % PUBLIC, tok)
        self.assertEqual(ask(a, sig + forwarded()), 200)
        self.assertEqual(ask(a, sig + forwarded()), 401)
        reload_and_wait(a)
        self.assertEqual(ask(a, sig + forwarded()), 401)  # remembered across the reload
        fresh = tok + dev.sign("GET", "http://%s/v1/orders?id=7" % PUBLIC, tok)
        self.assertEqual(ask(a, fresh + forwarded()), 200)
        self.assertEqual(answers(a), {"stored": 2, "replayed": 2, "unavailable": 0})
        self.assertIn('"event":"features","message_signing_routes":1,"replay_store":"memory",'
                      '"replay_fail":"closed"', a.proc.stderr_text())
        m = a.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason='
                           '"replayed_signature"}'], 2)


    def test_the_other_ecdsa_signature_of_the_same_request_is_a_replay(self):
        # (r, s) and (r, n - s) both verify (high-S is accepted): an attacker who captured a
        # signed request can send it again with s flipped, other bytes under the same label.
        # The store must see the same signature, or a captured request passes twice.
        dev = Signer(self)
        a = Authd(self, ["--replay-store", "memory"] + ROUTES)
        tok = [("Approov-Token", dev.token)]
        sig = tok + dev.sign("GET", "http://%s/v1/orders?id=7" % PUBLIC, tok)
        self.assertEqual(ask(a, sig + forwarded()), 200)
        value = next(v for n, v in sig if n == "Signature")
        label, encoded = value.split("=", 1)
        raw = base64.b64decode(encoded.strip(":"))
        r, s = raw[:32], int.from_bytes(raw[32:], "big")
        flipped = base64.b64encode(r + (P256_ORDER - s).to_bytes(32, "big")).decode()
        other = [(n, "%s=:%s:" % (label, flipped) if n == "Signature" else v) for n, v in sig]
        self.assertEqual(ask(a, other + forwarded()), 401)
        self.assertEqual(answers(a), {"stored": 1, "replayed": 1, "unavailable": 0})

    def test_a_path_with_two_signing_routes_records_its_signature_once(self):
        # /v1/Orders reads as /v1/orders and as /v1: it must pass both routes, and its
        # signature is one signature. Checked and recorded per route, the second route saw the
        # first one's record as a replay (and a report-only route read first used it up).
        dev = Signer(self)
        tok = [("Approov-Token", dev.token)]
        for first in ("message-signing", "report-only message-signing"):
            a = Authd(self, ["--replay-store", "memory",
                             "--route", "/v1/orders %s protected" % first,
                             "--route", "/v1 message-signing protected"])
            sig = tok + dev.sign("GET", "http://%s/v1/Orders" % PUBLIC, tok)
            fields = sig + forwarded(uri="/v1/Orders")
            self.assertEqual(ask(a, fields), 200, first)
            self.assertEqual(ask(a, fields), 401, first)  # still one use per signature
            self.assertEqual(answers(a), {"stored": 1, "replayed": 1, "unavailable": 0}, first)
            m = a.metrics()
            self.assertEqual(m['approov_authd_requests_total{decision="allow",reason="ok"}'], 1,
                             first)
            self.assertEqual(m['approov_authd_requests_total{decision="deny",reason='
                               '"replayed_signature"}'], 1, first)


@unittest.skipUnless(CLI, "APPROOV_TOKEN_CLI not set")
@unittest.skipIf(REDIS_SERVER is None, "redis-server not installed")
class SharedRedis(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer(password=PASSWORD)
        self.addCleanup(self.redis.close)
        self.dev = Signer(self)
        self.tok = [("Approov-Token", self.dev.token)]

    def url(self, db=1):
        # Patient timeouts: the machine runs other tests at the same time.
        return ("redis://:%s@127.0.0.1:%d/%d?timeout_ms=1000&connect_timeout_ms=1000"
                % (PASSWORD, self.redis.port, db))

    def sidecar(self, fail="closed", extra=()):
        return Authd(self, ROUTES + ["--replay-fail", fail] + list(extra),
                     env=authd_env({"APPROOV_AUTHD_REPLAY_STORE": self.url()}))

    def signed(self):
        """A fresh signature (ECDSA is randomised) of GET http://api.example.com/v1/orders?id=7."""
        return self.tok + self.dev.sign("GET", "http://%s/v1/orders?id=7" % PUBLIC, self.tok) + \
            forwarded()

    def test_two_sidecars_share_one_store(self):
        one, two = self.sidecar(), self.sidecar()
        sig = self.signed()
        self.assertEqual(ask(one, sig), 200)
        self.assertEqual(ask(two, sig), 401)  # replayed, through the other instance
        self.assertEqual(ask(one, sig), 401)
        for _ in range(3):  # distinct signatures of the same request never collide
            self.assertEqual(ask(two, self.signed()), 200)
            self.assertEqual(ask(one, self.signed()), 200)
        keys = self.redis.command("KEYS", "approov:replay:*", db=1)
        self.assertEqual(len(keys), 7)
        self.assertEqual(answers(two)["replayed"], 1)
        self.assertEqual(answers(one)["replayed"], 1)

    def test_the_stored_key_expires_with_the_signature(self):
        a = self.sidecar()
        self.assertEqual(ask(a, self.signed()), 200)
        (key,) = self.redis.command("KEYS", "approov:replay:*", db=1)
        # expires (created + 15 s, the SDKs' default) + skew (60 s) - now; never the signature
        # in clear: the key is a hash.
        self.assertTrue(60 < self.redis.command("TTL", key, db=1) <= 75)

    def test_the_same_signature_at_once_on_many_connections_is_accepted_once(self):
        one, two = self.sidecar(extra=["--threads", "4"]), self.sidecar(extra=["--threads", "4"])
        sig = self.signed()
        results = []
        lock = threading.Lock()

        def send(authd):
            got = ask(authd, sig)
            with lock:
                results.append(got)

        threads = [threading.Thread(target=send, args=(one if i % 2 else two,))
                   for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [200] + [401] * 23)

    def test_a_slow_redis_hits_the_timeout(self):
        a = Authd(self, ROUTES, env=authd_env({"APPROOV_AUTHD_REPLAY_STORE": (
            "redis://:%s@127.0.0.1:%d/1?timeout_ms=200&connect_timeout_ms=200"
            % (PASSWORD, self.redis.port))}))
        self.assertEqual(ask(a, self.signed()), 200)  # connected
        sleeper = threading.Thread(target=self.redis.command, args=("DEBUG", "SLEEP", "2"))
        sleeper.start()
        self.addCleanup(sleeper.join)
        time.sleep(0.1)
        start = time.monotonic()
        self.assertEqual(ask(a, self.signed()), 401)  # replay_store_unavailable, fail-closed
        self.assertLess(time.monotonic() - start, 1.5)
        self.assertGreater(a.metrics()['approov_authd_replay_store_failures_total{kind="timeout"}'],
                           0)

    def test_redis_stopped_fail_closed_and_fail_open_then_recovery(self):
        closed, opened = self.sidecar("closed"), self.sidecar("open")
        self.assertEqual(ask(closed, self.signed()), 200)
        self.assertEqual(ask(opened, self.signed()), 200)
        self.redis.stop()
        for _ in range(3):
            start = time.monotonic()
            self.assertEqual(ask(closed, self.signed()), 401)
            self.assertEqual(ask(opened, self.signed()), 200)
            self.assertLess(time.monotonic() - start, 5)  # never waits beyond the timeouts
        m = closed.metrics()
        self.assertEqual(m['approov_authd_requests_total{decision="deny",reason='
                           '"replay_store_unavailable"}'], 3)
        self.assertEqual(answers(opened)["unavailable"], 3)
        self.assertGreater(m['approov_authd_replay_store_failures_total{kind="connect"}'], 0)
        wait_until(lambda: '"state":"unavailable"' in closed.proc.stderr_text(),
                   "the unavailable line")
        self.redis.start()
        # Back without a restart: each sidecar reconnects after its own back-off; then a
        # signature accepted by one is refused by the other again.
        def shared_again():
            sig = self.signed()
            return ask(closed, sig) == 200 and ask(opened, sig) == 401
        wait_until(shared_again, "both sidecars sharing Redis again", timeout=15)
        wait_until(lambda: '"state":"recovered"' in closed.proc.stderr_text(),
                   "the recovered line")
        for a in (closed, opened):
            self.assertNotIn(PASSWORD, a.proc.stderr_text())

    def test_check_config_names_the_store_never_the_password(self):
        r = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config", "--replay-store",
                            self.url()] + ROUTES, env=authd_env(), capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("replay store redis 127.0.0.1:%d db 1 (fail-closed)" % self.redis.port,
                      r.stdout)
        self.assertNotIn(PASSWORD, r.stdout + r.stderr)
        bad = subprocess.run([AUTHD, "--listen", "127.0.0.1:1", "--check-config",
                              "--replay-store", "redis://:%s@127.0.0.1:x/1" % PASSWORD],
                             env=authd_env(), capture_output=True, text=True, timeout=20)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("replay-store", bad.stderr)
        self.assertNotIn(PASSWORD, bad.stdout + bad.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
