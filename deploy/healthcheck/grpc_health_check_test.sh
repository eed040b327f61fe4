#!/usr/bin/env bash
# grpc_health_check against a real gostore: SERVING for the server (service
# ""; gRPC's default health service knows no other name), "unknown service"
# for any other name, usage errors, and no answer once it is gone.
#
#   grpc_health_check_test.sh GRPC_HEALTH_CHECK GOSTORE
set -euo pipefail
CHECK=$(readlink -f "$1")
GOSTORE=$(readlink -f "$2")
# Unix socket paths must stay short: not under TEST_TMPDIR.
WORK=$(mktemp -d /tmp/gphealth.XXXXXX)
STORE_PID=""
cleanup() {
  [[ -n "$STORE_PID" ]] && kill -KILL "$STORE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

expect() {  # expect STATUS OUTPUT-PATTERN ARGS...
  local want=$1 pattern=$2 got=0 out
  shift 2
  out=$("$CHECK" "$@" 2>&1) || got=$?
  [[ $got -eq $want ]] || fail "grpc_health_check $*: exit $got, want $want: $out"
  grep -q -- "$pattern" <<<"$out" || fail "grpc_health_check $*: '$out' lacks '$pattern'"
  echo "ok: grpc_health_check $* -> $got: $out"
}

SOCK="$WORK/s.sock"
"$GOSTORE" --db "$WORK/db" --listen "unix:$SOCK" --machine-id-file /dev/null --host-id 7 \
  --hostname health-test >"$WORK/gostore.log" 2>&1 &
STORE_PID=$!
expect 0 "SERVING" --timeout 20 "unix:$SOCK"
expect 1 "unknown service" --service no.such.Service "unix:$SOCK"
expect 64 "" --tls "unix:$SOCK"
expect 64 "longer than 107" "unix:/$(printf 'x%.0s' {1..120})"
kill -TERM "$STORE_PID"
wait "$STORE_PID" || fail "gostore exited with $?: $(cat "$WORK/gostore.log")"
STORE_PID=""
expect 2 "no answer" --timeout 0.5 "unix:$SOCK"
echo PASS
