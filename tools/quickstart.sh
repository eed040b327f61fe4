#!/usr/bin/env bash
# The README's first quick-start command: installs what is missing, builds the
# optimised binaries, captures the bundled public capture into a goDB under
# ./quickstart-data and lists what was stored.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
echo "== building (first build on a fresh machine takes a few minutes)" >&2
bazel build --config=opt //services/probe:goprobe //clients/goquery:goquery \
  //services/store:gostore //services/query:goqueryd //clients/goconvert:goconvert
bin=$(bazel info --config=opt bazel-bin 2>/dev/null)

data=${QUICKSTART_DATA:-$PWD/quickstart-data}
capture=tests/data/pcaps/goprobe__default.pcap.gz
rm -rf "$data"
mkdir -p "$data"
# Unix socket paths must stay short.
run=$(mktemp -d /tmp/goprobe-quickstart.XXXXXX)
store_pid="" query_pid=""
cleanup() {
  [[ -n "$store_pid" ]] && kill "$store_pid" 2>/dev/null
  [[ -n "$query_pid" ]] && kill "$query_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$run"
}
trap cleanup EXIT

wait_for() {  # a socket, or fail with the service's log
  for _ in $(seq 100); do [[ -S "$1" ]] && return 0; sleep 0.1; done
  echo "quickstart: $1 did not appear; log:" >&2
  cat "$2" >&2
  exit 1
}

echo "== gostore: writing goDB under $data/db (log: $data/gostore.log)" >&2
"$bin/services/store/gostore" --db "$data/db" --listen "unix:$run/gostore.sock" \
  >"$data/gostore.log" 2>&1 &
store_pid=$!
wait_for "$run/gostore.sock" "$data/gostore.log"

echo "== goqueryd: answering over $data/db (log: $data/goqueryd.log)" >&2
"$bin/services/query/goqueryd" --db "$data/db" --listen "unix:$run/goqueryd.sock" \
  >"$data/goqueryd.log" 2>&1 &
query_pid=$!
wait_for "$run/goqueryd.sock" "$data/goqueryd.log"

# Live capture needs root and an interface with traffic; the bundled public
# capture goes through the same path: goprobe -> spool -> gostore -> goDB.
echo "== goprobe: $capture -> gostore" >&2
"$bin/services/probe/goprobe" --pcap "$capture" --iface eth0 --store "unix:$run/gostore.sock" \
  --spool "$data/spool"

echo "== goquery --server goqueryd: interfaces" >&2
"$bin/clients/goquery/goquery" --server "unix:$run/goqueryd.sock" list -f 0
echo "== goquery --server goqueryd: top talkers" >&2
"$bin/clients/goquery/goquery" --server "unix:$run/goqueryd.sock" -i eth0 -f 0 -n 10 sip,dip
