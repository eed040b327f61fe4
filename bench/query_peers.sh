#!/usr/bin/env bash
# Issue 5's query benchmark: goquery (the in-process engine, goquery -d)
# beside nfdump 1.7 and DuckDB (npm @duckdb/node-api) over the same
# synthetic flows (bench/flow_generator.h), in one run on one machine.
#
# Data, made once and kept in DATA (default ~/.cache/goprobe-cpp/qbench):
#   godb/      //bench:gen_godb: DAYS days of 288 blocks, interface eth0
#   parquet/   the same rows, one Parquet file per day, written by DuckDB from
#              `gen_flows --numeric-addresses` (addresses as two UBIGINT
#              halves, the fixed-width layout DuckDB groups fastest)
#   nfdump/    the same rows sent by //bench:netflow_export to nfcapd on
#              127.0.0.1 as bidirectional NetFlow v9 records, one per row,
#              with only goProbe's information (--direction bidi
#              --fidelity minimal: the fewest, smallest records, nfdump's
#              most favourable case); nfcapd's totals must equal what was sent
# Queries, top 10 by bytes received + sent:
#   talkers   goquery sip,dip       nfdump -A srcip,dstip   GROUP BY sip, dip
#   apps      goquery dport,proto   nfdump -A dstport,proto GROUP BY dport, proto
#   cond443   talkers with `dport = 443 and snet = 10.0.0.0/8` (nfdump:
#             'dst port 443 and src net 10.0.0.0/8')
#   anyip     nfdump -s ip/bytes and its DuckDB equivalent (sip and dip
#             counted alike); goquery has no such query
# nfdump orders -A aggregations by in + out bytes for bidirectional records,
# as goquery and the DuckDB queries do. Each tool runs each query REPEAT
# times, page cache warm (one untimed run first, unless --no-warm-up says
# the data was just read); the fastest run's wall
# time is reported with its CPU time (user + sys from /usr/bin/time). The
# top 10 rows (keys and all four counters) must be equal across the tools,
# or the run fails.
#
# Usage: bench/query_peers.sh [--data DIR] [--days N] [--repeat N] [--no-warm-up]
#                             [--threads N] [--queries "talkers apps cond443 anyip"]
#                             [--tools "goquery duckdb nfdump"] [--server] [--no-build]
# --server also times goquery --server against a goqueryd leaf over godb/.
# --no-build takes the binaries already in bazel-out/k8-opt (when Bazel's
# server is busy with other work).
# Needs: nfdump/nfcapd (Debian nfdump), node with @duckdb/node-api installed
# in $DUCKDB_NPM_DIR (default ~/.cache/goprobe-cpp/npm; `npm install
# @duckdb/node-api` there), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

data=${HOME}/.cache/goprobe-cpp/qbench
days=18
repeat=3
warm=1
threads=$(nproc)
queries="talkers apps cond443 anyip"
tools="goquery duckdb nfdump"
server=0
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --no-warm-up) warm=0; shift ;;
    --threads) threads=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --server) server=1; shift ;;
    --no-build) build=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
npm_dir=${DUCKDB_NPM_DIR:-${HOME}/.cache/goprobe-cpp/npm}
export NODE_PATH=$npm_dir/node_modules
for tool in nfcapd nfdump node ss /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done
[[ -d $NODE_PATH/@duckdb/node-api ]] ||
  { echo "no @duckdb/node-api in $npm_dir: (cd $npm_dir && npm install @duckdb/node-api)" >&2; exit 1; }

start=1705276800  # bench/flow_generator.h kDefaultDayStart, 2024-01-15
blocks=$((days * 288))
last=$((start + (blocks - 1) * 300))

