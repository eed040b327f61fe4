#!/usr/bin/env bash
# Offline flow aggregation on one capture file, in one run: goprobe's
# aggregation (bench/probe_bench, which also times a bare libpcap read loop,
# the ceiling) beside nfpcapd, softflowd and pmacctd. The file is read into
# the page cache first; every tool is pinned to one core (taskset -c 0) and
# timed wall-clock, best of REPEAT runs; rates are packets per second.
#
#   bench/probe_peers.sh FILE [REPEAT]
#
# A test capture: python3 tests/golden/... or the shared generator, e.g.
#   gen_flows_pcap.py -o big.pcap -n 2000000 -k 200000 --snaplen 128
# softflowd exports to 127.0.0.1:9 (discard) and nothing leaves the host.
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=$(readlink -f "$1")
REPEAT=${2:-3}
for tool in nfpcapd softflowd pmacctd capinfos taskset; do
  command -v "$tool" >/dev/null || { echo "probe_peers: $tool missing (tools/install_deps.sh)" >&2; exit 1; }
done
PACKETS=$(capinfos -Mc "$FILE" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
cat "$FILE" >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

bazel build --config=opt //bench:probe_bench >/dev/null 2>&1
cp "$(bazel info --config=opt bazel-bin 2>/dev/null)/bench/probe_bench" "$WORK/probe_bench"
echo "== $FILE: $PACKETS packets, best of $REPEAT"
taskset -c 0 "$WORK/probe_bench" --pcap "$FILE" --repeat "$REPEAT"

best() {  # best wall seconds of REPEAT runs of "$@"
  local b=""
  for _ in $(seq "$REPEAT"); do
    local s e t
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [[ -z "$b" ]] || (( $(echo "$t < $b" | bc -l) )); then b=$t; fi
  done
  echo "$b"
}
report() {
  printf '%-10s %12s packets  best %8.3f s  %12.0f packets/s\n' "$1" "$PACKETS" "$2" \
    "$(echo "$PACKETS / $2" | bc -l)"
}

run_nfpcapd() { rm -rf "$WORK/nf"; mkdir -p "$WORK/nf"; taskset -c 0 nfpcapd -r "$FILE" -l "$WORK/nf"; }
report nfpcapd "$(best run_nfpcapd)"
report softflowd "$(best taskset -c 0 softflowd -r "$FILE" -n 127.0.0.1:9)"
cat >"$WORK/pmacctd.conf" <<PMACCT
daemonize: false
pcap_savefile: $FILE
pcap_savefile_wait: false
aggregate: src_host, dst_host, dst_port, proto
plugins: print
print_output_file: $WORK/pmacct.txt
print_refresh_time: 3600
# Large buffers between pmacctd's core and its plugin: with the defaults the
# core sleeps 1 ms whenever the plugin lags and takes ten times longer.
plugin_pipe_size: 204800000
plugin_buffer_size: 1024000
PMACCT
report pmacctd "$(best taskset -c 0 pmacctd -f "$WORK/pmacctd.conf")"
