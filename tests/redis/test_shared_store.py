#!/usr/bin/env python3
"""Two processes sharing one Redis replay store: a key recorded by one is replayed for the
other, distinct keys never collide, a key is forgotten after its window, and both processes
answer unavailable while Redis is down and recover when it returns.

  test_shared_store.py --probe PATH      (exit 77: redis-server not installed)
"""
import argparse
import os
import secrets
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from redis_harness import REDIS_SERVER, RedisServer  # noqa: E402


class Probe:
    """One replay_probe process: ask(hexkey, seconds) -> its verdict."""

    def __init__(self, path, store):
        self.proc = subprocess.Popen([path, store], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        ready = self.proc.stdout.readline()
        assert ready.startswith("ready redis"), ready

    def ask(self, key, seconds=60):
        self.proc.stdin.write(f"{key} {seconds}\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        return self.proc.stderr.read()


def until(probe, key, want, seconds=60, limit=5.0):
    deadline = time.time() + limit
    got = probe.ask(key, seconds)
    while got != want and time.time() < deadline:
        time.sleep(0.05)
        got = probe.ask(key, seconds)
    return got


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", required=True)
    args = parser.parse_args()
    if REDIS_SERVER is None:
        print("redis-server is not installed (Debian: apt install redis-server): skipped")
        return 77
    redis = RedisServer()
    failures = 0
    try:
        # Patient timeouts: the machine may be busy with other tests.
        store = redis.url(2) + "?timeout_ms=1000&connect_timeout_ms=1000"
        a, b = Probe(args.probe, store), Probe(args.probe, store)

        def check(name, got, want):
            nonlocal failures
            ok = got == want
            failures += 0 if ok else 1
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {got}" + ("" if ok else f" (want {want})"))

        key = secrets.token_hex(32)
        check("A records a new key", a.ask(key), "first_seen")
        check("B sees it as replayed", b.ask(key), "replayed")
        check("A sees it as replayed", a.ask(key), "replayed")
        distinct = [secrets.token_hex(32) for _ in range(200)]
        check("distinct keys are all new, alternating A and B",
              [(a if i % 2 else b).ask(k) for i, k in enumerate(distinct)].count("first_seen"),
              len(distinct))
        check("and all replayed for the other one",
              [(b if i % 2 else a).ask(k) for i, k in enumerate(distinct)].count("replayed"),
              len(distinct))
        check("the key lives in database 2 under the prefix, in hex",
              redis.command("EXISTS", f"approov:replay:{key}", db=2), 1)
        short = secrets.token_hex(32)
        check("A records a key for 1 s", a.ask(short, 1), "first_seen")
        check("B: replayed within its window", b.ask(short, 1), "replayed")
        time.sleep(1.2)
        check("B: new again after its window", until(b, short, "first_seen", 1), "first_seen")

        redis.stop()
        down = secrets.token_hex(32)
        check("Redis down: A unavailable", a.ask(down), "unavailable")
        check("Redis down: B unavailable", b.ask(down), "unavailable")
        redis.start()
        check("Redis back: A records again", until(a, down, "first_seen"), "first_seen")
        check("Redis back: B sees A's key", until(b, down, "replayed"), "replayed")
        log = a.close() + b.close()
        check("events logged: unavailable then recovered",
              ("unavailable: redis 127.0.0.1" in log, "recovered: redis 127.0.0.1" in log),
              (True, True))
    finally:
        redis.close()
    print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