targets=(//bench:gen_godb //bench:gen_flows //bench:netflow_export //clients/goquery:goquery)
[[ $server == 1 ]] && targets+=(//services/query:goqueryd)
if [[ $build == 1 ]]; then bazel build --config=opt "${targets[@]}" >&2; fi
bin=$(mktemp -d)
nfcapd_pid=""
goqueryd_pid=""
cleanup() {
  for p in $nfcapd_pid $goqueryd_pid; do
    if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$bin"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Copies, so that other builds replacing bazel-out cannot change them mid-run.
for t in "${targets[@]}"; do
  t=${t#//}
  cp "bazel-out/k8-opt/bin/${t%%:*}/${t##*:}" "$bin/"
done
duckdb_js=$repo/bench/duckdb_flows.js
mkdir -p "$data"

# --- data ---------------------------------------------------------------------
if [[ ! -f $data/godb.done ]]; then
  rm -rf "$data/godb"
  echo "writing $blocks blocks to $data/godb" >&2
  "$bin/gen_godb" --db "$data/godb" --blocks "$blocks" --start "$start" >"$data/godb.rows"
  touch "$data/godb.done"
fi
if [[ ! -f $data/parquet.done ]]; then
  rm -rf "$data/parquet"
  mkdir -p "$data/parquet"
  for ((d = 0; d < days; ++d)); do
    echo "parquet day $((d + 1))/$days" >&2
    "$bin/gen_flows" --start $((start + d * 86400)) --blocks 288 --numeric-addresses |
      node "$duckdb_js" load /dev/stdin "$data/parquet/day$(printf %02d "$d").parquet"
  done
  touch "$data/parquet.done"
fi

source bench/nfcapd_helpers.sh

if [[ ! -f $data/nfdump.done ]]; then
  rm -rf "$data/nfdump"
  mkdir -p "$data/nfdump"
  # nfcapd's 32 MiB socket buffer (-B) is capped by net.core.rmem_max; with
  # less, bursts while the machine is busy drop datagrams and the check below
  # fails.
  if (($(sysctl -n net.core.rmem_max) < 33554432)); then
    echo "net.core.rmem_max is below 32 MiB: sysctl -w net.core.rmem_max=33554432" >&2
    exit 1
  fi
  port=$(free_udp_port)
  # -t: a new file every hour of receiving, so nfdump -R reads many files
  # as it would over days of real collection.
  nfcapd -b 127.0.0.1 -p "$port" -w "$data/nfdump" -y -t 3600 -B 33554432 >"$data/nfcapd.log" 2>&1 &
  nfcapd_pid=$!
  for _ in $(seq 50); do
    [[ -n "$(ss -Hlun "sport = :$port")" ]] && break
    sleep 0.1
  done
  echo "sending $blocks blocks to nfcapd" >&2
  sent=$("$bin/netflow_export" --port "$port" --blocks "$blocks" --start "$start" \
    --direction bidi --fidelity minimal --rate 300000)
  sleep 3
  kill -TERM "$nfcapd_pid"
  wait "$nfcapd_pid" || true
  nfcapd_pid=""
  got=$(grep "Ident:" "$data/nfcapd.log" | tail -1)
  if [[ "$(field Flows "$got")" != "$(field records "$sent")" ||
        "$(field Packets "$got")" != "$(field packets "$sent")" ||
        "$(field Bytes "$got")" != "$(field bytes "$sent")" || "$(field "Sequence Errors" "$got")" != 0 ]]; then
    echo "nfcapd did not store exactly what was sent" >&2
    echo "  sent:   $sent" >&2
    echo "  nfcapd: $got" >&2
    exit 1
  fi
  echo "$sent" >"$data/nfdump.sent"
  touch "$data/nfdump.done"
fi

rows=$(grep -oE '[0-9]+' "$data/godb.rows")

# --- queries --------------------------------------------------------------------
if [[ $server == 1 ]]; then
  sock="$bin/goqueryd.sock"
  "$bin/goqueryd" --db "$data/godb" --listen "unix:$sock" >"$bin/goqueryd.log" 2>&1 &
  goqueryd_pid=$!
  for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
  tools="$tools goqueryd"
fi

proto_number() {  # goquery prints protocol names
  awk -F, 'BEGIN { split("ICMP 1 TCP 6 UDP 17 GRE 47 ESP 50 IGMP 2 ICMPv6 58", a, " ");
                   for (i = 1; i < 14; i += 2) n[a[i]] = a[i + 1] }
           { if ($2 in n) $2 = n[$2]; print }' OFS=,
}

# Prints the command line for tool $1, query $2; empty if the tool lacks it.
command_for() {
  local g=("$bin/goquery" -d "$data/godb" -i eth0 -f "$start" -l "$last" -n 10 -e csv)
  [[ $1 == goqueryd ]] && g=("$bin/goquery" --server "unix:$sock" -i eth0 -f "$start" -l "$last" -n 10 -e csv)
  local nf=(nfdump -R "$data/nfdump" -N -6 -q -n 10 -O bytes)
  local fmt='fmt:%sa,%da,%obyt,%ibyt,%opkt,%ipkt'
  case "$1/$2" in
    goquery*/talkers) echo "${g[*]} sip,dip" ;;
    goquery*/apps) echo "${g[*]} dport,proto" ;;
    goquery*/cond443) echo "${g[*]} -c 'dport = 443 and snet = 10.0.0.0/8' sip,dip" ;;
    duckdb/*) echo "node $duckdb_js query $data/parquet $2 $threads" ;;
    nfdump/talkers) echo "${nf[*]} -A srcip,dstip -o '$fmt'" ;;
    nfdump/apps) echo "${nf[*]} -A dstport,proto -o 'fmt:%dp,%pr,%obyt,%ibyt,%opkt,%ipkt'" ;;
    nfdump/cond443) echo "${nf[*]} -A srcip,dstip -o '$fmt' 'dst port 443 and src net 10.0.0.0/8'" ;;
    nfdump/anyip) echo "nfdump -R $data/nfdump -N -6 -q -n 10 -s ip/bytes" ;;
  esac
}

# Normalises tool $1's output of query $2 on stdin to
# key,key,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent (anyip: ip,bytes).
normalise() {
  case "$1/$2" in
    goquery*/anyip) ;;
    goquery*) tail -n +2 | awk -F, '{ print $1 "," $2 "," $5 "," $6 "," $3 "," $4 }' OFS=, | proto_number ;;
    duckdb/*) grep -v '^#' ;;
    nfdump/anyip) awk '/ any / { for (i = 1; i <= NF; ++i) if ($i == "any") { ip = $(i + 1) }
                         for (i = 1; i <= NF; ++i) if ($i ~ /^[0-9]+\(/) last = $i
                         sub(/\(.*/, "", last); print ip "," last }' ;;
    nfdump/*) tr -d ' ' | grep -v '^$' ;;
  esac
}

# CPU seconds goqueryd has used so far (0 without it): a query through it
# costs the client's CPU plus the server's.
server_cpu() {
  if [[ -z $goqueryd_pid ]]; then
    echo 0
    return
  fi
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$goqueryd_pid/stat"
}

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "# $rows rows, $days days; goquery threads: all cores; duckdb threads $threads;" \
  "nfdump $(nfdump -V 2>&1 | sed 's/.*Version: *//'); duckdb $(node "$duckdb_js" version)"
