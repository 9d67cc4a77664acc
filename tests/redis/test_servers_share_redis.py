#!/usr/bin/env python3
"""Two hello-server-message-signing-check instances sharing one Redis replay store
(APPROOV_REPLAY_STORE=redis://...): a signed request accepted by one is refused as replayed by
the other; Redis stopped mid-run: the fail-closed instance refuses (replay_store_unavailable),
the fail-open one lets requests through, both log it and recover when Redis returns; the
start-up line names the store and no output ever holds the Redis password. Requests are signed
by the real `approov-token sign`.

  test_servers_share_redis.py --server PATH --cli PATH     (exit 77: no redis-server)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import message_signing_test as ms  # noqa: E402
from hello_servers_test import TEST_SECRET_B64, run_tests  # noqa: E402
from redis_harness import REDIS_SERVER, RedisServer  # noqa: E402

PASSWORD = "Redis-Pa55:w@rd"  # requirepass; ':' and '@' need no encoding in the URL


def store_url(redis, db=1):
    # Patient timeouts: the machine runs other tests at the same time.
    return (f"redis://:{PASSWORD}@127.0.0.1:{redis.port}/{db}"
            "?timeout_ms=1000&connect_timeout_ms=1000")


# Every instance serves the same public URL behind one load balancer: a signature covers it,
# whichever instance receives the request.
PUBLIC = "api.example.com"


def signing_server(server, redis, fail="closed", url=None):
    return ms.SigningServer(server, {"APPROOV_REPLAY_STORE": url or store_url(redis),
                                     "APPROOV_REPLAY_FAIL": fail,
                                     "APPROOV_SIGNATURE_BASE_URL": f"http://{PUBLIC}"})


def expect_until(send, status, limit=5.0):
    """The first answer with `status` within `limit` seconds (a store coming back)."""
    deadline = time.time() + limit
    got = send()
    while got[0] != status and time.time() < deadline:
        time.sleep(0.05)
        got = send()
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    if REDIS_SERVER is None:
        print("redis-server is not installed (Debian: apt install redis-server): skipped")
        return 77
    ms.CLI = os.path.abspath(a.cli)
    server = os.path.abspath(a.server)
    redis = RedisServer(password=PASSWORD)
    with tempfile.TemporaryDirectory(prefix="approov-redis-e2e-") as work:
        ms.WORK = work
        with open(os.path.join(work, ".env"), "w") as f:
            f.write("")
        key, _ = ms.keygen("device.pem")
        tok = ms.token("--ipk-key", key)
        at = [("Approov-Token", tok)]
        logs = []

        def sign_for(port):
            """A fresh signature (ECDSA is randomised) of GET http://api.example.com/."""
            return at + ms.sign(port, "--key", key, headers=at, host=PUBLIC)

        def shared_between_instances():
            one = signing_server(server, redis)
            two = signing_server(server, redis)
            try:
                out = one.output()
                assert f"replay store: redis 127.0.0.1:{redis.port} db 1 (fail-closed)" in out, out
                signed = sign_for(one.port)
                ms.expect(ms.send(one.port, headers=signed), 200)
                ms.expect(ms.send(two.port, headers=signed), 401, "replayed_signature", two)
                ms.expect(ms.send(one.port, headers=signed), 401, "replayed_signature", one)
                # Distinct signatures of the same request never collide.
                for _ in range(5):
                    ms.expect(ms.send(two.port, headers=sign_for(two.port)), 200)
                    ms.expect(ms.send(one.port, headers=sign_for(one.port)), 200)
                keys = redis.command("KEYS", "approov:replay:*", db=1)
                assert len(keys) == 11 and all(re.fullmatch(r"approov:replay:[0-9a-f]{64}", k)
                                               for k in keys), keys
                ttl = redis.command("TTL", keys[0], db=1)
                assert 60 < ttl <= 360, ttl  # expires + skew - now: up to 300 + 60 s
            finally:
                logs.append(one.stop()[1] + two.stop()[1] + one.output() + two.output())

        def redis_stopped_mid_run():
            closed = signing_server(server, redis, "closed")
            opened = signing_server(server, redis, "open")
            try:
                ms.expect(ms.send(closed.port, headers=sign_for(closed.port)), 200)
                ms.expect(ms.send(opened.port, headers=sign_for(opened.port)), 200)
                redis.stop()
                for _ in range(3):
                    start = time.monotonic()
                    ms.expect(ms.send(closed.port, headers=sign_for(closed.port)), 401,
                              "replay_store_unavailable", closed)
                    ms.expect(ms.send(opened.port, headers=sign_for(opened.port)), 200)
                    # Refused connections: no waiting on the timeouts.
                    assert time.monotonic() - start < 5, time.monotonic() - start
                assert "approov: replay store unavailable: redis 127.0.0.1" in closed.log()
                assert "connect: Connection refused" in opened.log(), opened.log()
                redis.start()
                signed = sign_for(closed.port)
                got = expect_until(lambda: ms.send(closed.port, headers=signed), 200)
                assert got[0] == 200, got
                ms.expect(ms.send(opened.port, headers=signed), 401, "replayed_signature", opened)
                signed = sign_for(opened.port)
                ms.expect(ms.send(opened.port, headers=signed), 200)
                ms.expect(ms.send(closed.port, headers=signed), 401, "replayed_signature", closed)
                deadline = time.time() + 5
                while "replay store recovered" not in closed.log() and time.time() < deadline:
                    time.sleep(0.05)
                assert "approov: replay store recovered: redis 127.0.0.1" in closed.log()
            finally:
                logs.append(closed.stop()[1] + opened.stop()[1])

        def wrong_password():
            url = store_url(redis).replace(PASSWORD, "Not-The-Pa55word")
            srv = signing_server(server, redis, url=url)
            try:
                ms.expect(ms.send(srv.port, headers=sign_for(srv.port)), 401,
                          "replay_store_unavailable", srv)
                assert "AUTH answered WRONGPASS" in srv.log(), srv.log()
            finally:
                _, err = srv.stop()
                assert "Not-The-Pa55word" not in err + srv.output()
                logs.append(err)

        def bad_url_stops_startup():
            e = {k: v for k, v in os.environ.items() if not k.startswith("APPROOV_")}
            e.update({"APPROOV_BASE64_SECRET": TEST_SECRET_B64, "HTTP_PORT": "0",
                      "APPROOV_REPLAY_STORE": f"redis://:{PASSWORD}@127.0.0.1:99999/0"})
            p = subprocess.run([server], env=e, cwd=work, capture_output=True, text=True,
                               timeout=10)
            assert p.returncode == 2, p
            assert "APPROOV_REPLAY_STORE: the port must be a number" in p.stderr, p.stderr
            assert PASSWORD not in p.stderr + p.stdout
            e["APPROOV_REPLAY_STORE"] = "memory"
            e["APPROOV_REPLAY_FAIL"] = "sometimes"
            p = subprocess.run([server], env=e, cwd=work, capture_output=True, text=True,
                               timeout=10)
            assert p.returncode == 2 and "APPROOV_REPLAY_FAIL" in p.stderr, p.stderr

        def password_never_printed():
            text = "".join(logs)
            assert text and PASSWORD not in text and "Pa55" not in text, text[-2000:]

        try:
            results = run_tests([
                ("two instances share one Redis: accepted by one, replayed on the other",
                 shared_between_instances),
                ("Redis stopped: fail-closed refuses, fail-open passes, both recover",
                 redis_stopped_mid_run),
                ("a wrong Redis password: refused, logged without the password", wrong_password),
                ("a malformed APPROOV_REPLAY_STORE or APPROOV_REPLAY_FAIL stops start-up",
                 bad_url_stops_startup),
                ("no output holds the Redis password", password_never_printed),
            ])
        finally:
            redis.close()
    failed = sum(1 for _, e in results if e)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
