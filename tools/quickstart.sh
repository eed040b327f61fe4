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
rm -rf "$data/db"
mkdir -p "$data"
echo "== goprobe: $capture -> $data/db" >&2
"$bin/services/probe/goprobe" --pcap "$capture" --iface eth0 --db "$data/db"
echo "== goquery list" >&2
"$bin/clients/goquery/goquery" -d "$data/db" list
