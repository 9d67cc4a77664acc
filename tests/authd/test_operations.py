#!/usr/bin/env python3
"""approov-authd as operators run it: a busy port stops start-up, log lines carry what a log
pipeline needs, /metrics exports the process, build, reload, refusal and clock series (and the
Grafana dashboard queries only those), and /readyz says whether the clock is synchronised."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import unittest

from harness import (AUTHD, BAD_SIG, CLI, SOURCE, VALID, Authd, Proc, authd_env, free_port,
                     request, tmpdir)


def start_and_wait(testcase, args, timeout=10):
    """approov-authd with `args`: (process, exit status or None if it is still running)."""
    p = Proc(testcase, [AUTHD] + args, env=authd_env(), cwd=tmpdir(testcase, "authd-ops-"))
    try:
        return p, p.p.wait(timeout)
    except subprocess.TimeoutExpired:
        return p, None


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def log_lines(proc):
    return [json.loads(l) for l in proc.stderr_text().splitlines() if l.startswith("{")]


class BusyPorts(unittest.TestCase):
    """A second sidecar on a port in use must not start (it used to share the port through
    SO_REUSEPORT and take half of the checks, whatever its configuration)."""

    def test_a_second_sidecar_on_a_busy_port_does_not_start(self):
        for first_threads, second_threads in (("1", "1"), ("2", "2"), ("1", "2"), ("2", "1")):
            port = free_port()
            first = Authd(self, ["--listen", "127.0.0.1:%d" % port, "--threads", first_threads])
            self.assertEqual(request(port, "/", {"Approov-Token": VALID})[0], 200)
            second, status = start_and_wait(self, ["--listen", "127.0.0.1:%d" % port,
                                                   "--threads", second_threads])
            self.assertEqual(status, 2, (first_threads, second_threads))
            err = second.stderr_text()
            self.assertIn("127.0.0.1:%d" % port, err)
            self.assertIn("in use", err)
            first.proc.stop()

    def test_a_port_taken_by_another_program_stops_start_up(self):
        for reuse_port in (False, True):
            with socket.socket() as other:
                other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if reuse_port:
                    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                other.bind(("127.0.0.1", 0))
                other.listen()
                port = other.getsockname()[1]
                for threads in ("1", "2"):
                    p, status = start_and_wait(self, ["--listen", "127.0.0.1:%d" % port,
                                                      "--threads", threads])
                    self.assertEqual(status, 2, (reuse_port, threads))
                    self.assertIn("in use", p.stderr_text())

    def test_admin_port_equal_to_the_check_port_is_refused(self):
        port = free_port()
        p, status = start_and_wait(self, ["--listen", "127.0.0.1:%d" % port, "--admin-listen",
                                          "localhost:%d" % port])
        self.assertEqual(status, 2)
        self.assertIn("admin-listen", p.stderr_text())


class Logs(unittest.TestCase):
    def test_every_line_has_level_and_version_and_the_banner_is_json(self):
        a = Authd(self, ["--threads", "2"])
        request(a.port, "/", {"Approov-Token": BAD_SIG})
        self.assertTrue(wait_for(lambda: any(l.get("event") == "deny"
                                             for l in log_lines(a.proc))))
        version = subprocess.run([AUTHD, "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
        lines = log_lines(a.proc)
        self.assertEqual(len(lines), len(a.proc.stderr_text().splitlines()))
        for line in lines:
            self.assertIn(line["level"], ("info", "warning", "error"), line)
            self.assertEqual(line["version"], version, line)
        (started,) = [l for l in lines if l["event"] == "started"]
        self.assertEqual(started["threads"], 2)
        self.assertEqual(started["listen"], ["127.0.0.1:%d" % a.port])
        self.assertEqual(started["admin_listen"], "127.0.0.1:%d" % a.admin)

    def test_denials_carry_the_request_id_and_forwarded_client(self):
        a = Authd(self, [])
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        cases = [
            ({"X-Request-Id": "req-1", "X-Forwarded-For": "203.0.113.9, 10.0.0.1"},
             {"request_id": "req-1", "client": "203.0.113.9"}),
            ({"traceparent": "00-%s-00f067aa0ba902b7-01" % trace, "X-Real-IP": "2001:db8::1"},
             {"trace_id": trace, "client": "2001:db8::1"}),
            # hostile values: sanitised and capped, the line stays one valid JSON object
            ({"X-Request-Id": "a\"b\\c" + "x" * 500, "X-Forwarded-For": "1.2.3.4\"}, {"},
             {"request_id": "a\"b\\c" + "x" * 123, "client": "1.2.3.4??"}),
            ({"traceparent": "00-%s-zz-01" % trace}, {}),  # malformed: no trace id
            ({}, {}),
        ]
        for headers, _ in cases:
            request(a.port, "/", dict(headers, **{"Approov-Token": BAD_SIG}))
        self.assertTrue(wait_for(lambda: len([l for l in log_lines(a.proc)
                                              if l.get("event") == "deny"]) == len(cases)))
        denials = [l for l in log_lines(a.proc) if l.get("event") == "deny"]
        for line, (_, want) in zip(denials, cases):
            got = {k: line[k] for k in ("request_id", "trace_id", "client") if k in line}
            self.assertEqual(got, want, line)


def metrics_text(port):
    status, headers, body = request(port, "/metrics")
    assert status == 200
    return dict((k.lower(), v) for k, v in headers), body.decode()


def samples(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


class Metrics(unittest.TestCase):
    def test_content_type_and_process_series(self):
        a = Authd(self, [])
        headers, text = metrics_text(a.admin)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        m = samples(text)
        for name in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_open_fds", "process_start_time_seconds", "process_max_fds",
                     "process_virtual_memory_bytes"):
            self.assertIn(name, m)
        self.assertGreater(m["process_resident_memory_bytes"], 1 << 20)
        self.assertGreater(m["process_open_fds"], 3)
        self.assertLess(abs(m["process_start_time_seconds"] - time.time()), 120)
        version = subprocess.run([AUTHD, "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
        self.assertEqual(m['approov_authd_build_info{version="%s"}' % version], 1)
        # the first load counts as a successful one
        self.assertLess(abs(m["approov_authd_config_last_reload_success_timestamp_seconds"] -
                            time.time()), 120)
        self.assertEqual(m["approov_authd_config_last_reload_successful"], 1)
        self.assertEqual(m["approov_authd_connections_refused_total"], 0)

    def test_reload_time_and_result(self):
        d = tmpdir(self, "authd-metrics-")
        conf = os.path.join(d, "authd.conf")
        with open(conf, "w") as f:
            f.write("route / protected\n")
        a = Authd(self, ["--config", conf])
        before = samples(metrics_text(a.admin)[1])
        time.sleep(1.1)
        os.kill(a.pid, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: samples(metrics_text(a.admin)[1])[
            'approov_authd_config_reloads_total{result="ok"}'] == 1))
        after = samples(metrics_text(a.admin)[1])
        key = "approov_authd_config_last_reload_success_timestamp_seconds"
        self.assertGreater(after[key], before[key] + 1)
        with open(conf, "w") as f:
            f.write("route / sideways\n")
        os.kill(a.pid, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: samples(metrics_text(a.admin)[1])[
            "approov_authd_config_last_reload_successful"] == 0))
        self.assertEqual(samples(metrics_text(a.admin)[1])[key], after[key])

    def test_connections_over_the_limit_are_counted(self):
        a = Authd(self, ["--max-connections", "2"])
        held = [socket.create_connection(("127.0.0.1", a.port)) for _ in range(2)]
        time.sleep(0.2)
        refused = []
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", a.port))
            s.settimeout(3)
            self.assertEqual(s.recv(10), b"")  # closed at once
            refused.append(s)
        self.assertTrue(wait_for(lambda: samples(metrics_text(a.admin)[1])[
            "approov_authd_connections_refused_total"] == 3))
        for s in held + refused:
            s.close()

    def test_the_grafana_dashboard_queries_only_exported_metrics(self):
        with open(os.path.join(SOURCE, "deploy", "grafana", "approov-authd.json")) as f:
            dashboard = json.load(f)
        exprs = []

        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("expr"), str):
                    exprs.append(node["expr"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(dashboard)
        self.assertGreater(len(exprs), 8)
        # Every series the dashboard reads: those of a replay store and a JWKS URL too (served
        # by a local HTTPS server, as in test_keysets.py).
        args = ["--replay-store", "memory"]
        if CLI:  # approov-token makes the JWKS the local server serves
            from test_keysets import JwksServer, Keys, Pki
            pki = Pki(tmpdir(self, "authd-pki-"))
            server = JwksServer(pki)
            self.addCleanup(server.stop)
            server.serve(Keys(self).jwks("k1"))
            args += ["--jwks-url", server.url, "--jwks-ca-file", pki.ca]
        a = Authd(self, args)
        request(a.port, "/", {"Approov-Token": VALID})
        _, text = metrics_text(a.admin)
        exported = set(re.findall(r"^# TYPE (\S+) (\S+)", text, re.M))
        names = set()
        if not CLI:
            names.add("approov_authd_jwks_refreshes_total")  # not started here: no JWKS maker
        for name, kind in exported:
            names.add(name)
            if kind == "histogram":
                names |= {name + "_bucket", name + "_sum", name + "_count"}
        for expr in exprs:
            self.assertEqual(unknown_metrics(expr, names), [], expr)
        # the check itself: a series the sidecar does not export is found
        self.assertEqual(unknown_metrics('sum by (reason) (rate(approov_authd_denials_total'
                                         '{job=~"$job"}[5m])) / process_open_fds', names),
                         ["approov_authd_denials_total"])


PROMQL_WORDS = {"sum", "rate", "irate", "increase", "histogram_quantile", "time", "max", "min",
                "avg", "count", "clamp_min", "label_replace", "topk", "or", "and", "unless",
                "bool", "changes", "resets", "delta", "deriv", "abs", "offset"}


def unknown_metrics(expr, names):
    """The metric names a PromQL expression reads that are not in `names`."""
    stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", "", expr)  # matchers, ranges, strings
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "",
                      stripped)
    words = re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", stripped)
    return [w for w in words if w not in PROMQL_WORDS and w not in names]


def readyz(port):
    status, _, body = request(port, "/readyz")
    return status, body.decode()


class Clock(unittest.TestCase):
    def test_clock_state_in_metrics_readyz_and_log(self):
        a = Authd(self, [])
        m = samples(metrics_text(a.admin)[1])
        synced = m["approov_authd_clock_synchronized"]
        self.assertIn(synced, (0, 1))
        self.assertGreaterEqual(m["approov_authd_clock_estimated_error_seconds"], 0)
        self.assertGreaterEqual(m["approov_authd_clock_maximum_error_seconds"], 0)
        status, body = readyz(a.admin)
        self.assertEqual(status, 200)  # the clock never makes the sidecar unready
        self.assertIn("clock synchronized: %s" % ("yes" if synced else "no"), body)
        def warnings():
            return [l for l in log_lines(a.proc)
                    if l.get("event") == "clock" and l.get("level") == "warning"]
        # The clock is looked at right after the start-up line (the stdout lines come first).
        self.assertTrue(wait_for(lambda: any(l.get("event") == "started"
                                             for l in log_lines(a.proc))))
        if synced:
            time.sleep(0.3)
            self.assertEqual(warnings(), [])
        else:
            self.assertTrue(wait_for(lambda: len(warnings()) == 1), a.proc.stderr_text())
            self.assertIn("not synchronised", warnings()[0]["message"])
            self.assertIs(warnings()[0]["synchronized"], False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
