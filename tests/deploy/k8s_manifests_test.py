#!/usr/bin/env python3
"""deploy/k8s checked without a cluster.

There is no API server here, so `kubectl apply --dry-run=client` cannot run
(it asks the server for its resource types). Instead:

  * the kustomization is expanded as kubectl would (resources, namespace,
    images) and, where kubectl is installed, `kubectl kustomize` must produce
    the same objects;
  * every reference inside is resolved: selectors and labels, Service ports
    and named container ports, gRPC probe ports, volume mounts and volumes,
    ConfigMap keys and Secret names, the root's peer name and the headless
    Service;
  * the rules of the deployment hold: host network for the node pods, only
    goprobe with NET_RAW and NET_ADMIN, every other container without
    capabilities and not root, requests and limits everywhere;
  * the configurations in the ConfigMap are loaded by the real gostore and
    goqueryd (`--check-config`), with the Secret's placeholder key refused
    and a real key accepted.

  k8s_manifests_test.py K8S_DIR GOSTORE GOQUERYD
"""
import os
import shutil
import subprocess
import sys

import yaml

from deploy_checks import ConfigChecker, check, finish

K8S_DIR, GOSTORE, GOQUERYD = (os.path.realpath(a) for a in sys.argv[1:4])


def expand():
    with open(os.path.join(K8S_DIR, "kustomization.yaml")) as f:
        kust = yaml.safe_load(f)
    objects = []
    for res in kust["resources"]:
        with open(os.path.join(K8S_DIR, res)) as f:
            objects += [d for d in yaml.safe_load_all(f) if d]
    images = {i["name"]: i for i in kust.get("images", [])}
    for o in objects:
        if o["kind"] != "Namespace":
            o["metadata"]["namespace"] = kust["namespace"]
        for c in containers(o, init=True):
            name, _, _ = c["image"].partition(":")
            if name in images:
                img = images[name]
                c["image"] = f"{img.get('newName', name)}:{img.get('newTag', 'latest')}"
    return kust, objects


def pod_spec(o):
    return o["spec"]["template"]["spec"] if o["kind"] in ("DaemonSet", "Deployment") else None


def containers(o, init=False):
    spec = pod_spec(o)
    if spec is None:
        return []
    return spec.get("containers", []) + (spec.get("initContainers", []) if init else [])


