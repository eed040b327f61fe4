#!/usr/bin/env bash
# deploy/install.sh into temporary directories: with DESTDIR (the tree a
# package would hold), again over it (configurations kept, new examples put
# beside them), with a wrong --bin-dir (refused, naming the path), and with a
# PREFIX that exists for real so that `systemd-analyze verify` can check the
# units against the installed binaries (skipped where systemd-analyze is
# missing).
#
#   install_test.sh INSTALL_SH BINARIES_TXT
set -euo pipefail
INSTALL=$1  # not resolved: the script finds its files beside itself
BINARY_LIST=$2
BIN=$TEST_SRCDIR/$TEST_WORKSPACE
fail() { echo "FAIL: $*" >&2; exit 1; }
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
declare -A BUILT=()  # name -> path under bazel-bin
while read -r name path; do BUILT[$name]=$path; done < <(grep -v -e '^#' -e '^$' "$BINARY_LIST")
BINARIES=("${!BUILT[@]}")
[[ ${#BINARIES[@]} -ge 6 ]] || fail "$BINARY_LIST lists only ${BINARIES[*]}"
SERVICES=(gostore goqueryd goprobe)
CONFIG_DIR=$(dirname "$INSTALL")/config

# --- 1. a staged install ---
STAGE=$WORK/stage
DESTDIR=$STAGE PREFIX=/usr SYSCONFDIR=/etc "$INSTALL" --bin-dir "$BIN" >"$WORK/install.out" 2>&1 ||
  fail "install into DESTDIR: $(cat "$WORK/install.out")"
cat "$WORK/install.out"
for b in "${BINARIES[@]}"; do
  f=$STAGE/usr/bin/$b
  [[ -x "$f" && $(stat -c %a "$f") == 755 ]] || fail "$f missing or not mode 755"
  cmp -s "$f" "$BIN/${BUILT[$b]}" || fail "$f differs from the built $b"
done
for s in "${SERVICES[@]}"; do
  u=$STAGE/usr/lib/systemd/system/$s.service
  [[ -f "$u" && $(stat -c %a "$u") == 644 ]] || fail "$u missing or not mode 644"
  if grep -Eq "@[A-Z]+@" "$u"; then fail "$u keeps a placeholder: $(grep -E "@[A-Z]+@" "$u")"; fi
  grep -q "^ExecStart=/usr/bin/$s --config /etc/goprobe-cpp/$s.yaml$" "$u" ||
    fail "$u: ExecStart is not /usr/bin/$s --config /etc/goprobe-cpp/$s.yaml"
  for opt in NoNewPrivileges=yes PrivateTmp=yes ProtectSystem=strict ProtectHome=yes User=goprobe; do
    grep -qx "$opt" "$u" || fail "$u lacks $opt"
  done
  c=$STAGE/etc/goprobe-cpp/$s.yaml
  cmp -s "$c" "$CONFIG_DIR/$s.yaml" || fail "$c is not deploy/config/$s.yaml"
done
probe_unit=$STAGE/usr/lib/systemd/system/goprobe.service
grep -qx "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN" "$probe_unit" || fail "goprobe's capabilities"
grep -qx "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN" "$probe_unit" || fail "goprobe's ambient capabilities"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$probe_unit" || fail "goprobe reloads with SIGHUP"
for s in gostore goqueryd; do
  grep -qx "CapabilityBoundingSet=" "$STAGE/usr/lib/systemd/system/$s.service" ||
    fail "$s must have no capabilities"
done
grep -q "^u goprobe " "$STAGE/etc/sysusers.d/goprobe-cpp.conf" || fail "sysusers entry for goprobe"
completion=$STAGE/usr/share/bash-completion/completions/goquery
if want=$("$STAGE/usr/bin/goquery" completion bash 2>/dev/null); then
  [[ "$(cat "$completion")" == "$want" ]] || fail "$completion is not 'goquery completion bash'"
  bash -n "$completion" || fail "$completion is not valid bash"
  echo "ok: bash completion installed"
else
  [[ ! -e "$completion" ]] || fail "completion installed though goquery has no 'completion bash'"
  grep -q "no bash completion installed" "$WORK/install.out" || fail "missing completion not reported"
  echo "ok: goquery has no 'completion bash' yet; reported, nothing installed"
fi
extra=$(cd "$STAGE" && find . -type f | sort | grep -v -e '^./usr/bin/' -e '^./usr/lib/systemd/system/' \
  -e '^./etc/goprobe-cpp/' -e '^./etc/sysusers.d/goprobe-cpp.conf$' \
  -e '^./usr/share/bash-completion/completions/goquery$' || true)
[[ -z "$extra" ]] || fail "unexpected files installed: $extra"
echo "ok: staged tree complete"

# --- 2. again, over an edited configuration ---
echo "# edited by the administrator" >>"$STAGE/etc/goprobe-cpp/gostore.yaml"
DESTDIR=$STAGE PREFIX=/usr SYSCONFDIR=/etc "$INSTALL" --bin-dir "$BIN" >"$WORK/again.out" 2>&1 ||
  fail "second install: $(cat "$WORK/again.out")"
grep -q "edited by the administrator" "$STAGE/etc/goprobe-cpp/gostore.yaml" || fail "edited config overwritten"
cmp -s "$STAGE/etc/goprobe-cpp/gostore.yaml.new" "$CONFIG_DIR/gostore.yaml" || fail "no gostore.yaml.new"
[[ ! -e "$STAGE/etc/goprobe-cpp/goqueryd.yaml.new" ]] || fail "unchanged goqueryd.yaml got a .new"
echo "ok: an edited configuration is kept, the new example put beside it"

# --- 3. refused input ---
if DESTDIR=$WORK/bad "$INSTALL" --bin-dir "$WORK/nowhere" >"$WORK/bad.out" 2>&1; then
  fail "install with a wrong --bin-dir succeeded"
fi
grep -q "$WORK/nowhere" "$WORK/bad.out" || fail "the error does not name the bin dir: $(cat "$WORK/bad.out")"
[[ ! -e "$WORK/bad" ]] || fail "a refused install wrote files"
if PREFIX=relative "$INSTALL" --bin-dir "$BIN" >/dev/null 2>&1; then fail "a relative PREFIX was taken"; fi
echo "ok: wrong --bin-dir and relative PREFIX refused before anything is written"

# --- 4. systemd-analyze verify on units whose binaries exist ---
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze missing; units not verified"
  echo PASS
  exit 0
fi
REAL=$WORK/real
PREFIX=$REAL/usr SYSCONFDIR=$REAL/etc "$INSTALL" --bin-dir "$BIN" >/dev/null 2>&1 || fail "install into $REAL"
units=()
for s in "${SERVICES[@]}"; do units+=("$REAL/usr/lib/systemd/system/$s.service"); done
if ! out=$(systemd-analyze verify "${units[@]}" 2>&1) || [[ -n "$out" ]]; then
  fail "systemd-analyze verify: $out"
fi
echo "ok: systemd-analyze verify accepts the three units"
echo PASS
