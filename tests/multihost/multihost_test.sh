#!/usr/bin/env bash
# Three hosts and a root, as the Kubernetes DaemonSet deploys them: each host
# is a network namespace made by this test, running goprobe (live capture on
# its own interface) -> gostore (unix socket) -> goqueryd leaf (TCP on the
# host's address); the hosts share one bridge in a fourth namespace, where a
# root goqueryd fans out over the three leaves.
#
# Traffic is made inside the namespaces: TCP connections between the hosts
# (to the leaves' listeners and to closed ports) and UDP datagrams. Live
# goprobe writes blocks at five-minute boundaries of the clock and, on
# SIGTERM, the current window as a final block, shipped before it exits: the
# test stops the probes instead of waiting.
#
# Checks:
#   - every host captured something, and nothing stayed in a spool;
#   - the root's sip,dip top talkers equal the sum of what each leaf answers
#     alone, and its hostname,sip,dip rows are exactly the leaves' rows;
#   - with one host's services stopped, the root still answers: that host's
#     status is an error, the other two are ok and their rows are unchanged.
#
# Needs root (network namespaces) and iproute2; runs outside Bazel's sandbox
# (tag "local"). No packet leaves the test's namespaces, which are removed on
# every exit.
#
#   multihost_test.sh GOPROBE GOSTORE GOQUERYD GOQUERY
set -euo pipefail
GOPROBE=$(readlink -f "$1")
GOSTORE=$(readlink -f "$2")
GOQUERYD=$(readlink -f "$3")
GOQUERY=$(readlink -f "$4")

fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root to create network namespaces"
for tool in ip python3; do
  command -v "$tool" >/dev/null || fail "$tool missing (tools/install_deps.sh)"
done

ID=$$
HOSTS=(a b c)
declare -A NS ADDR HOST_ID
for i in 0 1 2; do
  h=${HOSTS[$i]}
  NS[$h]=gpmh$h$ID
  ADDR[$h]=10.77.0.$((i + 1))
  HOST_ID[$h]=$((101 + i))
done
NS_LAN=gpmhlan$ID
LEAF_PORT=8146
# Unix socket paths must stay short: not under TEST_TMPDIR.
WORK=$(mktemp -d /tmp/gpmh.XXXXXX)
declare -A PIDS=()  # "service host" -> pid

