#!/usr/bin/env bash
# tools/goprobectl end to end, in replay mode (no capture rights needed):
# start brings up gostore and goqueryd on unix sockets and ships the bundled
# capture through goprobe; status asks gRPC health; the generated API key
# (0600) guards goqueryd's TCP listener; a second start and a second replay
# change nothing; stop stops everything and status says so.
#
#   goprobectl_test.sh GOPROBECTL PCAP
set -euo pipefail
CTL=$(readlink -f "$1")
PCAP=$(readlink -f "$2")
fail() { echo "FAIL: $*" >&2; exit 1; }

# Unix socket paths must stay short: not under TEST_TMPDIR.
WORK=$(mktemp -d /tmp/gpctl.XXXXXX)
export GOPROBE_DATA=$WORK/data GOPROBE_RUN=$WORK/run GOPROBE_CAPTURE=replay GOPROBE_PCAP=$PCAP
export GOPROBE_BIN=$TEST_SRCDIR/$TEST_WORKSPACE
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export GOPROBE_QUERY_TCP=127.0.0.1:$port
cleanup() {
  "$CTL" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
GOQUERY=$GOPROBE_BIN/clients/goquery/goquery

out=$("$CTL" start 2>&1) || fail "start: $out"
echo "$out"
grep -q "replaying $PCAP" <<<"$out" || fail "start did not replay: $out"

status=$("$CTL" status) || fail "status after start exited $?: $status"
echo "$status"
[[ $(grep -c ": SERVING" <<<"$status") -eq 2 ]] || fail "gostore and goqueryd not both SERVING: $status"
grep -q "^goprobe: not a daemon in replay mode" <<<"$status" || fail "goprobe status: $status"

keys=$GOPROBE_DATA/etc/api.keys
[[ $(stat -c %a "$keys") == 600 ]] || fail "api.keys has mode $(stat -c %a "$keys"), want 600"
[[ $(grep -vc '^#' "$keys") -eq 1 ]] || fail "api.keys: want one key: $(cat "$keys")"

query() { "$GOQUERY" "$@" -f 0 -n 0 -e csv sip,dip; }
query --server "unix:$GOPROBE_RUN/goqueryd.sock" >"$WORK/unix.csv" || fail "query over the unix socket"
rows=$(($(wc -l <"$WORK/unix.csv") - 1))
[[ $rows -gt 100 ]] || fail "only $rows rows from the replayed capture"
if query --server "$GOPROBE_QUERY_TCP" >/dev/null 2>"$WORK/nokey.err"; then
  fail "goqueryd's TCP listener answered without the API key"
fi
grep -qi "unauthenticated\|key" "$WORK/nokey.err" || fail "refusal without key: $(cat "$WORK/nokey.err")"
query --server "$GOPROBE_QUERY_TCP" --api-key-file "$keys" >"$WORK/tcp.csv" || fail "query over TCP with the key"
cmp -s "$WORK/unix.csv" "$WORK/tcp.csv" || fail "TCP and unix socket answers differ"
echo "ok: $rows rows over the unix socket and, with the generated key, over TCP"

pid_before=$(<"$GOPROBE_RUN/gostore.pid")
again=$("$CTL" start 2>&1) || fail "second start: $again"
grep -q "gostore: already running, pid $pid_before" <<<"$again" || fail "second start: $again"
query --server "unix:$GOPROBE_RUN/goqueryd.sock" >"$WORK/again.csv"
cmp -s "$WORK/unix.csv" "$WORK/again.csv" || fail "a second replay changed the stored data"
echo "ok: a second start keeps the services and a second replay stores nothing new"

# Output is kept before grep: grep -q would close the pipe early, and
# pipefail would report the writer's SIGPIPE.
out=$("$CTL" logs gostore) || fail "logs gostore: $out"
grep -q "goprobectl start" <<<"$out" || fail "logs gostore shows no start: $out"
out=$("$CTL" restart goqueryd 2>&1) || fail "restart goqueryd: $out"
grep -q "goqueryd: running" <<<"$out" || fail "restart goqueryd: $out"
out=$("$CTL" status goqueryd) || fail "status goqueryd after restart: $out"
grep -q "SERVING" <<<"$out" || fail "goqueryd not serving after restart: $out"

"$CTL" stop
rc=0
final=$("$CTL" status) || rc=$?
[[ $rc -eq 3 ]] || fail "status after stop exited $rc, want 3: $final"
[[ $(grep -c "not running" <<<"$final") -eq 3 ]] || fail "status after stop: $final"
[[ ! -e "$GOPROBE_RUN/gostore.pid" ]] || fail "gostore.pid left behind"
if "$CTL" frobnicate 2>/dev/null; then fail "an unknown command succeeded"; fi
echo PASS
