#!/usr/bin/env bash
# nfdump's on-disk size over the synthetic flows of bench/flow_generator.h:
# the peer figure beside goDB's bytes per flow row.
#
# For each variant, nfcapd (nfdump 1.7, LZ4 files: -y) listens on 127.0.0.1
# and //bench:netflow_export sends it the generated day as NetFlow v9; the
# run fails unless nfcapd's own totals (flows, packets, bytes) equal what was
# sent and it saw no sequence errors. Variants (see bench/netflow_export.cc):
#   uni/realistic   a record per direction, with ephemeral port, TCP flags,
#                   start/end times: what an exporter would produce
#   uni/minimal     a record per direction, only goProbe's information
#   bidi/realistic  one record per row, reverse counters in OUT_PKTS/BYTES
#   bidi/minimal    one record per row, only goProbe's information
# Prints, per variant, nfcapd's LZ4 file size, bytes per nfdump record and
# bytes per goProbe row (a row is one or two unidirectional records), and
# bytes per record of the same file decompressed with `nfdump -J 0`.
#
# Usage: bench/nfdump_size.sh [--blocks N] [--flows-per-block N] [--seed N]
#                             [--rate RECORDS_PER_SECOND] [--variants "uni/realistic ..."]
set -euo pipefail
cd "$(dirname "$0")/.."

blocks=288
flows_per_block=20000
seed=1
rate=600000
variants="uni/realistic uni/minimal bidi/realistic bidi/minimal"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --blocks) blocks=$2; shift 2 ;;
    --flows-per-block) flows_per_block=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

for tool in nfcapd nfdump ss; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian packages nfdump, iproute2)" >&2; exit 1; }
done

bazel build -c opt //bench:netflow_export >&2
exporter="$(bazel info -c opt bazel-bin 2>/dev/null)/bench/netflow_export"

work=$(mktemp -d)
nfcapd_pid=""
cleanup() {
  if [[ -n "$nfcapd_pid" ]] && kill -0 "$nfcapd_pid" 2>/dev/null; then
    kill -TERM "$nfcapd_pid" 2>/dev/null || true
    wait "$nfcapd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source bench/nfcapd_helpers.sh

# Sum of the sizes of nfcapd's data files in a directory.
files_size() { find "$1" -type f -name 'nfcapd.*' -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }


echo "nfdump $(nfcapd -V 2>&1 | sed -n 's/.*Version: *//p'), seed $seed, $blocks blocks, flows_per_block $flows_per_block"
printf '%-16s %10s %10s %14s %12s %12s %14s\n' variant rows records "lz4 bytes" "B/record" "B/row" "raw B/record"
for variant in $variants; do
  direction=${variant%/*}
  fidelity=${variant#*/}
  dir="$work/${direction}_$fidelity"
  mkdir -p "$dir"
  port=$(free_udp_port)
  nfcapd -b 127.0.0.1 -p "$port" -w "$dir" -y -t 86400 -B 4194304 >"$dir.log" 2>&1 &
  nfcapd_pid=$!
  for _ in $(seq 50); do
    [[ -n "$(ss -Hlun "sport = :$port")" ]] && break
    sleep 0.1
  done

  sent=$("$exporter" --port "$port" --seed "$seed" --blocks "$blocks" \
    --flows-per-block "$flows_per_block" --direction "$direction" --fidelity "$fidelity" --rate "$rate")
  sleep 2  # nfcapd drains its socket buffer
  kill -TERM "$nfcapd_pid"
  wait "$nfcapd_pid" || true
  nfcapd_pid=""

  got=$(grep "Ident:" "$dir.log" | tail -1)
  rows=$(field rows "$sent")
  records=$(field records "$sent")
  if [[ "$(field Flows "$got")" != "$records" || "$(field Packets "$got")" != "$(field packets "$sent")" ||
        "$(field Bytes "$got")" != "$(field bytes "$sent")" || "$(field "Sequence Errors" "$got")" != 0 ]]; then
    echo "$variant: nfcapd did not store exactly what was sent (lower --rate?)" >&2
    echo "  sent:   $sent" >&2
    echo "  nfcapd: $got" >&2
    exit 1
  fi

  lz4_bytes=$(files_size "$dir")
  for f in "$dir"/nfcapd.*; do nfdump -J 0 -r "$f" >/dev/null; done
  raw_bytes=$(files_size "$dir")
  rm -rf "$dir"
  awk -v v="$variant" -v rows="$rows" -v rec="$records" -v lz="$lz4_bytes" -v raw="$raw_bytes" \
    'BEGIN { printf "%-16s %10d %10d %14d %12.2f %12.2f %14.2f\n", v, rows, rec, lz, lz / rec, lz / rows, raw / rec }'
done