def main():
    kust, objects = expand()
    by_kind = {}
    for o in objects:
        for key in ("apiVersion", "kind", "metadata"):
            check(key in o, f"object without {key}: {o}")
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    print("objects:", sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects))
    for kind in ("Namespace", "ConfigMap", "Secret", "DaemonSet", "Deployment", "Service"):
        check(kind in by_kind, f"no {kind}")

    kubectl = shutil.which("kubectl")
    if kubectl:
        out = subprocess.run([kubectl, "kustomize", K8S_DIR], capture_output=True, text=True)
        if check(out.returncode == 0, f"kubectl kustomize: {out.stderr}"):
            theirs = [d for d in yaml.safe_load_all(out.stdout) if d]
            key = lambda o: (o["kind"], o["metadata"]["name"], o["metadata"].get("namespace"))
            check(sorted(map(key, theirs)) == sorted(map(key, objects)),
                  f"kubectl kustomize gives {sorted(map(key, theirs))}")
            print("kubectl kustomize: same objects")
    else:
        print("SKIP: kubectl missing; kustomization expanded here only")

    configmaps = by_kind.get("ConfigMap", {})
    secrets = by_kind.get("Secret", {})
    workloads = list(by_kind.get("DaemonSet", {}).values()) + list(by_kind.get("Deployment", {}).values())
    for w in workloads:
        name = f"{w['kind']}/{w['metadata']['name']}"
        spec = pod_spec(w)
        labels = w["spec"]["template"]["metadata"]["labels"]
        for k, v in w["spec"]["selector"]["matchLabels"].items():
            check(labels.get(k) == v, f"{name}: selector {k}={v} does not match its pods")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        pod_sc = spec.get("securityContext", {})
        for c in containers(w, init=True):
            cname = f"{name}/{c['name']}"
            res = c.get("resources", {})
            check("requests" in res and "limits" in res, f"{cname}: requests and limits")
            check(c.get("image", "").startswith("goprobe-cpp/"), f"{cname}: image {c.get('image')}")
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
            for probe_kind in ("readinessProbe", "livenessProbe"):
                probe = c.get(probe_kind)
                if probe and "grpc" in probe:
                    check(probe["grpc"]["port"] in ports.values(),
                          f"{cname}: {probe_kind} port {probe['grpc']['port']} is not a container port")
                if probe and "exec" in probe:
                    check(probe["exec"]["command"][0] == "grpc_health_check",
                          f"{cname}: exec probe should use grpc_health_check")
            for m in c.get("volumeMounts", []):
                v = volumes.get(m["name"])
                if not check(v is not None, f"{cname}: mounts undeclared volume {m['name']}"):
                    continue
                if "configMap" in v and "subPath" in m:
                    cm = configmaps.get(v["configMap"]["name"])
                    check(cm is not None and m["subPath"] in cm["data"],
                          f"{cname}: ConfigMap {v['configMap']['name']} has no key {m['subPath']}")
                if "secret" in v:
                    check(v["secret"]["secretName"] in secrets,
                          f"{cname}: no Secret {v['secret']['secretName']}")
            sc = c.get("securityContext", {})
            caps = sc.get("capabilities", {})
            check(caps.get("drop") == ["ALL"], f"{cname}: drops ALL capabilities")
            is_init = c in spec.get("initContainers", [])
            if c["name"] == "goprobe":
                check(sorted(caps.get("add", [])) == ["NET_ADMIN", "NET_RAW"],
                      f"{cname}: exactly NET_RAW and NET_ADMIN, got {caps.get('add')}")
            elif not is_init:
                check(not caps.get("add"), f"{cname}: adds capabilities {caps.get('add')}")
                check(sc.get("allowPrivilegeEscalation") is False, f"{cname}: escalation allowed")
            if not is_init:
                check(sc.get("runAsUser", pod_sc.get("runAsUser")) not in (None, 0),
                      f"{cname}: runs as root")
        if w["kind"] == "DaemonSet":
            check(spec.get("hostNetwork") is True, f"{name}: hostNetwork")
            check(spec.get("dnsPolicy") == "ClusterFirstWithHostNet", f"{name}: dnsPolicy")
            names = {c["name"] for c in containers(w)}
            check(names == {"goprobe", "gostore", "goqueryd"}, f"{name}: containers {names}")
            for v in volumes.values():
                if v["name"] == "data":
                    check("hostPath" in v, f"{name}: the data volume is a hostPath")

    # Services select pods and name their ports.
    headless = None
    for s in by_kind.get("Service", {}).values():
        sname = f"Service/{s['metadata']['name']}"
        selected = [w for w in workloads
                    if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v
                           for k, v in s["spec"]["selector"].items())]
        if not check(len(selected) == 1, f"{sname} selects {len(selected)} workloads"):
            continue
        ports = {p["name"] for c in containers(selected[0]) for p in c.get("ports", [])}
        for p in s["spec"]["ports"]:
            check(p["targetPort"] in ports, f"{sname}: targetPort {p['targetPort']} unknown")
        if s["spec"].get("clusterIP") == "None":
            headless = s
            check(selected[0]["kind"] == "DaemonSet", f"{sname}: headless Service not over the leaves")

    if not check(headless is not None, "no headless Service for the leaves"):
        return
    cm = next(iter(configmaps.values()))
    root = yaml.safe_load(cm["data"]["goqueryd-root.yaml"])
    want = (f"{headless['metadata']['name']}.{headless['metadata']['namespace']}.svc.cluster.local:"
            f"{headless['spec']['ports'][0]['port']}")
    check(root.get("peers") == [want], f"root peers {root.get('peers')}, want [{want}]")

    # The sockets between the containers of a node pod, and its exec probes.
    data = {k: yaml.safe_load(v) for k, v in cm["data"].items()}
    listens = {"gostore": data["gostore.yaml"].get("listen", []),
               "goqueryd": data["goqueryd-leaf.yaml"].get("listen", []),
               "goprobe": data["goprobe.yaml"].get("api", {}).get("listen", [])}
    check(data["goprobe.yaml"]["store"]["addr"] in listens["gostore"], "goprobe ships where gostore is not")
    check(data["goqueryd-leaf.yaml"]["probe"]["addr"] in listens["goprobe"],
          "the leaf asks the probe where it does not listen")
    for w in by_kind.get("DaemonSet", {}).values():
        for c in containers(w):
            for kind in ("readinessProbe", "livenessProbe"):
                command = c.get(kind, {}).get("exec", {}).get("command")
                if command:
                    check(command[-1] in listens[c["name"]],
                          f"{c['name']}: {kind} asks {command[-1]}, not one of {listens[c['name']]}")

    check_configs(cm, next(iter(secrets.values())))


def check_configs(cm, secret):
    """The real binaries load the ConfigMap's files, paths moved to a temp dir."""
    keys = "/etc/goprobe-cpp/keys/api.keys"
    checker = ConfigChecker([keys], ["/var/lib/goprobe", "/run/goprobe"])
    try:
        # The Secret as shipped: its placeholder must stop goqueryd.
        checker.write(keys, secret["stringData"]["api.keys"])
        out = checker.check(GOQUERYD, "goqueryd-leaf.yaml", cm["data"]["goqueryd-leaf.yaml"])
        check(out.returncode != 0 and "shorter than 16" in out.stderr,
              f"the placeholder API key was not refused: {out.returncode} {out.stderr}")
        print("placeholder key refused:", out.stderr.strip())
        checker.write(keys, "0123456789abcdef0123456789abcdef\n")
        for binary, name in ((GOSTORE, "gostore.yaml"), (GOQUERYD, "goqueryd-leaf.yaml"),
                             (GOQUERYD, "goqueryd-root.yaml")):
            out = checker.check(binary, name, cm["data"][name])
            if check(out.returncode == 0, f"{name}: {out.stdout}{out.stderr}"):
                print(f"{name}: {out.stdout.strip()}")
    finally:
        checker.close()


main()
finish()