cleanup() {
  local k
  for k in "${!PIDS[@]}"; do kill -KILL "${PIDS[$k]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "${NS[@]}" "$NS_LAN"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

show_logs() {
  local f
  for f in "$WORK"/*/*.log "$WORK"/*.log; do
    [[ -f "$f" ]] && { echo "--- $f"; tail -n 20 "$f"; }
  done >&2
}
die() { show_logs; fail "$*"; }

# --- network: a bridge in the LAN namespace, one veth per host ---
ip netns add "$NS_LAN"
ip -n "$NS_LAN" link set lo up
ip -n "$NS_LAN" link add br0 type bridge
ip -n "$NS_LAN" addr add 10.77.0.254/24 dev br0
ip -n "$NS_LAN" link set br0 up
for h in "${HOSTS[@]}"; do
  ns=${NS[$h]}
  ip netns add "$ns"
  # No IPv6: the kernel's own neighbour discovery would only add noise.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  ip link add "gph$h$ID" type veth peer name "gpl$h$ID"
  ip link set "gph$h$ID" netns "$ns"
  ip link set "gpl$h$ID" netns "$NS_LAN"
  ip -n "$ns" link set "gph$h$ID" name eth0
  ip -n "$ns" addr add "${ADDR[$h]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$NS_LAN" link set "gpl$h$ID" master br0 up
done

# --- services on each host ---
wait_for() {  # wait_for WHAT COMMAND...: up to 15 s
  local what=$1
  shift
  for _ in $(seq 150); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what did not come up"
}

start() {  # start KEY NS LOG COMMAND...: in the background, inside NS
  local key=$1 ns=$2 log=$3
  shift 3
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  PIDS[$key]=$!
}

identity() { echo --host-id "${HOST_ID[$1]}" --hostname "host-$1" --machine-id-file /dev/null; }

for h in "${HOSTS[@]}"; do
  d=$WORK/$h
  mkdir -p "$d"
  # shellcheck disable=SC2046
  start "gostore $h" "${NS[$h]}" "$d/gostore.log" "$GOSTORE" --db "$d/db" \
    --listen "unix:$d/store.sock" --metrics-listen "" $(identity "$h")
  # shellcheck disable=SC2046
  start "goqueryd $h" "${NS[$h]}" "$d/goqueryd.log" "$GOQUERYD" --db "$d/db" \
    --listen "unix:$d/query.sock" --listen "${ADDR[$h]}:$LEAF_PORT" --metrics-listen "" \
    --insecure-no-auth $(identity "$h")
  cat >"$d/goprobe.yaml" <<YAML
store:
  addr: unix:$d/store.sock
  spool_dir: $d/spool
host_id: ${HOST_ID[$h]}
hostname: host-$h
interfaces:
  eth0: {}
logging:
  destination: $d/goprobe.log
  level: info
YAML
done
for h in "${HOSTS[@]}"; do
  wait_for "gostore on host-$h" test -S "$WORK/$h/store.sock"
  wait_for "goqueryd on host-$h" test -S "$WORK/$h/query.sock"
  start "goprobe $h" "${NS[$h]}" "$WORK/$h/goprobe.out" "$GOPROBE" --config "$WORK/$h/goprobe.yaml"
done
for h in "${HOSTS[@]}"; do
  wait_for "goprobe capturing on host-$h" grep -q "interface eth0: capturing" "$WORK/$h/goprobe.log"
done

# --- traffic between the hosts, from inside their namespaces ---
send_tcp() {  # send_tcp NS ADDR PORT: connect, write a line, close
  ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3 && echo hello >&3 && exec 3>&-" \
    2>/dev/null || true
}
send_udp() {  # send_udp NS ADDR PORT
  ip netns exec "$1" bash -c "echo datagram >/dev/udp/$2/$3" 2>/dev/null || true
}
for round in 1 2 3; do
  send_tcp "${NS[a]}" "${ADDR[b]}" "$LEAF_PORT"   # a -> b: a listening leaf
  send_tcp "${NS[b]}" "${ADDR[c]}" "$LEAF_PORT"   # b -> c
  send_tcp "${NS[c]}" "${ADDR[a]}" 9              # c -> a: closed port, RST
  for _ in $(seq "$round"); do
    send_udp "${NS[a]}" "${ADDR[c]}" 5353          # a -> c
    send_udp "${NS[b]}" "${ADDR[a]}" 514           # b -> a
  done
done
sleep 1  # the capture ring hands over partly filled buffers after 100 ms

# --- stop the probes: each writes its window as a final block and ships it ---
for h in "${HOSTS[@]}"; do kill -TERM "${PIDS[goprobe $h]}"; done
for h in "${HOSTS[@]}"; do
  rc=0
  wait "${PIDS[goprobe $h]}" || rc=$?
  unset "PIDS[goprobe $h]"
  [[ $rc -eq 0 ]] || die "goprobe on host-$h exited with status $rc"
  log=$WORK/$h/goprobe.log
  grep -Eq "[1-9][0-9]* blocks written, 0 lost" "$log" || die "host-$h: no block written: $(cat "$log")"
  if grep -Eq "[1-9][0-9]* batches left in the spool" "$log"; then die "host-$h: batches left in the spool"; fi
done

# --- the root, in the LAN namespace ---
peers=$(printf '%s:'"$LEAF_PORT"',' "${ADDR[a]}" "${ADDR[b]}" "${ADDR[c]}")
# shellcheck disable=SC2046
start "root" "$NS_LAN" "$WORK/root.log" "$GOQUERYD" --peers "${peers%,}" \
  --listen "unix:$WORK/root.sock" --metrics-listen "" --host-timeout 5 \
  --host-id 100 --hostname root --machine-id-file /dev/null
wait_for "root goqueryd" test -S "$WORK/root.sock"

# Blocks carry the stop time rounded up; the window asked for covers it.
now=$(date +%s)
window=(-f $((now - 3600)) -l $((now + 3600)))
query() {  # query SOCKET FORMAT ATTRIBUTES
  "$GOQUERY" --server "unix:$1" "${window[@]}" -n 0 -e "$2" "$3"
}
for h in "${HOSTS[@]}"; do
  query "$WORK/$h/query.sock" csv sip,dip >"$WORK/leaf-$h.csv" || die "leaf host-$h query failed"
  query "$WORK/$h/query.sock" csv hostname,sip,dip >"$WORK/leaf-$h-host.csv" ||
    die "leaf host-$h query failed"
  rows=$(($(wc -l <"$WORK/leaf-$h.csv") - 1))
  echo "host-$h alone: $rows sip,dip rows"
  [[ $rows -ge 2 ]] || die "host-$h captured too little: $(cat "$WORK/leaf-$h.csv")"
done
query "$WORK/root.sock" csv sip,dip >"$WORK/root.csv" || die "root query failed"
query "$WORK/root.sock" csv hostname,sip,dip >"$WORK/root-host.csv" || die "root query failed"
query "$WORK/root.sock" json sip,dip >"$WORK/root.json" || die "root query failed"

python3 - "$WORK" <<'PY' || die "the root differs from the union of the leaves"
import csv, json, sys, collections
work = sys.argv[1]

def rows(path, keys):
    with open(path) as f:
        return [r for r in csv.DictReader(f)]

counters = ("packets_rcvd", "packets_sent", "bytes_rcvd", "bytes_sent")
union = collections.Counter()
union_by_host = {}
for h in "abc":
    for r in rows(f"{work}/leaf-{h}.csv", None):
        for c in counters:
            union[(r["sip"], r["dip"], c)] += int(r[c])
    for r in rows(f"{work}/leaf-{h}-host.csv", None):
        key = (r["hostname"], r["sip"], r["dip"])
        assert key not in union_by_host, f"leaf host-{h} repeats {key}"
        union_by_host[key] = tuple(int(r[c]) for c in counters)
root = collections.Counter()
for r in rows(f"{work}/root.csv", None):
    for c in counters:
        root[(r["sip"], r["dip"], c)] += int(r[c])
root_by_host = {(r["hostname"], r["sip"], r["dip"]): tuple(int(r[c]) for c in counters)
                for r in rows(f"{work}/root-host.csv", None)}
ok = True
if root != union:
    ok = False
    for k in sorted(set(root) | set(union)):
        if root[k] != union[k]:
            print(f"sip,dip {k}: root {root[k]}, union of leaves {union[k]}", file=sys.stderr)
if root_by_host != union_by_host:
    ok = False
    for k in sorted(set(root_by_host) | set(union_by_host)):
        if root_by_host.get(k) != union_by_host.get(k):
            print(f"hostname,sip,dip {k}: root {root_by_host.get(k)}, leaves {union_by_host.get(k)}",
                  file=sys.stderr)
# Traffic between the hosts is seen by both ends: the sum counts it twice,
# and the root must too.
for a, b in (("10.77.0.1", "10.77.0.2"), ("10.77.0.2", "10.77.0.3")):
    seen = {h for (h, s, d) in union_by_host if (s, d) == (a, b)}
    if len(seen) < 2:
        ok = False
        print(f"{a} -> {b} seen only by {sorted(seen)}, want both ends", file=sys.stderr)
doc = json.load(open(f"{work}/root.json"))
codes = {h: s["code"] for h, s in doc["hosts_statuses"].items()}
if codes != {"host-a": "ok", "host-b": "ok", "host-c": "ok"}:
    ok = False
    print(f"root host statuses {codes}, want all three ok", file=sys.stderr)
print(f"root: {len({(s, d) for (s, d, _) in root})} sip,dip rows, "
      f"{len(root_by_host)} hostname,sip,dip rows; equal to the union of the leaves")
sys.exit(0 if ok else 1)
PY

# --- one host down: its status is an error, the query still succeeds ---
for svc in goqueryd gostore; do
  kill -TERM "${PIDS[$svc c]}"
  wait "${PIDS[$svc c]}" || true
  unset "PIDS[$svc c]"
done
query "$WORK/root.sock" json hostname,sip,dip >"$WORK/root-down.json" ||
  die "the root failed with host-c down: $(cat "$WORK/root-down.json")"
python3 - "$WORK" <<'PY' || die "host-c down is not reported as it should be"
import csv, json, sys
work = sys.argv[1]
doc = json.load(open(f"{work}/root-down.json"))
statuses = doc["hosts_statuses"]
codes = {h: s["code"] for h, s in statuses.items()}
print(f"with host-c down: {json.dumps(statuses)}")
errors = [h for h, c in codes.items() if c == "error"]
ok_hosts = sorted(h for h, c in codes.items() if c == "ok")
assert ok_hosts == ["host-a", "host-b"], f"ok hosts {ok_hosts}, want host-a and host-b"
assert len(errors) == 1, f"error statuses {errors}, want exactly one (host-c)"
assert "host-c" not in ok_hosts
# The rows are exactly the two live leaves' rows.
want = set()
for h in "ab":
    with open(f"{work}/leaf-{h}-host.csv") as f:
        want |= {(r["hostname"], r["sip"], r["dip"]) for r in csv.DictReader(f)}
got = {(r["labels"]["host"],
        r["attributes"]["sip"], r["attributes"]["dip"]) for r in doc["rows"]}
assert got == want, f"rows with host-c down: {sorted(got ^ want)} differ"
print(f"{len(got)} rows of host-a and host-b, host-c: {statuses[errors[0]]}")
PY
echo "PASS: root equals the union of three live hosts; a stopped host is an error status"
