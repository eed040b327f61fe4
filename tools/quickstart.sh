#!/usr/bin/env bash
# The README's first quick-start command: installs what is missing, builds the
# optimised binaries, starts gostore, a goqueryd leaf and goprobe on this host
# with tools/goprobectl, and prints goquery's top talkers.
#
# goprobe captures live when it may (root or CAP_NET_RAW, and an interface
# that receives traffic); otherwise it replays the bundled public capture
# through the same path, goprobe -> spool -> gostore -> goDB. The services
# keep running afterwards: `tools/goprobectl status | logs | stop`.
#
# Settings: those of tools/goprobectl (GOPROBE_DATA, GOPROBE_CAPTURE, ...);
# QUICKSTART_CAPTURE_SECONDS: how long a live capture runs before its first
# block is written (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
echo "== building (the first build on a fresh machine takes a few minutes)" >&2
targets=(//services/probe:goprobe //services/store:gostore //services/query:goqueryd
         //clients/goquery:goquery //clients/goconvert:goconvert
         //deploy/healthcheck:grpc_health_check)
bazel build --config=opt "${targets[@]}"
export GOPROBE_BIN
GOPROBE_BIN=$(bazel info --config=opt bazel-bin 2>/dev/null)

# Restart, so that services left by an earlier run use the binaries just built.
echo "== tools/goprobectl restart" >&2
tools/goprobectl restart
tools/goprobectl status

eval "$(tools/goprobectl env | grep '^GOQUERY_SERVER=')"
goquery=("$GOPROBE_BIN/clients/goquery/goquery" --server "$GOQUERY_SERVER")
if tools/goprobectl status goprobe | grep -q "capturing"; then
  # Live blocks are written at five-minute boundaries of the clock, and when
  # goprobe stops: a restart writes what was captured so far.
  seconds=${QUICKSTART_CAPTURE_SECONDS:-15}
  echo "== capturing for $seconds s, then restarting goprobe to write the first block" >&2
  sleep "$seconds"
  tools/goprobectl restart goprobe
  first=-1h
else
  first=0  # the bundled capture is from the past
fi

echo "== goquery --server $GOQUERY_SERVER list" >&2
"${goquery[@]}" list -f "$first"
echo "== goquery --server $GOQUERY_SERVER -f $first -n 10 sip,dip (top talkers)" >&2
"${goquery[@]}" -f "$first" -n 10 sip,dip
cat >&2 <<EOF
== the services keep running:
   tools/goprobectl status | logs [-f] | stop      (data: $(tools/goprobectl env | sed -n 's/^GOPROBE_DATA=//p'))
   $GOPROBE_BIN/clients/goquery/goquery --server $GOQUERY_SERVER -f $first -c 'dport = 443' talk_conv
EOF
