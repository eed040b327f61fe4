"""What the deployment tests share: collected failures, and service
configurations loaded by the real binaries.

A manifest's configuration names paths inside its container; ConfigChecker
moves them to a temporary directory and runs `BINARY --config FILE
--check-config`, which reads every file the configuration names (API keys,
certificates).
"""
import os
import subprocess
import sys
import tempfile

_failures = []


def check(ok, what):
    """Records `what` as a failure unless `ok`; returns `ok`."""
    if not ok:
        _failures.append(what)
    return ok


def failed():
    return bool(_failures)


def finish():
    """Prints every failure and exits 1, or prints PASS and exits 0."""
    for f in _failures:
        print("FAIL:", f, file=sys.stderr)
    if _failures:
        sys.exit(1)
    print("PASS")
    sys.exit(0)


class ConfigChecker:
    """Writes configurations into a temporary directory, paths moved there."""

    def __init__(self, files, directories):
        # files, directories: paths inside the container that the
        # configurations name; each is replaced by a path under a temporary
        # directory (directories are created there, files by write()).
        self.dir = tempfile.TemporaryDirectory(prefix="service-config.")
        self.moves = {}
        for i, path in enumerate(list(files) + list(directories)):
            self.moves[path] = os.path.join(self.dir.name, f"m{i}")
        for path in directories:
            os.makedirs(self.moves[path])

    def path(self, container_path):
        return self.moves[container_path]

    def write(self, container_path, text):
        with open(self.moves[container_path], "w") as f:
            f.write(text)

    def check(self, binary, name, text):
        for a, b in self.moves.items():
            text = text.replace(a, b)
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run([binary, "--config", path, "--check-config"], capture_output=True,
                              text=True)

    def close(self):
        self.dir.cleanup()
