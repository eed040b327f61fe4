#!/usr/bin/env bash
# tools/goprobectl in live mode, as the quick start runs it on a machine where
# it may capture: inside a network namespace made by this test, with traffic
# from a second namespace over a veth pair. start brings up all three services
# (goprobe's API healthy), reload re-reads the configuration, a restart of
# goprobe writes the captured window, and goquery finds the test's flows.
#
# Needs root (network namespaces); runs outside Bazel's sandbox (tag
# "local"). No packet leaves the test's namespaces.
#
#   goprobectl_live_test.sh GOPROBECTL
set -euo pipefail
CTL=$(readlink -f "$1")
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root to create network namespaces"

ID=$$
NS=gpctl$ID
NS_PEER=gpctlp$ID
# Unix socket paths must stay short: not under TEST_TMPDIR.
WORK=$(mktemp -d /tmp/gpctllive.XXXXXX)
export GOPROBE_DATA=$WORK/data GOPROBE_RUN=$WORK/run GOPROBE_CAPTURE=auto GOPROBE_QUERY_TCP=""
export GOPROBE_BIN=$TEST_SRCDIR/$TEST_WORKSPACE
ctl() { ip netns exec "$NS" "$CTL" "$@"; }
cleanup() {
  ctl stop >/dev/null 2>&1 || true
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$NS_PEER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ip netns add "$NS_PEER"
ip link add "gpc$ID" type veth peer name "gpp$ID"
ip link set "gpc$ID" netns "$NS"
ip link set "gpp$ID" netns "$NS_PEER"
for n in "$NS" "$NS_PEER"; do
  ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS" addr add 10.78.0.1/24 dev "gpc$ID"
ip -n "$NS" link set "gpc$ID" up
ip -n "$NS_PEER" addr add 10.78.0.2/24 dev "gpp$ID"
ip -n "$NS_PEER" link set "gpp$ID" up
send() {  # datagrams from the peer, so that the interface has traffic
  for _ in $(seq "$1"); do
    ip netns exec "$NS_PEER" bash -c 'echo datagram >/dev/udp/10.78.0.1/5353' 2>/dev/null || true
    sleep 0.05
  done
}

# auto must find the busy interface itself: traffic flows while it looks.
send 60 &
sender=$!
out=$(ctl start 2>&1) || fail "start: $out"
wait "$sender"
echo "$out"
grep -q "capturing live on gpc$ID" <<<"$out" || fail "auto did not choose live capture on gpc$ID"
status=$(ctl status) || fail "status: $status"
echo "$status"
[[ $(grep -c ": SERVING" <<<"$status") -eq 3 ]] || fail "not all three SERVING: $status"

# Output is kept before grep: grep -q would close the pipe early, and
# pipefail would report the writer's SIGPIPE.
out=$(ctl reload) || fail "reload: $out"
grep -q "reloading" <<<"$out" || fail "reload: $out"
for _ in $(seq 50); do
  grep -q "reloading" "$GOPROBE_DATA/log/goprobe.log" && break
  sleep 0.1
done
grep -q "reloading" "$GOPROBE_DATA/log/goprobe.log" || fail "goprobe did not log the reload"

send 20
sleep 0.5
out=$(ctl restart goprobe 2>&1) || fail "restart goprobe: $out"
grep -q "goprobe: running" <<<"$out" || fail "restart goprobe: $out"
grep -Eq "[1-9][0-9]* blocks written, 0 lost" "$GOPROBE_DATA/log/goprobe.log" ||
  fail "no block written at the restart: $(cat "$GOPROBE_DATA/log/goprobe.log")"

now=$(date +%s)
rows=$("$GOPROBE_BIN/clients/goquery/goquery" --server "unix:$GOPROBE_RUN/goqueryd.sock" \
  -i "gpc$ID" -f $((now - 3600)) -l $((now + 3600)) -e csv -n 0 sip,dip,dport,proto)
echo "$rows"
grep -q "^10.78.0.2,10.78.0.1,5353,UDP," <<<"$rows" || fail "the test's datagrams are not in the goDB"
ctl stop
echo PASS
