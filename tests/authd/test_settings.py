#!/usr/bin/env python3
"""approov-authd's command line, config file and environment variables, run as an operator
would: quoting and comments in the file, the example config of docs/SIDECAR.md copied exactly,
flag > environment > file > default, plain switches, --version, several secret files, and
--check-config refusing exactly what start-up refuses."""
import os
import re
import subprocess
import unittest

from harness import (AUTHD, OTHER_SECRET_B64, SECRET_B64, SOURCE, VALID, WRONG_KEY, Authd,
                     authd_env, free_port, mint, request, tmpdir, FAR)


def run(testcase, args, env=None, cwd=None, timeout=20):
    cwd = cwd or tmpdir(testcase, "authd-settings-")
    return subprocess.run([AUTHD] + args, env=env or authd_env(), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def write(testcase, name, text):
    path = os.path.join(tmpdir(testcase, "authd-settings-"), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def doc_example_config():
    """The example config file of docs/SIDECAR.md ("Config file format"), exactly as written."""
    with open(os.path.join(SOURCE, "docs", "SIDECAR.md")) as f:
        text = f.read()
    section = text.split("### Config file format", 1)[1]
    block = re.search(r"```[a-z-]*\n(.*?)```", section, re.S).group(1)
    heredoc = re.search(r"<<'EOF'\n(.*?)\nEOF\n", block, re.S)
    return heredoc.group(1) + "\n" if heredoc else block


class ConfigFile(unittest.TestCase):
    def test_quoted_token_prefix_keeps_its_trailing_space(self):
        conf = write(self, "authd.conf", 'token-header = Authorization\n'
                                         'token-prefix = "Bearer "   # note the space\n')
        a = Authd(self, ["--config", conf])
        self.assertEqual(request(a.port, "/", {"Authorization": "Bearer " + VALID})[0], 200)
        self.assertEqual(request(a.port, "/", {"Authorization": "Bearer" + VALID})[0], 401)

    def test_a_trailing_comment_is_never_part_of_a_value(self):
        port = free_port()
        conf = write(self, "authd.conf", "listen = 127.0.0.1:%d          # the check listener\n"
                                         "failure-body = {}   # JSON\n"
                                         "route / protected   # everything\n" % port)
        r = run(self, ["--config", conf, "--check-config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("listen 127.0.0.1:%d\n" % port, r.stdout)
        a = Authd(self, ["--config", conf])  # its own --listen flags replace the file's
        status, _, body = request(a.port, "/")
        self.assertEqual((status, body), (401, b"{}"))

    def test_the_documented_example_config_copied_exactly_works(self):
        text = doc_example_config()
        self.assertIn("route /", text)
        conf = write(self, "authd.conf", text)
        r = run(self, ["--config", conf, "--check-config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("listen 127.0.0.1:8081\n", r.stdout)
        # started as written but on free ports (flags override the file's listeners)
        a = Authd(self, ["--config", conf])
        self.assertEqual(request(a.port, "/healthz")[0], 200)
        self.assertEqual(request(a.port, "/v1/items")[0], 401)
        self.assertEqual(request(a.port, "/v1/items", {"Approov-Token": VALID})[0], 200)


class Switches(unittest.TestCase):
    def test_version(self):
        r = run(self, ["--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^approov-authd \d+\.\d+\.\d+\n$")

    def test_a_switch_needs_no_value(self):
        a = Authd(self, ["--cors-preflight", "--threads", "2"])
        pre = {"Access-Control-Request-Method": "POST", "Origin": "https://app.example"}
        self.assertEqual(request(a.port, "/", pre, method="OPTIONS")[0], 200)
        r = run(self, ["--listen", "127.0.0.1:1", "--report-only", "--check-config"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("route / report-only protected", r.stdout)

    def test_a_switch_turned_off(self):
        for off in (["--no-claim-headers"], ["--claim-headers=false"], ["--claim-headers=off"],
                    ["--claim-headers", "off"]):
            r = run(self, ["--listen", "127.0.0.1:1", "--check-config"] + off)
            self.assertEqual(r.returncode, 0, (off, r.stderr))
            self.assertIn("claim headers off", r.stdout, off)


class Precedence(unittest.TestCase):
    """flag > APPROOV_AUTHD_* variable > config file > default, setting by setting."""

    def summary(self, args, extra_env=None):
        r = run(self, args + ["--check-config"], env=authd_env(extra_env))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_each_source_overrides_the_one_below(self):
        conf = write(self, "authd.conf", "listen = 127.0.0.1:1\nthreads = 2\n")
        env = {"APPROOV_AUTHD_THREADS": "3"}
        self.assertIn("threads 1\n", self.summary(["--listen", "127.0.0.1:1"]))
        self.assertIn("threads 2\n", self.summary(["--config", conf]))
        self.assertIn("threads 3\n", self.summary(["--config", conf], env))
        self.assertIn("threads 4\n", self.summary(["--config", conf, "--threads", "4"], env))

    def test_every_setting_has_a_variable(self):
        conf = write(self, "authd.conf", "listen = 127.0.0.1:1\nroute / protected\n")
        out = self.summary([], {"APPROOV_AUTHD_CONFIG": conf,
                                "APPROOV_AUTHD_LISTEN": "127.0.0.1:2,127.0.0.1:3",
                                "APPROOV_AUTHD_CLAIM_HEADERS": "off",
                                "APPROOV_AUTHD_TOKEN_PREFIX": "Bearer ",
                                "APPROOV_AUTHD_ROUTE": "/ protected; /health unprotected"})
        self.assertIn("listen 127.0.0.1:2\n  listen 127.0.0.1:3\n", out)
        self.assertNotIn("127.0.0.1:1", out)  # a list from a higher source replaces the file's
        self.assertIn("claim headers off", out)
        self.assertIn('(prefix "Bearer ")', out)
        self.assertIn("route /health unprotected", out)

    def test_a_list_flag_replaces_the_files_list(self):
        conf = write(self, "authd.conf", "listen = 127.0.0.1:1\nlisten = 127.0.0.1:2\n")
        out = self.summary(["--config", conf, "--listen", "127.0.0.1:5"])
        self.assertIn("listen 127.0.0.1:5\n", out)
        self.assertNotIn("127.0.0.1:1", out)

    def test_dotenv_holds_secrets_not_settings(self):
        d = tmpdir(self, "authd-dotenv-")
        with open(os.path.join(d, ".env"), "w") as f:
            f.write("APPROOV_AUTHD_THREADS=7\n")
        r = run(self, ["--listen", "127.0.0.1:1", "--check-config"], cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("threads 1\n", r.stdout)

    def test_errors_name_the_source(self):
        conf = write(self, "authd.conf", "listen = 127.0.0.1:1\n\nthreads = lots\n")
        for args, env, needle in (
                (["--config", conf], {}, conf + ":3: threads"),
                (["--listen", "127.0.0.1:1"], {"APPROOV_AUTHD_THREADS": "0"},
                 "APPROOV_AUTHD_THREADS"),
                (["--listen", "127.0.0.1:1", "--threads", "x"], {}, "--threads"),
                (["--listen", "127.0.0.1:1", "--bogus", "1"], {}, "--bogus"),
                (["--listen", "127.0.0.1:1", "--cors-preflight", "maybe"], {}, "maybe")):
            r = run(self, args + ["--check-config"], env=authd_env(env))
            self.assertEqual(r.returncode, 2, (args, env, r.stdout))
            self.assertIn(needle, r.stderr, (args, env))


class Secrets(unittest.TestCase):
    def test_several_secret_files_for_rotation(self):
        d = tmpdir(self, "authd-secrets-")
        old, new = os.path.join(d, "old"), os.path.join(d, "new")
        for path, secret in ((old, SECRET_B64), (new, OTHER_SECRET_B64)):
            with open(path, "w") as f:
                f.write(secret + "\n")
        a = Authd(self, ["--secret-file", old, "--secret-file", new], env=authd_env(secret=None))
        self.assertEqual(request(a.port, "/", {"Approov-Token": VALID})[0], 200)
        self.assertEqual(request(a.port, "/", {"Approov-Token": WRONG_KEY})[0], 200)
        # with key ids: a token's kid must name the secret that signed it
        b = Authd(self, ["--secret-file", "old=" + old, "--secret-file", "new=" + new],
                  env=authd_env(secret=None))
        kid_new = mint({"exp": FAR}, OTHER_SECRET_B64,
                       header={"typ": "JWT", "alg": "HS256", "kid": "new"})
        kid_old = mint({"exp": FAR}, OTHER_SECRET_B64,
                       header={"typ": "JWT", "alg": "HS256", "kid": "old"})
        self.assertEqual(request(b.port, "/", {"Approov-Token": kid_new})[0], 200)
        self.assertEqual(request(b.port, "/", {"Approov-Token": kid_old})[0], 401)
        r = run(self, ["--listen", "127.0.0.1:1", "--secret-file", old, "--secret-file",
                       new, "--check-config"], env=authd_env(secret=None))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("secrets from files %s, %s" % (old, new), r.stdout)


class CheckConfigIsStartUp(unittest.TestCase):
    """--check-config refuses what start-up refuses (all but binding the ports)."""

    def test_listeners_are_validated(self):
        port = free_port()
        for args, needle in ((["--listen", "not-an-address"], "not-an-address"),
                             (["--listen", "127.0.0.1:99999"], "bad port"),
                             (["--listen", "127.0.0.1:%d" % port, "--admin-listen",
                               "127.0.0.1:%d" % port], "admin-listen"),
                             (["--listen", "127.0.0.1:%d" % port, "--listen",
                               "127.0.0.1:%d" % port], "twice")):
            for extra in (["--check-config"], []):
                r = run(self, args + extra)
                self.assertEqual(r.returncode, 2, (args, extra, r.stdout))
                self.assertIn(needle, r.stderr, (args, extra))


if __name__ == "__main__":
    unittest.main(verbosity=2)
