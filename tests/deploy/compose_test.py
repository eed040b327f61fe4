#!/usr/bin/env python3
"""deploy/compose checked without a Docker engine.

  * `docker-compose config` (or `docker compose config`) validates the file
    against the Compose schema where a client is installed, and must refuse a
    copy with a misspelt key (so the validation is real);
  * the deployment's rules hold: probe on the host network with exactly
    NET_RAW and NET_ADMIN, everything else without capabilities; store,
    query and probe share the data and run volumes; health checks ask gRPC
    health on the socket each service's configuration listens on; every
    build target is a stage of deploy/docker/Dockerfile;
  * the mounted configurations are loaded by the real gostore and goqueryd.

  compose_test.py COMPOSE_FILE DOCKERFILE GOSTORE GOQUERYD
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from deploy_checks import ConfigChecker, check, finish

COMPOSE = os.path.realpath(sys.argv[1])
DOCKERFILE = os.path.realpath(sys.argv[2])
GOSTORE, GOQUERYD = (os.path.realpath(a) for a in sys.argv[3:5])
HERE = os.path.dirname(COMPOSE)


def compose_client():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


def validate_with_client():
    client = compose_client()
    if client is None:
        print("SKIP: no docker-compose or docker compose; the Compose schema is not checked")
        return
    # A copy beside the original, so relative paths resolve the same way; the
    # secret's file is made for the run (the real one is the operator's).
    work = tempfile.mkdtemp(prefix="compose.")
    try:
        shutil.copytree(HERE, os.path.join(work, "compose"))
        copy = os.path.join(work, "compose", "docker-compose.yml")
        env = dict(os.environ, HOME=work)
        out = subprocess.run(client + ["-f", copy, "config", "-q"], capture_output=True, text=True,
                             env=env)
        check(out.returncode == 0, f"{' '.join(client)} config: {out.stdout}{out.stderr}")
        print(f"{' '.join(client)} config: exit {out.returncode}")
        with open(copy) as f:
            text = f.read()
        with open(copy, "w") as f:
            f.write(text.replace("    healthcheck:", "    healthchek:", 1))
        out = subprocess.run(client + ["-f", copy, "config", "-q"], capture_output=True, text=True,
                             env=env)
        check(out.returncode != 0 and "healthchek" in out.stdout + out.stderr,
              f"a misspelt key was not refused: {out.returncode} {out.stderr}")
        print("misspelt key refused:", (out.stdout + out.stderr).strip().splitlines()[-1])
    finally:
        shutil.rmtree(work)


def dockerfile_stages():
    with open(DOCKERFILE) as f:
        return set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", f.read(), re.M | re.I))


def mounts(service):
    """container path -> host source (volume name or file path)."""
    out = {}
    for v in service.get("volumes", []):
        parts = v.split(":")
        out[parts[1]] = parts[0]
    return out


def main():
    validate_with_client()
    with open(COMPOSE) as f:
        doc = yaml.safe_load(f)
    services = doc["services"]
    for name in ("store", "query", "probe"):
        if not check(name in services, f"no service {name}"):
            return
    stages = dockerfile_stages()
    for name, s in services.items():
        target = s.get("build", {}).get("target")
        check(target in stages, f"{name}: build target {target} is not a Dockerfile stage {stages}")
        check(s.get("cap_drop") == ["ALL"], f"{name}: cap_drop ALL")
        if name == "probe":
            check(s.get("network_mode") == "host", "probe: host network")
            check(sorted(s.get("cap_add", [])) == ["NET_ADMIN", "NET_RAW"],
                  f"probe: exactly NET_RAW and NET_ADMIN, got {s.get('cap_add')}")
        else:
            check(not s.get("cap_add"), f"{name}: adds capabilities {s.get('cap_add')}")
            check("no-new-privileges:true" in s.get("security_opt", []), f"{name}: no-new-privileges")

    m = {n: mounts(services[n]) for n in ("store", "query", "probe")}
    for path in ("/var/lib/goprobe", "/run/goprobe"):
        sources = {m[n].get(path) for n in m}
        check(len(sources) == 1 and None not in sources and sources.pop() in doc["volumes"],
              f"{path}: not one shared named volume: {[m[n].get(path) for n in m]}")

    configs = {}
    for name, binary in (("store", "gostore"), ("query", "goqueryd"), ("probe", "goprobe")):
        host = m[name].get(f"/etc/goprobe-cpp/{binary}.yaml")
        if not check(host is not None, f"{name}: no {binary}.yaml mounted"):
            continue
        path = os.path.join(HERE, host)
        if check(os.path.isfile(path), f"{name}: mounted {host} missing"):
            with open(path) as f:
                configs[name] = f.read()
    parsed = {n: yaml.safe_load(configs.get(n, "{}")) for n in ("store", "query", "probe")}
    listens = {"store": parsed["store"].get("listen", []), "query": parsed["query"].get("listen", []),
               "probe": parsed["probe"].get("api", {}).get("listen", [])}
    for name in ("store", "query", "probe"):
        test = services[name].get("healthcheck", {}).get("test", [])
        sock = test[-1] if test else ""
        check(test[:2] == ["CMD", "grpc_health_check"], f"{name}: health check {test}")
        check(sock in listens[name],
              f"{name}: health check asks {sock}, which it does not listen on {listens[name]}")
    probe_store = parsed["probe"].get("store", {}).get("addr")
    check(probe_store in listens["store"], f"probe ships to {probe_store}, where gostore does not listen")
    query_probe = parsed["query"].get("probe", {}).get("addr")
    check(query_probe in listens["probe"], f"goqueryd asks the probe at {query_probe}, not its API")

    secret_target = services["query"]["secrets"][0]["target"]
    keys = f"/run/secrets/{secret_target}"
    checker = ConfigChecker([keys], ["/var/lib/goprobe", "/run/goprobe"])
    try:
        checker.write(keys, "0123456789abcdef0123456789abcdef\n")
        for name, binary in (("store", GOSTORE), ("query", GOQUERYD)):
            if name in configs:
                out = checker.check(binary, f"{name}.yaml", configs[name])
                if check(out.returncode == 0, f"{name}: {out.stdout}{out.stderr}"):
                    print(f"{name}: {out.stdout.strip()}")
    finally:
        checker.close()


main()
finish()
