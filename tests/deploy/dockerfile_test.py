#!/usr/bin/env python3
"""deploy/docker/Dockerfile checked without a Docker engine (none runs here).

  * the stages: a Debian 12 build stage, a Debian 12 slim runtime stage, and
    the targets gostore, goqueryd, goprobe and clients built on the runtime;
  * the runtime's packages exist in Debian 12 (`apt-cache show`, skipped when
    apt has no package lists) and provide every shared library the binaries
    link (ldd, dpkg -S), directly or through their dependencies;
  * the build stage builds and copies out what deploy/binaries.txt lists,
    whose labels are exactly those this test was given (and Bazel therefore
    knows), and every file a later stage copies from it or from the
    repository exists;
  * only goprobe gets capabilities, and only NET_RAW and NET_ADMIN; every
    target ends as uid 10001.

  dockerfile_test.py DOCKERFILE BINARIES_TXT REPO_FILE... -- LABEL=PATH...
"""
import os
import re
import shutil
import subprocess
import sys

from deploy_checks import check, failed, finish

DOCKERFILE = os.path.realpath(sys.argv[1])
BINARY_LIST = os.path.realpath(sys.argv[2])
sep = sys.argv.index("--")
REPO_FILES = {os.path.normpath(p) for p in sys.argv[3:sep]}
BINARIES = dict(a.split("=", 1) for a in sys.argv[sep + 1:])  # label -> runfile path


def stages():
    """[(name, base, [instruction lines])], continuation lines joined."""
    with open(DOCKERFILE) as f:
        text = re.sub(r"\\\n", " ", f.read())
    out, args = [], {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "ARG" and not out:
            k, _, v = rest.partition("=")
            args[k.strip()] = v.strip()
        elif word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            base = re.sub(r"\$\{(\w+)\}", lambda g: args.get(g.group(1), g.group(0)), m.group(1))
            out.append((m.group(2), base, []))
        elif out:
            out[-1][2].append((word, rest))
    return out


def apt_packages(instructions):
    pkgs = []
    for word, rest in instructions:
        if word == "RUN":
            for m in re.finditer(r"apt-get install ((?:\s*-\S+)*)((?:\s+[a-z0-9][a-z0-9.+-]+)+)", rest):
                pkgs += m.group(2).split()
    return pkgs


def apt_usable():
    out = subprocess.run(["apt-cache", "policy", "libc6"], capture_output=True, text=True)
    return out.returncode == 0 and "Candidate: (none)" not in out.stdout and "Candidate:" in out.stdout


def packages_of(libs):
    """lib path -> Debian package, with one dpkg -S for all of them."""
    spellings = {}
    for lib in libs:
        names = {lib, os.path.realpath(lib)}
        for p in list(names):  # merged /usr: dpkg may know either spelling
            if p.startswith("/usr/lib/"):
                names.add(p[len("/usr"):])
            elif p.startswith("/lib/"):
                names.add("/usr" + p)
        for n in names:
            spellings[n] = lib
    out = subprocess.run(["dpkg", "-S"] + sorted(spellings), capture_output=True, text=True)
    found = {}
    for line in out.stdout.splitlines():
        pkgs, _, path = line.partition(": ")
        if path in spellings:
            found[spellings[path]] = pkgs.split(",")[0].split(":")[0].strip()
    return found


def closure(pkgs):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + pkgs,
                         capture_output=True, text=True)
    return {l.split(":")[0] for l in out.stdout.splitlines() if l and not l.startswith((" ", "<"))}


