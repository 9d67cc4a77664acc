#!/usr/bin/env python3
"""Recipes that cannot run here: Envoy and Traefik are not in Debian, so their YAML is parsed
and checked for the settings the recipe depends on (NOT run against a real Envoy/Traefik).
The systemd unit is checked with systemd-analyze verify, and the sidecar's own config files
(systemd, Kubernetes ConfigMap) with approov-authd --check-config."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import AUTHD, SOURCE, authd_env

CLAIMS = ["Approov-Claim-Did", "Approov-Claim-Ip", "Approov-Claim-Arc", "Approov-Claim-Ipk",
          "Approov-Claim-Mskid", "Approov-Claim-Exp"]

try:
    import yaml
except ImportError:  # python3-yaml (scripts/install-deps.sh)
    yaml = None


def load(path):
    with open(os.path.join(SOURCE, path)) as f:
        return list(yaml.safe_load_all(f))


def find(node, key):
    """Every value stored under `key` anywhere in a parsed YAML tree."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                out.append(v)
            out.extend(find(v, key))
    elif isinstance(node, list):
        for v in node:
            out.extend(find(v, key))
    return out


@unittest.skipIf(yaml is None, "python3-yaml not installed")
class Yaml(unittest.TestCase):
    def test_envoy_ext_authz(self):
        (doc,) = load("deploy/envoy/envoy.yaml")
        (authz,) = [f["typed_config"] for f in find(doc, "http_filters")[0]
                    if f["name"] == "envoy.filters.http.ext_authz"]
        self.assertFalse(authz["failure_mode_allow"])
        svc = authz["http_service"]
        allowed = [p.get("exact") for p in svc["authorization_request"]["allowed_headers"]["patterns"]]
        self.assertIn("approov-token", allowed)
        self.assertEqual(svc["authorization_response"]["allowed_upstream_headers"]["patterns"],
                         [{"prefix": "approov-claim-"}])
        clusters = [c["name"] for c in find(doc, "clusters")[0]]
        self.assertIn(svc["server_uri"]["cluster"], clusters)
        removed = find(doc, "request_headers_to_remove")[0]
        self.assertEqual(sorted(removed), sorted(c.lower() for c in CLAIMS))
        print("\nEnvoy: YAML parsed and checked; NOT run (Envoy is not in Debian)")

    def test_traefik_forward_auth(self):
        (static,) = load("deploy/traefik/traefik.yml")
        self.assertIn("web", static["entryPoints"])
        (dyn,) = load("deploy/traefik/dynamic.yml")
        fa = dyn["http"]["middlewares"]["approov"]["forwardAuth"]
        self.assertEqual(fa["authResponseHeaders"], CLAIMS)
        self.assertFalse(fa["trustForwardHeader"])
        self.assertEqual(dyn["http"]["routers"]["api"]["middlewares"], ["approov-strip", "approov"])
        strip = dyn["http"]["middlewares"]["approov-strip"]["headers"]["customRequestHeaders"]
        self.assertEqual(strip, {"X-Original-URI": "", "X-Original-Method": ""})
        print("\nTraefik: YAML parsed and checked; NOT run (Traefik is not in Debian)")

    def test_kubernetes_manifest_and_its_policy(self):
        docs = load("deploy/kubernetes/approov-authd-sidecar.yaml")
        kinds = [d["kind"] for d in docs]
        self.assertEqual(kinds, ["Secret", "ConfigMap", "Deployment"])
        conf = docs[1]["data"]["authd.conf"]
        d = tempfile.mkdtemp(prefix="authd-k8s-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "authd.conf")
        with open(path, "w") as f:
            f.write(conf)
        r = subprocess.run([AUTHD, "--config", path, "--check-config"], env=authd_env(), cwd=d,
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        print("\nKubernetes: manifest parsed, its authd.conf checked; NOT applied (no cluster)")


class Systemd(unittest.TestCase):
    def test_authd_conf_is_valid(self):
        r = subprocess.run([AUTHD, "--config", os.path.join(SOURCE, "deploy/systemd/authd.conf"),
                            "--check-config"], env=authd_env(), capture_output=True, text=True,
                           cwd=tempfile.gettempdir(), timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("route /healthz unprotected", r.stdout)

    @unittest.skipIf(shutil.which("systemd-analyze") is None, "systemd-analyze not installed")
    def test_unit_verifies(self):
        d = tempfile.mkdtemp(prefix="authd-unit-")
        self.addCleanup(shutil.rmtree, d, True)
        with open(os.path.join(SOURCE, "deploy/systemd/approov-authd.service")) as f:
            unit = f.read().replace("/usr/bin/approov-authd", os.path.abspath(AUTHD))
        path = os.path.join(d, "approov-authd.service")
        with open(path, "w") as f:
            f.write(unit)
        r = subprocess.run(["systemd-analyze", "verify", "--man=no", path], capture_output=True,
                           text=True, timeout=60)
        problems = [l for l in (r.stdout + r.stderr).splitlines()
                    if "approov-authd.service" in l and "EnvironmentFile" not in l]
        self.assertEqual(problems, [], r.stdout + r.stderr)


if __name__ == "__main__":
    harness.main()
