#!/usr/bin/env python3
"""The systemd unit as `cmake --install` writes it (deploy/systemd/approov-authd.service.in):
its paths are those of the install, `systemd-analyze verify` accepts it, `systemd-analyze
security --offline=yes` rates its exposure 2.0 or less, its RuntimeDirectory= holds the
documented Unix socket, and the system calls approov-authd makes (under strace: start-up,
checks over TCP and the Unix socket, the admin listener, a reload, a graceful stop) are all
allowed by its SystemCallFilter=, and it reads /proc only within ProcSubset=pid. systemd is
not running here, so the unit itself is never started.
Exit 77 (skipped) without systemd-analyze."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import AUTHD, BAD_SIG, SECRET_B64, SOURCE, VALID, authd_env, request

BUILD_DIR = os.environ.get("APPROOV_BUILD_DIR", "")
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
UNIT = "lib/systemd/system/approov-authd.service"
MAX_EXPOSURE = 2.0


def unit_settings(path):
    """[(key, value)] of the unit's lines, in order (comments and sections dropped)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")):
                key, _, value = line.partition("=")
                out.append((key.strip(), value.strip()))
    return out


def values(settings, key):
    return [v for k, v in settings if k == key]


def expand(name, seen=None):
    """The system calls of a systemd syscall group (@name, recursively) or a single name."""
    if not name.startswith("@"):
        return {name}
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    out = set()
    text = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True,
                          text=True, check=True, timeout=30).stdout
    for line in text.splitlines()[1:]:
        item = line.strip()
        if item and not item.startswith("#"):
            out |= expand(item, seen)
    return out


def allowed_syscalls(settings):
    """What SystemCallFilter= lines allow, in systemd's order: the first line not starting with
    ~ makes an allow list, later lines add to it, lines starting with ~ take away."""
    allowed = set()
    for value in values(settings, "SystemCallFilter"):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand(item)
        allowed = allowed - names if deny else allowed | names
    return allowed