def required(pkgs):
    """The packages of Priority required or Essential (every Debian image has them)."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Priority} ${Essential}\\n"] + sorted(pkgs),
                         capture_output=True, text=True)
    return {l.split()[0] for l in out.stdout.splitlines()
            if len(l.split()) >= 2 and (l.split()[1] == "required" or l.endswith(" yes"))}


def main():
    st = stages()
    names = {s[0]: s for s in st}
    print("stages:", [(s[0], s[1]) for s in st])
    for t in ("build", "runtime", "gostore", "goqueryd", "goprobe", "clients"):
        check(t in names, f"no stage {t}")
    if failed():
        return
    check(names["build"][1] in ("debian:bookworm", "debian:12"), f"build stage on {names['build'][1]}")
    check(names["runtime"][1] in ("debian:bookworm-slim", "debian:12-slim"),
          f"runtime stage on {names['runtime'][1]}")
    for t in ("gostore", "goqueryd", "goprobe", "clients"):
        check(names[t][1] == "runtime", f"{t} is not built on the runtime stage")
        users = [rest for word, rest in names["runtime"][2] + names[t][2] if word == "USER"]
        check(users and users[-1] == "10001:10001", f"{t} ends as user {users[-1:]}")
        caps = [rest for word, rest in names[t][2] if word == "RUN" and "setcap" in rest]
        if t == "goprobe":
            check(len(caps) == 1 and "setcap cap_net_raw,cap_net_admin+ep /usr/local/bin/goprobe" in caps[0],
                  f"goprobe's file capabilities: {caps}")
        else:
            check(not caps, f"{t} sets capabilities")

    # Bazel labels and the files copied out of the build stage: those of
    # deploy/binaries.txt, which the build stage reads.
    build_run = " ".join(rest for word, rest in names["build"][2] if word == "RUN" and "bazel" in rest)
    for part in ("deploy/binaries.txt", "build --config=opt", "$labels", 'cp -L "bazel-bin/$p" /out/'):
        check(part in build_run, f"the build stage's bazel step lacks {part!r}: {build_run}")
    with open(BINARY_LIST) as f:
        listed = [l.split() for l in f if l.strip() and not l.startswith("#")]
    labels = {"//" + path.rsplit("/", 1)[0] + ":" + path.rsplit("/", 1)[1] for _, path in listed}
    check(labels == set(BINARIES), f"deploy/binaries.txt lists {sorted(labels)}, the test knows {sorted(BINARIES)}")
    for name, path in listed:
        check(os.path.basename(path) == name, f"deploy/binaries.txt: {name} is built as {path}")
    copied_out = [path for _, path in listed]
    out_files = {os.path.basename(p) for p in copied_out}
    for name, _, instructions in st:
        for word, rest in instructions:
            if word != "COPY":
                continue
            parts = rest.split()
            if parts[0] == "--from=build":
                for src in parts[1:-1]:
                    check(src.startswith("/out/") and src[5:] in out_files,
                          f"{name}: COPY {src} is not a file the build stage puts in /out")
            elif not parts[0].startswith("--") and name != "build":
                for src in parts[:-1]:
                    check(os.path.normpath(src) in REPO_FILES, f"{name}: COPY {src}: not in the repository")

    # Runtime packages: in Debian 12, and enough for every binary.
    runtime_pkgs = apt_packages(names["runtime"][2])
    print("runtime packages:", runtime_pkgs)
    check(len(runtime_pkgs) > 5, "no runtime package list found")
    if not apt_usable():
        print("SKIP: apt has no package lists (apt-get update); packages not looked up")
        return
    for p in runtime_pkgs:
        out = subprocess.run(["apt-cache", "show", "--no-all-versions", p], capture_output=True, text=True)
        check(out.returncode == 0 and "Package: " in out.stdout, f"runtime package {p} not in Debian")
    available = closure(runtime_pkgs)
    libs = {}
    for label, path in BINARIES.items():
        out = subprocess.run(["ldd", path], capture_output=True, text=True)
        check(out.returncode == 0, f"ldd {path}: {out.stderr}")
        libs[label] = re.findall(r"=> (/\S+)", out.stdout)
    owner = packages_of({l for ls in libs.values() for l in ls})
    base = required(set(owner.values()))
    for label, ls in libs.items():
        missing = set()
        for lib in ls:
            pkg = owner.get(lib)
            if pkg is None:
                check(False, f"{label}: {lib} belongs to no package")
            elif re.match(r"lib(asan|ubsan|lsan|tsan)\d", pkg):
                continue  # a sanitizer build's runtime; images are built with --config=opt
            elif pkg not in available and pkg not in base:
                missing.add(f"{pkg} ({os.path.basename(lib)})")
        check(not missing, f"{label}: the runtime stage lacks {sorted(missing)}")
        print(f"{label}: {len(ls)} shared libraries, all from the runtime's packages")


if not shutil.which("dpkg"):
    print("SKIP: not a Debian system")
    sys.exit(0)
main()
finish()
