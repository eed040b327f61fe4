#!/usr/bin/env bash
# Installs goProbe-cpp on a systemd host: binaries, units, example
# configurations, the services' system user and goquery's bash completion.
# Needs no Bazel when given the binaries.
#
#   bazel build --config=opt //services/... //clients/... //deploy/healthcheck:grpc_health_check
#   sudo deploy/install.sh [--bin-dir DIR]
#   sudo systemctl enable --now gostore goqueryd goprobe
#
# Where (environment or flags; GNU conventions):
#   --bin-dir DIR    the built binaries: a directory holding them or a bazel-bin
#                    tree (default: `bazel info --config=opt bazel-bin`)
#   DESTDIR          staging root prepended to every path (packaging, tests);
#                    nothing is activated when set
#   PREFIX           /usr/local: binaries in PREFIX/bin, units in
#                    PREFIX/lib/systemd/system, completion in
#                    PREFIX/share/bash-completion/completions
#   SYSCONFDIR       /etc: configurations in SYSCONFDIR/goprobe-cpp, the user
#                    in SYSCONFDIR/sysusers.d
#
# Existing configuration files are never overwritten: a changed example is
# put beside them as NAME.yaml.new. Without DESTDIR, as root on a host
# running systemd, the goprobe user is created and systemd reloaded.
set -euo pipefail

readonly REPO=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
BIN_DIR=${BIN_DIR:-}

die() { echo "install.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) [[ $# -ge 2 ]] || die "--bin-dir needs a directory"; BIN_DIR=$2; shift 2 ;;
    --bin-dir=*) BIN_DIR=${1#*=}; shift ;;
    --destdir) [[ $# -ge 2 ]] || die "--destdir needs a directory"; DESTDIR=$2; shift 2 ;;
    --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
    --sysconfdir) [[ $# -ge 2 ]] || die "--sysconfdir needs a directory"; SYSCONFDIR=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (--help)" ;;
  esac
done
[[ "$PREFIX" == /* ]] || die "PREFIX must be absolute, not $PREFIX"
[[ "$SYSCONFDIR" == /* ]] || die "SYSCONFDIR must be absolute, not $SYSCONFDIR"

if [[ -z "$BIN_DIR" ]]; then
  command -v bazel >/dev/null || die "no --bin-dir and no bazel to ask for bazel-bin"
  BIN_DIR=$(cd "$REPO" && bazel info --config=opt bazel-bin 2>/dev/null) ||
    die "bazel info failed; build first or give --bin-dir"
fi

# name -> path under a bazel-bin tree
declare -A BAZEL_PATH=()
BINARIES=()
while read -r name path; do
  BAZEL_PATH[$name]=$path
  BINARIES+=("$name")
done < <(grep -v -e '^#' -e '^$' "$REPO/deploy/binaries.txt")
readonly SERVICES=(gostore goqueryd goprobe)

source_of() {
  local c
  for c in "$BIN_DIR/$1" "$BIN_DIR/${BAZEL_PATH[$1]}"; do
    [[ -f "$c" && -x "$c" ]] && { echo "$c"; return; }
  done
  die "$1 is neither $BIN_DIR/$1 nor $BIN_DIR/${BAZEL_PATH[$1]} (build it, or fix --bin-dir)"
}

bindir=$PREFIX/bin
unitdir=$PREFIX/lib/systemd/system
completiondir=$PREFIX/share/bash-completion/completions
confdir=$SYSCONFDIR/goprobe-cpp

# Everything is checked before anything is written.
declare -A SRC
for b in "${BINARIES[@]}"; do SRC[$b]=$(source_of "$b"); done
for s in "${SERVICES[@]}"; do
  [[ -f "$REPO/deploy/config/$s.yaml" ]] || die "missing example configuration deploy/config/$s.yaml"
  [[ -f "$REPO/deploy/systemd/$s.service" ]] || die "missing unit deploy/systemd/$s.service"
done

install -d -m 0755 "$DESTDIR$bindir" "$DESTDIR$unitdir" "$DESTDIR$completiondir" \
  "$DESTDIR$SYSCONFDIR/sysusers.d"
install -d -m 0755 "$DESTDIR$confdir"
for b in "${BINARIES[@]}"; do
  install -m 0755 "${SRC[$b]}" "$DESTDIR$bindir/$b"
done
echo "install.sh: binaries in $DESTDIR$bindir"

for s in "${SERVICES[@]}"; do
  sed -e "s|@BINDIR@|$bindir|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" \
    "$REPO/deploy/systemd/$s.service" >"$DESTDIR$unitdir/$s.service.tmp"
  chmod 0644 "$DESTDIR$unitdir/$s.service.tmp"
  mv "$DESTDIR$unitdir/$s.service.tmp" "$DESTDIR$unitdir/$s.service"
done
install -m 0644 "$REPO/deploy/systemd/goprobe-cpp.sysusers" \
  "$DESTDIR$SYSCONFDIR/sysusers.d/goprobe-cpp.conf"
echo "install.sh: units in $DESTDIR$unitdir"

for s in "${SERVICES[@]}"; do
  src=$REPO/deploy/config/$s.yaml
  dst=$DESTDIR$confdir/$s.yaml
  if [[ ! -e "$dst" ]]; then
    install -m 0644 "$src" "$dst"
  elif ! cmp -s "$src" "$dst"; then
    install -m 0644 "$src" "$dst.new"
    echo "install.sh: kept $dst; the new example is $dst.new"
  fi
done
echo "install.sh: configurations in $DESTDIR$confdir"

# The completion script is whatever the installed goquery prints.
if completion=$("$DESTDIR$bindir/goquery" completion bash 2>/dev/null) && [[ -n "$completion" ]]; then
  printf '%s\n' "$completion" >"$DESTDIR$completiondir/goquery"
  chmod 0644 "$DESTDIR$completiondir/goquery"
  echo "install.sh: bash completion in $DESTDIR$completiondir/goquery"
else
  echo "install.sh: this goquery has no 'completion bash' subcommand; no bash completion installed" >&2
fi

if [[ -z "$DESTDIR" && $(id -u) -eq 0 && -d /run/systemd/system ]]; then
  systemd-sysusers "$SYSCONFDIR/sysusers.d/goprobe-cpp.conf"
  systemctl daemon-reload
  echo "install.sh: edit $confdir/goprobe.yaml (interfaces), then:"
  echo "  systemctl enable --now gostore goqueryd goprobe"
fi
