#!/usr/bin/env python3
"""The Kubernetes recipes in deploy/kubernetes, NOT applied to a cluster (there is none here):
every field of every object is checked against the fields its kind allows (a schema written
below from the Kubernetes API reference, and from Traefik's CRD reference for its kinds), then
what the recipes promise: hardened pods (seccomp RuntimeDefault, non-root, read-only root file
system, no capabilities, no privilege escalation), the sidecar started before and stopped after
nginx (a native sidecar), the secret mounted as a file, every ConfigMap, Secret, Service and
Middleware they use defined in the same file, the embedded nginx.conf equal to the nginx
template as envsubst fills it, and each policy accepted by `approov-authd --check-config`."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import AUTHD, SECRET_B64, SOURCE, authd_env

try:
    import yaml
except ImportError:  # python3-yaml (scripts/install-deps.sh)
    yaml = None

CLAIMS = ["Approov-Claim-Did", "Approov-Claim-Ip", "Approov-Claim-Arc", "Approov-Claim-Ipk",
          "Approov-Claim-Mskid", "Approov-Claim-Exp"]

# ---- a small schema language --------------------------------------------------------------
# A schema is: a Python type (str, int, bool); INT_OR_STR; QUANTITY; MAP (string keys and
# string values: labels, annotations, ConfigMap data); ANY (not looked into); [schema] (a list
# whose items match schema); or Obj(fields, required) (an object whose keys must all be among
# fields).


class Obj:
    def __init__(self, fields, required=()):
        self.fields, self.required = fields, set(required)


INT_OR_STR, QUANTITY, MAP, ANY = "int-or-string", "quantity", "map", "any"


def validate(value, schema, path="$"):
    """-> a list of problems, each naming the path of the field."""
    if schema is ANY:
        return []
    if schema in (str, bool):
        return [] if isinstance(value, schema) else ["%s: expected %s" % (path, schema.__name__)]
    if schema is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else ["%s: expected an integer" % path]
    if schema in (INT_OR_STR, QUANTITY):
        ok = isinstance(value, (int, str)) and not isinstance(value, bool)
        return [] if ok else ["%s: expected an integer or a string" % path]
    if schema is MAP:
        if not isinstance(value, dict):
            return ["%s: expected a map of strings" % path]
        return ["%s.%s: expected a string" % (path, k) for k, v in value.items()
                if not isinstance(k, str) or not isinstance(v, str)]
    if isinstance(schema, list):
        if not isinstance(value, list):
            return ["%s: expected a list" % path]
        out = []
        for i, item in enumerate(value):
            out += validate(item, schema[0], "%s[%d]" % (path, i))
        return out
    assert isinstance(schema, Obj), schema
    if not isinstance(value, dict):
        return ["%s: expected an object" % path]
    out = ["%s.%s: not a field of this object" % (path, k) for k in value
           if k not in schema.fields]
    out += ["%s.%s: required" % (path, k) for k in sorted(schema.required) if k not in value]
    for k, v in value.items():
        if k in schema.fields:
            out += validate(v, schema.fields[k], "%s.%s" % (path, k))
    return out


# ---- Kubernetes API (core/v1, apps/v1, networking.k8s.io/v1), the objects these files use ---
OBJECT_META = Obj({"name": str, "namespace": str, "labels": MAP, "annotations": MAP,
                   "generateName": str, "finalizers": [str], "ownerReferences": ANY})
LABEL_SELECTOR = Obj({"matchLabels": MAP, "matchExpressions": [Obj(
    {"key": str, "operator": str, "values": [str]}, ["key", "operator"])]})
SECCOMP = Obj({"type": str, "localhostProfile": str}, ["type"])
CAPABILITIES = Obj({"add": [str], "drop": [str]})
SECURITY_CONTEXT = Obj({
    "runAsUser": int, "runAsGroup": int, "runAsNonRoot": bool, "readOnlyRootFilesystem": bool,
    "allowPrivilegeEscalation": bool, "privileged": bool, "capabilities": CAPABILITIES,
    "seccompProfile": SECCOMP, "seLinuxOptions": ANY, "appArmorProfile": ANY,
    "windowsOptions": ANY, "procMount": str})
POD_SECURITY_CONTEXT = Obj({
    "runAsUser": int, "runAsGroup": int, "runAsNonRoot": bool, "fsGroup": int,
    "fsGroupChangePolicy": str, "supplementalGroups": [int], "supplementalGroupsPolicy": str,
    "seccompProfile": SECCOMP, "seLinuxOptions": ANY, "appArmorProfile": ANY, "sysctls": ANY,
    "windowsOptions": ANY, "seLinuxChangePolicy": str})
EXEC = Obj({"command": [str]})
HTTP_GET = Obj({"path": str, "port": INT_OR_STR, "host": str, "scheme": str,
                "httpHeaders": [Obj({"name": str, "value": str}, ["name", "value"])]}, ["port"])
TCP_SOCKET = Obj({"port": INT_OR_STR, "host": str}, ["port"])
PROBE = Obj({"exec": EXEC, "httpGet": HTTP_GET, "tcpSocket": TCP_SOCKET,
             "grpc": Obj({"port": int, "service": str}, ["port"]),
             "initialDelaySeconds": int, "periodSeconds": int, "timeoutSeconds": int,
             "successThreshold": int, "failureThreshold": int,
             "terminationGracePeriodSeconds": int})
HANDLER = Obj({"exec": EXEC, "httpGet": HTTP_GET, "tcpSocket": TCP_SOCKET,
               "sleep": Obj({"seconds": int}, ["seconds"])})
KEY_REF = Obj({"name": str, "key": str, "optional": bool}, ["key"])
CONTAINER = Obj({
    "name": str, "image": str, "imagePullPolicy": str, "command": [str], "args": [str],
    "workingDir": str,
    "ports": [Obj({"name": str, "containerPort": int, "protocol": str, "hostPort": int,
                   "hostIP": str}, ["containerPort"])],
    "env": [Obj({"name": str, "value": str, "valueFrom": Obj({
        "configMapKeyRef": KEY_REF, "secretKeyRef": KEY_REF, "fieldRef": ANY,
        "resourceFieldRef": ANY})}, ["name"])],
    "envFrom": [Obj({"prefix": str,
                     "configMapRef": Obj({"name": str, "optional": bool}),
                     "secretRef": Obj({"name": str, "optional": bool})})],
    "resources": Obj({"requests": Obj({"cpu": QUANTITY, "memory": QUANTITY,
                                       "ephemeral-storage": QUANTITY}),
                      "limits": Obj({"cpu": QUANTITY, "memory": QUANTITY,
                                     "ephemeral-storage": QUANTITY}),
                      "claims": ANY}),
    "volumeMounts": [Obj({"name": str, "mountPath": str, "readOnly": bool, "subPath": str,
                          "subPathExpr": str, "mountPropagation": str,
                          "recursiveReadOnly": str}, ["name", "mountPath"])],
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE,
    "lifecycle": Obj({"postStart": HANDLER, "preStop": HANDLER, "stopSignal": str}),
    "securityContext": SECURITY_CONTEXT,
    "restartPolicy": str,  # init containers only ("Always": a native sidecar)
    "terminationMessagePath": str, "terminationMessagePolicy": str, "stdin": bool, "tty": bool},
    ["name"])
KEY_TO_PATH = [Obj({"key": str, "path": str, "mode": int}, ["key", "path"])]
VOLUME = Obj({
    "name": str,
    "configMap": Obj({"name": str, "items": KEY_TO_PATH, "defaultMode": int,
                      "optional": bool}),
    "secret": Obj({"secretName": str, "items": KEY_TO_PATH, "defaultMode": int,
                   "optional": bool}),
    "emptyDir": Obj({"medium": str, "sizeLimit": QUANTITY}),
    "projected": ANY, "persistentVolumeClaim": ANY, "hostPath": ANY, "downwardAPI": ANY},
    ["name"])
POD_SPEC = Obj({
    "containers": [CONTAINER], "initContainers": [CONTAINER], "volumes": [VOLUME],
    "securityContext": POD_SECURITY_CONTEXT, "serviceAccountName": str,
    "automountServiceAccountToken": bool, "enableServiceLinks": bool,
    "terminationGracePeriodSeconds": int, "shareProcessNamespace": bool, "nodeSelector": MAP,
    "affinity": ANY, "tolerations": ANY, "topologySpreadConstraints": ANY,
    "priorityClassName": str, "restartPolicy": str, "hostNetwork": bool, "hostPID": bool,
    "hostIPC": bool, "dnsPolicy": str, "imagePullSecrets": [Obj({"name": str})],
    "runtimeClassName": str}, ["containers"])
DEPLOYMENT_SPEC = Obj({
    "replicas": int, "selector": LABEL_SELECTOR,
    "template": Obj({"metadata": OBJECT_META, "spec": POD_SPEC}),
    "strategy": Obj({"type": str, "rollingUpdate": Obj({"maxSurge": INT_OR_STR,
                                                        "maxUnavailable": INT_OR_STR})}),
    "minReadySeconds": int, "revisionHistoryLimit": int, "progressDeadlineSeconds": int,
    "paused": bool}, ["selector", "template"])
SERVICE_SPEC = Obj({
    "selector": MAP, "type": str, "clusterIP": str, "clusterIPs": [str],
    "ports": [Obj({"name": str, "protocol": str, "port": int, "targetPort": INT_OR_STR,
                   "nodePort": int, "appProtocol": str}, ["port"])],
    "sessionAffinity": str, "externalTrafficPolicy": str, "internalTrafficPolicy": str,
    "ipFamilies": [str], "ipFamilyPolicy": str, "publishNotReadyAddresses": bool})
INGRESS_BACKEND = Obj({"service": Obj({"name": str, "port": Obj({"number": int, "name": str})},
                                      ["name"]),
                       "resource": ANY})
INGRESS_SPEC = Obj({
    "ingressClassName": str, "defaultBackend": INGRESS_BACKEND,
    "tls": [Obj({"hosts": [str], "secretName": str})],
    "rules": [Obj({"host": str, "http": Obj({"paths": [Obj(
        {"path": str, "pathType": str, "backend": INGRESS_BACKEND},
        ["pathType", "backend"])]}, ["paths"])})]})
PEER = Obj({"podSelector": LABEL_SELECTOR, "namespaceSelector": LABEL_SELECTOR,
            "ipBlock": Obj({"cidr": str, "except": [str]}, ["cidr"])})
NP_PORT = Obj({"protocol": str, "port": INT_OR_STR, "endPort": int})
NETWORK_POLICY_SPEC = Obj({
    "podSelector": LABEL_SELECTOR, "policyTypes": [str],
    "ingress": [Obj({"from": [PEER], "ports": [NP_PORT]})],
    "egress": [Obj({"to": [PEER], "ports": [NP_PORT]})]}, ["podSelector"])

# ---- Traefik's CRDs (traefik.io/v1alpha1), the parts these files use -----------------------
MIDDLEWARE_SPEC = Obj({
    "headers": Obj({"customRequestHeaders": MAP, "customResponseHeaders": MAP,
                    "accessControlAllowOriginList": [str], "accessControlAllowMethods": [str],
                    "accessControlAllowHeaders": [str], "accessControlMaxAge": int,
                    "addVaryHeader": bool}),
    "forwardAuth": Obj({"address": str, "trustForwardHeader": bool,
                        "authResponseHeaders": [str], "authResponseHeadersRegex": str,
                        "authRequestHeaders": [str], "addAuthCookiesToResponse": [str],
                        "tls": ANY, "headerField": str, "forwardBody": bool,
                        "maxBodySize": int, "preserveLocationHeader": bool,
                        "preserveRequestMethod": bool}, ["address"]),
    "stripPrefix": ANY, "addPrefix": ANY, "chain": ANY, "ipAllowList": ANY, "rateLimit": ANY})
INGRESS_ROUTE_SPEC = Obj({
    "entryPoints": [str],
    "routes": [Obj({"match": str, "kind": str, "priority": int, "syntax": str,
                    "middlewares": [Obj({"name": str, "namespace": str}, ["name"])],
                    "services": [Obj({"name": str, "namespace": str, "kind": str,
                                      "port": INT_OR_STR, "scheme": str, "weight": int,
                                      "passHostHeader": bool, "strategy": str,
                                      "serversTransport": str}, ["name"])],
                    "observability": ANY}, ["match"])],
    "tls": ANY}, ["routes"])


def kind_schema(spec=None, extra=None, spec_required=True):
    fields = {"apiVersion": str, "kind": str, "metadata": OBJECT_META}
    if spec is not None:
        fields["spec"] = spec
    fields.update(extra or {})
    return Obj(fields, ["apiVersion", "kind", "metadata"] + (["spec"] if spec and spec_required
                                                              else []))


KINDS = {
    ("v1", "Secret"): kind_schema(extra={"type": str, "data": MAP, "stringData": MAP,
                                         "immutable": bool}),
    ("v1", "ConfigMap"): kind_schema(extra={"data": MAP, "binaryData": MAP, "immutable": bool}),
    ("v1", "Service"): kind_schema(SERVICE_SPEC),
    ("apps/v1", "Deployment"): kind_schema(DEPLOYMENT_SPEC),
    ("networking.k8s.io/v1", "Ingress"): kind_schema(INGRESS_SPEC),
    ("networking.k8s.io/v1", "NetworkPolicy"): kind_schema(NETWORK_POLICY_SPEC),
    ("traefik.io/v1alpha1", "Middleware"): kind_schema(MIDDLEWARE_SPEC),
    ("traefik.io/v1alpha1", "IngressRoute"): kind_schema(INGRESS_ROUTE_SPEC),
}

# ingress-nginx annotations these recipes may use (its annotations reference).
INGRESS_NGINX_ANNOTATIONS = {
    "auth-url", "auth-method", "auth-response-headers", "auth-proxy-set-headers",
    "auth-keepalive", "auth-keepalive-requests", "auth-keepalive-timeout", "auth-cache-key",
    "auth-cache-duration", "auth-request-redirect", "auth-snippet", "auth-always-set-cookie",
    "auth-signin", "enable-global-auth"}

# Names a recipe may use without defining them: the user's own API Service.
EXTERNAL_SERVICES = {"api"}


def load(name):
    with open(os.path.join(SOURCE, "deploy/kubernetes", name)) as f:
        return list(yaml.safe_load_all(f))


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_specs(docs):
    return [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in docs
            if d["kind"] == "Deployment"]


RECIPES = ["approov-authd-sidecar.yaml", "ingress-nginx.yaml", "traefik.yaml"]


@unittest.skipIf(yaml is None, "python3-yaml not installed")
class Schema(unittest.TestCase):
    def test_the_schema_catches_what_it_must(self):
        # The checker itself: a misplaced, a misspelt and a mistyped field are each reported.
        docs = load("approov-authd-sidecar.yaml")
        dep = by_kind(docs, "Deployment")["api-gateway"]
        schema = KINDS[("apps/v1", "Deployment")]
        self.assertEqual(validate(dep, schema), [])
        import copy
        for mutate, want in (
                (lambda d: d["spec"]["template"]["spec"].__setitem__("seccompProfile", {}),
                 "spec.template.spec.seccompProfile: not a field"),
                (lambda d: d["spec"]["template"]["spec"]["containers"][0].__setitem__(
                    "securityContex", {}), "containers[0].securityContex: not a field"),
                (lambda d: d["spec"].__setitem__("replicas", "2"),
                 "spec.replicas: expected an integer"),
                (lambda d: d["spec"]["template"]["spec"]["containers"][0].pop("name"),
                 "containers[0].name: required")):
            bad = copy.deepcopy(dep)
            mutate(bad)
            problems = validate(bad, schema)
            self.assertTrue(any(want in p for p in problems), (want, problems))

    def test_every_object_has_only_fields_its_kind_allows(self):
        for recipe in RECIPES:
            for doc in load(recipe):
                key = (doc.get("apiVersion"), doc.get("kind"))
                self.assertIn(key, KINDS, recipe)
                where = "%s %s/%s" % (recipe, key[1], doc["metadata"].get("name"))
                self.assertEqual(validate(doc, KINDS[key]), [], where)


@unittest.skipIf(yaml is None, "python3-yaml not installed")
class Hardening(unittest.TestCase):
    def test_every_pod_and_container_is_hardened(self):
        for recipe in RECIPES:
            for name, pod in pod_specs(load(recipe)):
                where = "%s %s" % (recipe, name)
                psc = pod.get("securityContext", {})
                self.assertEqual(psc.get("seccompProfile"), {"type": "RuntimeDefault"}, where)
                self.assertIs(pod.get("automountServiceAccountToken"), False, where)
                for flag in ("hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"):
                    self.assertFalse(pod.get(flag, False), (where, flag))
                for c in pod.get("initContainers", []) + pod["containers"]:
                    sc = c.get("securityContext", {})
                    what = "%s container %s" % (where, c["name"])

                    def effective(key):
                        return sc.get(key, psc.get(key))
                    self.assertIs(effective("runAsNonRoot"), True, what)
                    self.assertNotEqual(effective("runAsUser"), 0, what)
                    self.assertIs(sc.get("readOnlyRootFilesystem"), True, what)
                    self.assertIs(sc.get("allowPrivilegeEscalation"), False, what)
                    self.assertFalse(sc.get("privileged", False), what)
                    self.assertEqual(sc.get("capabilities"), {"drop": ["ALL"]}, what)
                    self.assertIn(sc.get("seccompProfile", psc.get("seccompProfile")),
                                  ({"type": "RuntimeDefault"},), what)
                    self.assertIn("memory", c.get("resources", {}).get("limits", {}), what)

    def test_the_sidecar_starts_before_and_stops_after_nginx(self):
        # A native sidecar: an init container with restartPolicy Always starts (and passes its
        # startup probe) before the pod's containers, and is stopped after them.
        (name, pod), = pod_specs(load("approov-authd-sidecar.yaml"))
        (authd,) = [c for c in pod.get("initContainers", []) if c["name"] == "approov-authd"]
        self.assertEqual(authd.get("restartPolicy"), "Always")
        self.assertEqual(authd["startupProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual([c["name"] for c in pod["containers"]], ["nginx"])
        self.assertNotIn("restartPolicy", pod["containers"][0])

    def test_the_secret_is_a_file_never_an_environment_variable(self):
        # A mounted Secret is updated in place by the kubelet (the sidecar reads it again on
        # SIGHUP); an environment variable, or a subPath mount, would need a restart.
        for recipe in RECIPES:
            docs = load(recipe)
            secrets = by_kind(docs, "Secret")
            self.assertEqual(list(secrets), ["approov-secret"], recipe)
            for name, pod in pod_specs(docs):
                vols = {v["name"]: v for v in pod.get("volumes", [])}
                for c in pod.get("initContainers", []) + pod["containers"]:
                    for env in c.get("env", []):
                        self.assertNotIn("secretKeyRef", env.get("valueFrom", {}), recipe)
                    for src in c.get("envFrom", []):
                        self.assertNotIn("secretRef", src, recipe)
                    for m in c.get("volumeMounts", []):
                        if "secret" in vols[m["name"]]:
                            self.assertNotIn("subPath", m, recipe)
                            self.assertTrue(m.get("readOnly"), recipe)
                (authd,) = [c for c in pod.get("initContainers", []) + pod["containers"]
                            if c["name"] == "approov-authd"]
                conf = authd_conf(docs, pod, authd)
                secret_file = setting(conf, "secret-file")
                mount = [m for m in authd["volumeMounts"]
                         if "secret" in vols[m["name"]]]
                self.assertEqual(len(mount), 1, recipe)
                self.assertEqual(os.path.dirname(secret_file), mount[0]["mountPath"], recipe)
                secret = secrets[vols[mount[0]["name"]]["secret"]["secretName"]]
                self.assertIn(os.path.basename(secret_file), secret["stringData"], recipe)
                mode = vols[mount[0]["name"]]["secret"].get("defaultMode", 0o644)
                self.assertEqual(mode & 0o007, 0, recipe)  # not world-readable


def setting(conf, key):
    values = [l.split("=", 1)[1].strip() for l in conf.splitlines()
              if l.split("=", 1)[0].strip() == key and "=" in l]
    assert len(values) == 1, (key, values)
    return values[0]


def authd_conf(docs, pod, authd):
    """The policy text the sidecar container reads (`--config PATH` in a ConfigMap volume)."""
    args = authd.get("args", [])
    path = args[args.index("--config") + 1]
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    (mount,) = [m for m in authd["volumeMounts"] if m["mountPath"] == os.path.dirname(path)]
    cm = by_kind(docs, "ConfigMap")[vols[mount["name"]]["configMap"]["name"]]
    return cm["data"][os.path.basename(path)]


@unittest.skipIf(yaml is None, "python3-yaml not installed")
class References(unittest.TestCase):
    def test_everything_used_is_defined_in_the_same_file(self):
        for recipe in RECIPES:
            docs = load(recipe)
            cms, secrets = by_kind(docs, "ConfigMap"), by_kind(docs, "Secret")
            services = by_kind(docs, "Service")
            middlewares = by_kind(docs, "Middleware")
            for name, pod in pod_specs(docs):
                for v in pod.get("volumes", []):
                    if "configMap" in v:
                        self.assertIn(v["configMap"]["name"], cms, recipe)
                    if "secret" in v:
                        self.assertIn(v["secret"]["secretName"], secrets, recipe)
                mounted = {m["name"] for c in pod.get("initContainers", []) + pod["containers"]
                           for m in c.get("volumeMounts", [])}
                self.assertEqual(mounted, {v["name"] for v in pod.get("volumes", [])}, recipe)
                for c in pod.get("initContainers", []) + pod["containers"]:
                    ports = {p.get("name") for p in c.get("ports", [])}
                    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                        for how in ("httpGet", "tcpSocket"):
                            port = c.get(probe, {}).get(how, {}).get("port")
                            if isinstance(port, str):
                                self.assertIn(port, ports, (recipe, c["name"], probe))
            for svc in services.values():
                pods = [p for n, p in pod_specs(docs)
                        if all(by_kind(docs, "Deployment")[n]["spec"]["template"]["metadata"]
                               ["labels"].get(k) == v for k, v in svc["spec"]["selector"].items())]
                self.assertEqual(len(pods), 1, (recipe, svc["metadata"]["name"]))
                names = {p.get("name") for c in pods[0].get("initContainers", []) +
                         pods[0]["containers"] for p in c.get("ports", [])}
                for port in svc["spec"]["ports"]:
                    self.assertIn(port["targetPort"], names, recipe)
            for ing in by_kind(docs, "Ingress").values():
                for rule in ing["spec"]["rules"]:
                    for p in rule["http"]["paths"]:
                        svc = p["backend"]["service"]["name"]
                        self.assertTrue(svc in services or svc in EXTERNAL_SERVICES, recipe)
            for route in by_kind(docs, "IngressRoute").values():
                for r in route["spec"]["routes"]:
                    for m in r.get("middlewares", []):
                        self.assertIn(m["name"], middlewares, recipe)
                    for s in r["services"]:
                        self.assertTrue(s["name"] in services or s["name"] in EXTERNAL_SERVICES)
            # a URL naming a Service (auth-url, forwardAuth) names one defined here, and a
            # port it has
            with open(os.path.join(SOURCE, "deploy/kubernetes", recipe)) as f:
                text = f.read()
            for url in re.findall(r"http://([a-z0-9-]+)\.[a-z0-9-]+\.svc\.cluster\.local:(\d+)",
                                  text):
                self.assertIn(url[0], services, recipe)
                self.assertIn(int(url[1]), [p["port"] for p in services[url[0]]["spec"]["ports"]])


@unittest.skipIf(yaml is None, "python3-yaml not installed")
class Recipes(unittest.TestCase):
    def check_config(self, conf):
        # The policy as the sidecar would read it, with its secret file here.
        d = harness.tmpdir(self, "authd-k8s-")
        secret = os.path.join(d, "secret")
        with open(secret, "w") as f:
            f.write(SECRET_B64 + "\n")
        conf = re.sub(r"(?m)^secret-file = .*$", "secret-file = " + secret, conf)
        path = os.path.join(d, "authd.conf")
        with open(path, "w") as f:
            f.write(conf)
        r = subprocess.run([AUTHD, "--config", path, "--check-config"],
                           env=authd_env(secret=None), cwd=d, capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_every_policy_passes_check_config(self):
        for recipe in RECIPES:
            docs = load(recipe)
            for name, pod in pod_specs(docs):
                for c in pod.get("initContainers", []) + pod["containers"]:
                    if c["name"] == "approov-authd":
                        self.check_config(authd_conf(docs, pod, c))
        print("\nKubernetes: %s checked; NOT applied (no cluster here)" % ", ".join(RECIPES))

    def test_sidecar_nginx_conf_is_the_template_filled_by_envsubst(self):
        docs = load("approov-authd-sidecar.yaml")
        (name, pod), = pod_specs(docs)
        (nginx,) = pod["containers"]
        cmd = nginx["command"]
        prefix, conf_path = cmd[cmd.index("-p") + 1], cmd[cmd.index("-c") + 1]
        mounts = {m["mountPath"]: m["name"] for m in nginx["volumeMounts"]}
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertIn("emptyDir", vols[mounts[prefix]])  # writable, the root fs is not
        cm = by_kind(docs, "ConfigMap")[vols[mounts[os.path.dirname(conf_path)]]["configMap"]
                                        ["name"]]
        (authd,) = pod["initContainers"]
        listen = setting(authd_conf(docs, pod, authd), "listen")
        d = harness.tmpdir(self, "authd-k8s-nginx-")
        want = harness.envsubst("deploy/nginx/nginx.conf.template", os.path.join(d, "nginx.conf"),
                                {"NGINX_PREFIX": prefix, "PROXY_LISTEN": "8080",
                                 "AUTHD_ADDRESS": listen, "API_ADDRESS": "api:8080"})
        with open(want) as f:
            self.assertEqual(cm["data"][os.path.basename(conf_path)], f.read())
        self.assertEqual(nginx["ports"][0]["containerPort"], 8080)
        # and nginx runs without root in the foreground
        self.assertIn("daemon off;", cmd[-1])

    def test_ingress_nginx_annotations(self):
        docs = load("ingress-nginx.yaml")
        (ing,) = by_kind(docs, "Ingress").values()
        ann = ing["metadata"]["annotations"]
        prefix = "nginx.ingress.kubernetes.io/"
        self.assertEqual({k for k in ann if not k.startswith(prefix)}, set())
        self.assertLessEqual({k[len(prefix):] for k in ann}, INGRESS_NGINX_ANNOTATIONS)
        self.assertEqual(ann[prefix + "auth-method"], "GET")
        self.assertEqual([h.strip() for h in ann[prefix + "auth-response-headers"].split(",")],
                         CLAIMS)
        ns, cm_name = ann[prefix + "auth-proxy-set-headers"].split("/")
        headers = by_kind(docs, "ConfigMap")[cm_name]["data"]
        # The sidecar must route on the path nginx serves, not on one a client sent.
        self.assertEqual(headers, {"X-Original-URI": "$request_uri",
                                   # for message signatures (see approov-auth-headers)
                                   "X-Forwarded-Proto": "$scheme",
                                   "X-Forwarded-Host": "$http_host",
                                   "X-Original-Content-Length": "$content_length",
                                   "X-Original-Transfer-Encoding": "$http_transfer_encoding"})
        (name, pod), = pod_specs(docs)
        conf = authd_conf(docs, pod, pod["containers"][0])
        self.assertEqual(setting(conf, "uri-header"), "X-Original-URI")
        self.assertEqual(setting(conf, "failure-body"), "")
        with open(os.path.join(SOURCE, "deploy/kubernetes/ingress-nginx.yaml")) as f:
            self.assertIn('more_clear_input_headers \\"Approov-Claim-*\\"', f.read())

    def test_traefik_middlewares_match_the_file_provider_recipe(self):
        docs = load("traefik.yaml")
        mws = by_kind(docs, "Middleware")
        with open(os.path.join(SOURCE, "deploy/traefik/dynamic.yml")) as f:
            dyn = yaml.safe_load(f)["http"]["middlewares"]
        self.assertEqual(mws["approov-strip"]["spec"], dyn["approov-strip"])
        fa, want = dict(mws["approov"]["spec"]["forwardAuth"]), dict(dyn["approov"]["forwardAuth"])
        fa.pop("address"), want.pop("address")
        self.assertEqual(fa, want)
        (route,) = by_kind(docs, "IngressRoute").values()
        for r in route["spec"]["routes"]:
            self.assertEqual([m["name"] for m in r["middlewares"]], ["approov-strip", "approov"])
        (name, pod), = pod_specs(docs)
        conf = authd_conf(docs, pod, pod["containers"][0])
        self.assertEqual(setting(conf, "uri-header"), "X-Forwarded-Uri")


if __name__ == "__main__":
    if yaml is None:
        print("python3-yaml not installed: skipped")
        sys.exit(77)
    harness.main()