printf '%-8s %-9s %9s %9s %12s %14s %s\n' query tool seconds cpu_s rows/s rows/s/core check
fail=0
for q in $queries; do
  ref=""
  for tool in $tools; do
    cmd=$(command_for "$tool" "$q")
    [[ -z $cmd ]] && continue
    if [[ $warm == 1 ]]; then bash -c "$cmd" >/dev/null 2>&1 || true; fi  # warm the page cache
    best=""
    for ((r = 0; r < repeat; ++r)); do
      server_before=$(server_cpu)
      out=$(/usr/bin/time -f '@time %e %U %S' bash -c "$cmd" 2>"$bin/err") ||
        { echo "$tool $q failed: $(cat "$bin/err")" >&2; exit 1; }
      server_used=$(awk -v a="$server_before" -v b="$(server_cpu)" 'BEGIN { print b - a }')
      [[ $tool == goqueryd ]] || server_used=0
      t=$(grep '^@time' "$bin/err" | tail -1)
      wall=$(awk '{ print $2 }' <<<"$t")
      cpu=$(awk -v s="$server_used" '{ print $3 + $4 + s }' <<<"$t")
      if [[ -z $best ]] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
        best="$wall $cpu"
        result=$(normalise "$tool" "$q" <<<"$out")
      fi
    done
    wall=${best%% *}
    cpu=${best##* }
    if [[ -z $ref ]]; then
      ref=$result
      check=reference
    elif [[ $result == "$ref" ]]; then
      check=equal
    else
      check=DIFFERENT
      fail=1
      diff <(echo "$ref") <(echo "$result") >&2 || true
    fi
    awk -v q="$q" -v tool="$tool" -v w="$wall" -v c="$cpu" -v n="$rows" -v ch="$check" \
      'BEGIN { printf "%-8s %-9s %9.2f %9.2f %12.3g %14.3g %s\n", q, tool, w, c, n / w, n / c, ch }'
    echo "$result" >"$data/result.$q.$tool"
  done
done
exit $fail
