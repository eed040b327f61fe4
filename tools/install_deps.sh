#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the benchmarks
# need. Idempotent: when everything is present it prints nothing and makes no
# network call. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  bazel-bootstrap default-jdk-headless g++ pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libabsl-dev libspdlog-dev libfmt-dev libyaml-cpp-dev liblz4-dev libzstd-dev
  libxxhash-dev libpcap-dev zlib1g-dev libre2-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libssl-dev
  # fuzzing (--config=fuzz): clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 tshark tcpreplay iproute2
  nfdump softflowd pmacct bc lz4 zstd openssl tmux
  # deployment tests (tests/deploy): manifests in YAML, `docker-compose config`
  python3-yaml docker-compose
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install_deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install_deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
