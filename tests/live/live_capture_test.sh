#!/usr/bin/env bash
# Live capture end to end: a veth pair between two network namespaces made
# for this test, goprobe capturing one end (from a YAML configuration, as a
# daemon), public captures replayed into the other end with tcpreplay at a
# modest rate, goprobe stopped with SIGTERM (final block). What the live goDB
# holds must equal what goprobe's offline mode stores from the same files:
# every flow's packets and bytes, the packets received, none dropped. A
# SIGHUP after each file reloads the unchanged configuration on the way.
#
# Sent/received are not compared: live, every replayed frame arrives from a
# foreign address (received), while offline the client rule applies.
#
# Needs root (network namespaces), iproute2 and tcpreplay; runs outside
# Bazel's sandbox (tag "local"). No packet leaves the test's namespaces.
#
#   live_capture_test.sh GOPROBE GODB_FLOWS CAPTURE...
set -euo pipefail
GOPROBE=$(readlink -f "$1")
GODB_FLOWS=$(readlink -f "$2")
shift 2
PCAPS=()
for p in "$@"; do PCAPS+=("$(readlink -f "$p")"); done

fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root to create network namespaces"
for tool in ip tcpreplay; do
  command -v "$tool" >/dev/null || fail "$tool missing (tools/install_deps.sh)"
done

ID=$$
NS_CAP=gpcap$ID
NS_SEND=gpsend$ID
IF_CAP=gpc$ID
IF_SEND=gps$ID
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/live.XXXXXX")
PROBE_PID=""
cleanup() {
  [[ -n "$PROBE_PID" ]] && kill -KILL "$PROBE_PID" 2>/dev/null || true
  ip netns del "$NS_CAP" 2>/dev/null || true
  ip netns del "$NS_SEND" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS_CAP"
ip netns add "$NS_SEND"
ip link add "$IF_CAP" type veth peer name "$IF_SEND"
ip link set "$IF_CAP" netns "$NS_CAP"
ip link set "$IF_SEND" netns "$NS_SEND"
for ns in "$NS_CAP" "$NS_SEND"; do
  # No address and no IPv6: the kernel itself sends nothing on the link.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip netns exec "$NS_CAP" ip link set "$IF_CAP" mtu 9000 up
ip netns exec "$NS_SEND" ip link set "$IF_SEND" mtu 9000 up

cat >"$WORK/probe.yaml" <<YAML
db_path: $WORK/live
interfaces:
  $IF_CAP:
    promisc: true
    snaplen: 65535
    buf_size: 8388608
logging:
  destination: $WORK/probe.log
  level: debug
YAML
ip netns exec "$NS_CAP" "$GOPROBE" --config "$WORK/probe.yaml" &
PROBE_PID=$!
for _ in $(seq 100); do
  grep -q "interface $IF_CAP: capturing" "$WORK/probe.log" 2>/dev/null && break
  kill -0 "$PROBE_PID" 2>/dev/null || { cat "$WORK/probe.log" >&2 || true; fail "goprobe exited at start"; }
  sleep 0.1
done
grep -q "interface $IF_CAP: capturing" "$WORK/probe.log" || fail "goprobe did not start capturing"

for p in "${PCAPS[@]}"; do
  out=$(ip netns exec "$NS_SEND" tcpreplay -i "$IF_SEND" --pps 2000 "$p" 2>&1) || fail "tcpreplay $p: $out"
  grep -q "Failed packets: *0$" <<<"$out" || fail "tcpreplay could not send every packet of $p: $out"
  # A reload that changes nothing must not disturb the running capture.
  kill -HUP "$PROBE_PID"
done
sleep 0.5
grep -q "reloading" "$WORK/probe.log" || fail "SIGHUP did not reload: $(cat "$WORK/probe.log")"
if grep -q "interface $IF_CAP: stopped" "$WORK/probe.log"; then
  fail "an unchanged reload restarted the capture: $(cat "$WORK/probe.log")"
fi
sleep 1  # the capture ring hands over partly filled blocks after 100 ms
kill -TERM "$PROBE_PID"
wait "$PROBE_PID" || fail "goprobe exited with status $?: $(cat "$WORK/probe.log")"
PROBE_PID=""

offline_args=()
for p in "${PCAPS[@]}"; do offline_args+=(--pcap "$p"); done
"$GOPROBE" "${offline_args[@]}" --iface "$IF_CAP" --db "$WORK/offline" >"$WORK/offline.txt"
cat "$WORK/offline.txt"

"$GODB_FLOWS" "$WORK/live" "$IF_CAP" >"$WORK/live.flows"
"$GODB_FLOWS" "$WORK/offline" "$IF_CAP" >"$WORK/offline.flows"
echo "live:    $(grep -c '^flow' "$WORK/live.flows") flows, $(grep '^capture' "$WORK/live.flows")"
echo "offline: $(grep -c '^flow' "$WORK/offline.flows") flows, $(grep '^capture' "$WORK/offline.flows")"
read -r _ received dropped_kernel dropped_iface _ < <(grep '^capture' "$WORK/live.flows")
[[ "$dropped_kernel" == 0 && "$dropped_iface" == 0 ]] || fail "drops: kernel $dropped_kernel, interface $dropped_iface"
[[ "$received" -gt 0 ]] || fail "nothing captured"
if ! diff "$WORK/offline.flows" "$WORK/live.flows"; then
  fail "live capture differs from the offline result (< offline, > live)"
fi
echo "PASS: $received packets live equal the offline result, no drops"
