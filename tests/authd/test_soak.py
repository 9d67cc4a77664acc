#!/usr/bin/env python3
"""Soak: wrk through real nginx (deploy/nginx) for SOAK_SECONDS (default 40) while the sidecar
is reloaded with SIGHUP every 3 s (good configs, plus rejected bad ones). One wrk sends a
valid token and must get only 2xx; another sends a bad one and must get only non-2xx, which
the sidecar's own counters and nginx's clean error log show to be its 401s. No socket errors.
The upstream is a second approov-authd with every route unprotected (a fast 200)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness
from harness import BAD_SIG, VALID, Authd, request, which
from test_nginx import start_nginx

SECONDS = int(os.environ.get("SOAK_SECONDS", "40"))


def wrk(port, token, seconds, out):
    r = subprocess.run(["wrk", "-t1", "-c8", "-d%ds" % seconds, "-H", "Approov-Token: " + token,
                        "http://127.0.0.1:%d/api/soak" % port], capture_output=True, text=True,
                       timeout=seconds + 30)
    text = r.stdout
    res = {"requests": int(re.search(r"(\d+) requests in", text).group(1)), "non2xx": 0,
           "socket_errors": 0, "text": text}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        res["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        res["socket_errors"] = sum(int(x) for x in m.groups())
    out.append(res)


class Soak(unittest.TestCase):
    def test_reloads_under_load_drop_nothing(self):
        d = tempfile.mkdtemp(prefix="authd-soak-")
        self.addCleanup(shutil.rmtree, d, True)
        conf = os.path.join(d, "authd.conf")
        good = ["route / protected\nthreads = 1\n",
                "route / protected\nroute /public unprotected\nleeway = 5\n"]
        bad = "route / protected\nroute /x nonsense\n"
        with open(conf, "w") as f:
            f.write(good[0])
        authd = Authd(self, ["--config", conf, "--log-rate", "2", "--failure-body="])
        upstream = Authd(self, ["--threads", "1", "--log-rate", "0", "--config",
                                self._upstream_conf(d)])
        port, nginx = start_nginx(self, authd.port, upstream.port)
        self.assertEqual(request(port, "/api", {"Approov-Token": VALID})[0], 200)
        self.assertEqual(request(port, "/api", {"Approov-Token": BAD_SIG})[0], 401)
        before = authd.metrics()

        results_ok, results_bad = [], []
        threads = [threading.Thread(target=wrk, args=(port, VALID, SECONDS, results_ok)),
                   threading.Thread(target=wrk, args=(port, BAD_SIG, SECONDS, results_bad))]
        for t in threads:
            t.start()
        reloads = rejected = 0
        start = time.time()
        while time.time() - start < SECONDS - 3:
            time.sleep(3)
            with open(conf, "w") as f:
                if (reloads + rejected) % 4 == 3:
                    f.write(bad)
                    rejected += 1
                else:
                    f.write(good[reloads % 2])
                    reloads += 1
            os.kill(authd.pid, signal.SIGHUP)
        for t in threads:
            t.join()
        ok, badr = results_ok[0], results_bad[0]
        after = authd.metrics()

        self.assertGreater(ok["requests"], 100, ok["text"])
        self.assertEqual(ok["non2xx"], 0, ok["text"])
        self.assertEqual(ok["socket_errors"], 0, ok["text"])
        self.assertEqual(badr["non2xx"], badr["requests"], badr["text"])
        self.assertEqual(badr["socket_errors"], 0, badr["text"])
        denied = (after['approov_authd_requests_total{decision="deny",reason="bad_signature"}'] -
                  before['approov_authd_requests_total{decision="deny",reason="bad_signature"}'])
        allowed = (after['approov_authd_requests_total{decision="allow",reason="ok"}'] -
                   before['approov_authd_requests_total{decision="allow",reason="ok"}'])
        # every wrk answer was the sidecar's (wrk may stop with a few checks still in flight)
        self.assertGreaterEqual(denied, badr["requests"])
        self.assertLessEqual(denied, badr["requests"] + 16)
        self.assertGreaterEqual(allowed, ok["requests"])
        self.assertEqual(after['approov_authd_config_reloads_total{result="ok"}'], reloads)
        self.assertEqual(after['approov_authd_config_reloads_total{result="rejected"}'], rejected)
        self.assertGreaterEqual(reloads, max(2, SECONDS // 6))
        with open(os.path.join(nginx.p.args[2], "error.log")) as f:
            errors = [l for l in f if "[error]" in l or "[crit]" in l or "[alert]" in l]
        self.assertEqual(errors, [])
        print("\nsoak: %d s, %d reloads + %d rejected, valid %d req (all 2xx), invalid %d req "
              "(all 401), 0 socket errors" % (SECONDS, reloads, rejected, ok["requests"],
                                               badr["requests"]))

    def _upstream_conf(self, d):
        path = os.path.join(d, "upstream.conf")
        with open(path, "w") as f:
            f.write("route / unprotected\nclaim-headers = off\n")
        return path


if __name__ == "__main__":
    if not which("nginx") or not which("wrk"):
        print("nginx or wrk not installed: skipped")
        sys.exit(77)
    harness.main()