class Installed(unittest.TestCase):
    """One `cmake --install` into a temporary prefix, shared by the tests."""

    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="authd-install-")
        subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", cls.prefix],
                       check=True, capture_output=True, timeout=120)
        cls.unit = os.path.join(cls.prefix, UNIT)
        cls.settings = unit_settings(cls.unit)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, True)

    def test_the_unit_runs_the_installed_binary(self):
        binary = os.path.join(self.prefix, "bin", "approov-authd")
        self.assertTrue(os.access(binary, os.X_OK))
        for key in ("ExecStart", "ExecStartPre"):
            (line,) = values(self.settings, key)
            self.assertEqual(line.split()[0], binary, key)
        with open(self.unit) as f:
            self.assertNotRegex(f.read(), r"@[A-Z_]+@")
        docs = [d for d in values(self.settings, "Documentation")[0].split()
                if d.startswith("file://")]
        for doc in docs:
            self.assertTrue(os.path.exists(doc[len("file://"):]), doc)
        self.assertIn("man:approov-authd(1)", values(self.settings, "Documentation")[0])
        self.assertTrue(os.path.exists(os.path.join(self.prefix,
                                                    "share/man/man1/approov-authd.1")))
        with open(os.path.join(self.prefix, "lib/sysusers.d/approov-authd.conf")) as f:
            users = [l.split() for l in f if l.strip() and not l.startswith("#")]
        self.assertEqual([u[:2] for u in users], [["u", "approov-authd"]])
        self.assertEqual(values(self.settings, "User"), ["approov-authd"])

    def test_a_staged_install_names_its_final_paths(self):
        # DESTDIR staging (how distributions package): the unit names /usr/bin, not the stage.
        stage = harness.tmpdir(self, "authd-stage-")
        build = harness.tmpdir(self, "authd-stage-build-")
        env = dict(os.environ, DESTDIR=stage)
        subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", "/usr"], env=env,
                       check=True, capture_output=True, timeout=120, cwd=build)
        settings = unit_settings(os.path.join(stage, "usr", UNIT))
        self.assertEqual(values(settings, "ExecStart")[0].split()[0], "/usr/bin/approov-authd")
        self.assertTrue(os.path.exists(os.path.join(stage, "usr/bin/approov-authd")))

    @unittest.skipIf(shutil.which("systemd-analyze") is None, "no systemd-analyze")
    def test_systemd_analyze_verify(self):
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", self.unit],
                           capture_output=True, text=True, timeout=60)
        problems = [l for l in (r.stdout + r.stderr).splitlines() if "approov-authd" in l]
        self.assertEqual((r.returncode, problems), (0, []), r.stdout + r.stderr)

    @unittest.skipIf(shutil.which("systemd-analyze") is None, "no systemd-analyze")
    def test_exposure_is_at_most_2_0(self):
        # --offline=yes rates the file itself (systemd 250 and later), no running systemd needed;
        # --threshold fails the command above the given exposure (in tenths).
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                            "--threshold=%d" % int(MAX_EXPOSURE * 10), self.unit],
                           capture_output=True, text=True, timeout=60)
        m = re.search(r"Overall exposure level for approov-authd\.service: ([0-9.]+)",
                      r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        exposure = float(m.group(1))
        print("\nsystemd-analyze security: exposure %.1f (at most %.1f)" % (exposure,
                                                                             MAX_EXPOSURE))
        self.assertLessEqual(exposure, MAX_EXPOSURE, r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_the_documented_socket_is_in_the_runtime_directory(self):
        # ProtectSystem=strict leaves only the RuntimeDirectory= writable under /run: the
        # socket path the docs give must be inside it.
        (runtime,) = values(self.settings, "RuntimeDirectory")
        self.assertEqual(values(self.settings, "ProtectSystem"), ["strict"])
        sockets = set()
        for doc in ("docs/SIDECAR.md", "deploy/systemd/authd.conf", "docs/gateways/nginx.md",
                    "docs/man/approov-authd.1"):
            with open(os.path.join(SOURCE, doc)) as f:
                sockets |= set(re.findall(r"/run/[A-Za-z0-9_./\\-]*\.sock", f.read()))
        self.assertTrue(sockets)
        for path in sockets:
            self.assertTrue(path.replace("\\-", "-").startswith("/run/%s/" % runtime), path)

    def test_example_policy_is_valid(self):
        d = harness.tmpdir(self, "authd-unit-conf-")
        with open(os.path.join(SOURCE, "deploy/systemd/authd.conf")) as f:
            conf = f.read()
        self.assertIn("env-file = /etc/approov-authd/env", conf)
        env_file = os.path.join(d, "env")
        with open(env_file, "w") as f:
            f.write("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)
        path = os.path.join(d, "authd.conf")
        with open(path, "w") as f:
            f.write(conf.replace("/etc/approov-authd/env", env_file))
        r = subprocess.run([AUTHD, "--config", path, "--check-config"],
                           env=authd_env(secret=None), capture_output=True, text=True, cwd=d,
                           timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("route /healthz unprotected", r.stdout)

    @unittest.skipIf(shutil.which("strace") is None or shutil.which("systemd-analyze") is None,
                     "no strace or systemd-analyze")
    def test_the_sidecar_stays_within_the_units_sandbox(self):
        allowed = allowed_syscalls(self.settings)
        self.assertIn("clock_adjtime", allowed)  # reading the clock's synchronisation state
        self.assertNotIn("settimeofday", allowed)
        self.assertNotIn("setuid", allowed)
        binary = os.path.join(self.prefix, "bin", "approov-authd")
        d = harness.tmpdir(self, "authd-strace-")
        runtime = os.path.join(d, "run")  # stands for /run/approov-authd
        os.mkdir(runtime)
        env_file = os.path.join(d, "env")
        with open(env_file, "w") as f:
            f.write("APPROOV_BASE64_SECRET=%s\n" % SECRET_B64)
        conf = os.path.join(d, "authd.conf")
        with open(conf, "w") as f:
            f.write("listen = 127.0.0.1:0\nlisten = unix:%s/authd.sock\n"
                    "admin-listen = 127.0.0.1:0\nthreads = 2\nenv-file = %s\n"
                    "route / protected\nroute /healthz unprotected\n" % (runtime, env_file))
        trace = os.path.join(d, "trace")
        env = authd_env(secret=None)
        # ExecStartPre=, then ExecStart=, each under strace (-f: every thread).
        r = subprocess.run(["strace", "-f", "-qq", "-o", trace + ".pre", binary, "--config",
                            conf, "--check-config"], env=env, cwd="/", capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        proc = harness.Proc(self, ["strace", "-f", "-qq", "-o", trace, binary, "--config", conf],
                            env=env, cwd="/")
        port = admin = None
        while port is None or admin is None:
            line = proc.p.stdout.readline()
            self.assertTrue(line, proc.stderr_text())
            if "admin on" in line:
                admin = int(line.rsplit(":", 1)[1])
            elif "listening on 127.0.0.1:" in line:
                port = int(line.rsplit(":", 1)[1])
        self.assertEqual(request(port, "/", {"Approov-Token": VALID})[0], 200)
        self.assertEqual(request(port, "/", {"Approov-Token": BAD_SIG})[0], 401)
        self.assertEqual(request(port, "/healthz")[0], 200)
        for path in ("/healthz", "/readyz", "/metrics"):
            self.assertEqual(request(admin, path)[0], 200, path)
        self.assertEqual(unix_get(os.path.join(runtime, "authd.sock")), b"401")
        with open(conf, "a") as f:
            f.write("route /public unprotected\n")
        # strace's own pid is the traced process's parent: signal the sidecar itself
        pid = traced_pid(proc.p.pid)
        before = generation(admin)
        os.kill(pid, signal.SIGHUP)
        deadline = time.time() + 10
        while generation(admin) == before:
            self.assertLess(time.time(), deadline, "reload not seen")
            time.sleep(0.05)
        self.assertEqual(request(port, "/public/x")[0], 200)
        os.kill(pid, signal.SIGTERM)
        self.assertEqual(proc.p.wait(30), 0, proc.stderr_text())

        used, proc_paths, written = set(), set(), set()
        for name in (trace + ".pre", trace):
            with open(name) as f:
                for line in f:
                    m = re.match(r"\d+\s+([a-z0-9_]+)\(", line)
                    if m:
                        used.add(m.group(1))
                    m = re.match(r'\d+\s+openat\(AT_FDCWD, "([^"]*)", ([A-Z_|]+)', line)
                    if m and " = -1 " not in line:
                        if m.group(1).startswith("/proc/"):
                            proc_paths.add(m.group(1))
                        if re.search(r"O_WRONLY|O_RDWR|O_CREAT", m.group(2)):
                            written.add(m.group(1))
        self.assertIn("accept4" if "accept4" in used else "accept", used)  # the trace is real
        self.assertEqual(sorted(used - allowed), [], "system calls outside SystemCallFilter=")
        # ProcSubset=pid: only the process's own entries under /proc
        self.assertEqual([p for p in proc_paths if not re.match(
            r"/proc/(self|thread-self|\d+)(/|$)", p)], [])
        # ProtectSystem=strict: writable are the runtime directory (and /dev/null)
        self.assertEqual([p for p in written if not p.startswith(runtime + "/") and
                          p != "/dev/null"], [])


def traced_pid(strace_pid):
    """The pid of the process strace started (its only child)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with open("/proc/%d/task/%d/children" % (strace_pid, strace_pid)) as f:
                kids = f.read().split()
        except OSError:
            kids = []
        if kids:
            return int(kids[0])
        time.sleep(0.05)
    raise AssertionError("no traced process")


def generation(admin):
    body = request(admin, "/metrics")[2].decode()
    return re.search(r"^approov_authd_config_generation (\S+)$", body, re.M).group(1)


def unix_get(path):
    import socket
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.split(b" ", 2)[1]


if __name__ == "__main__":
    if shutil.which("systemd-analyze") is None:
        print("systemd-analyze not installed: skipped")
        sys.exit(77)
    if not BUILD_DIR:
        print("APPROOV_BUILD_DIR not set (ctest sets it): skipped")
        sys.exit(77)
    harness.main()
