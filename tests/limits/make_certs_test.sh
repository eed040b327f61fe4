#!/usr/bin/env bash
# tools/make-certs.sh as docs/SECURITY.md tells an operator to use it: a CA,
# a server certificate that gostore accepts and serves TLS with (checked by
# a TLS handshake that verifies the chain and the name), a client
# certificate that chains to the CA, keys owner-only, nothing overwritten.
#
#   make_certs_test.sh MAKE_CERTS GOSTORE
set -euo pipefail
MAKE_CERTS=$(readlink -f "$1")
GOSTORE=$(readlink -f "$2")
WORK=$(mktemp -d /tmp/gpcerts.XXXXXX)
STORE_PID=""
cleanup() {
  [[ -n "$STORE_PID" ]] && kill -KILL "$STORE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

C="$WORK/tls"
"$MAKE_CERTS" "$C" ca
"$MAKE_CERTS" "$C" server gostore.test 127.0.0.1
"$MAKE_CERTS" "$C" client probe-1
for key in ca gostore.test probe-1; do
  [[ $(stat -c %a "$C/$key.key") == 600 ]] || fail "$key.key is not mode 600"
done
openssl verify -CAfile "$C/ca.pem" "$C/gostore.test.pem" "$C/probe-1.pem"
openssl x509 -in "$C/probe-1.pem" -noout -ext extendedKeyUsage | grep -q "Client Authentication" ||
  fail "probe-1.pem is not a client certificate"
if "$MAKE_CERTS" "$C" server gostore.test 2>"$WORK/err"; then fail "overwrote a certificate"; fi
grep -q "exists" "$WORK/err" || fail "no reason given for refusing to overwrite: $(cat "$WORK/err")"

head -c 24 /dev/urandom | base64 >"$WORK/keys"
chmod 600 "$WORK/keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ARGS=(--db "$WORK/db" --listen "127.0.0.1:$PORT" --host-id 7 --api-key-file "$WORK/keys"
      --tls-cert "$C/gostore.test.pem" --tls-key "$C/gostore.test.key" --tls-client-ca "$C/ca.pem")
"$GOSTORE" "${ARGS[@]}" --check-config
"$GOSTORE" "${ARGS[@]}" >"$WORK/gostore.log" 2>&1 &
STORE_PID=$!
for _ in $(seq 100); do
  grep -q "serving" "$WORK/gostore.log" && break
  sleep 0.1
done
grep -q "TLS, client certificates required" "$WORK/gostore.log" || fail "$(cat "$WORK/gostore.log")"

# The handshake verifies the server's chain and name, and offers the client
# certificate the store requires.
out=$(openssl s_client -connect "127.0.0.1:$PORT" -alpn h2 -CAfile "$C/ca.pem" \
        -verify_return_error -verify_hostname gostore.test \
        -cert "$C/probe-1.pem" -key "$C/probe-1.key" </dev/null 2>&1 | tr -d '\0') ||
  fail "TLS handshake failed: $out"
grep -q "Verify return code: 0 (ok)" <<<"$out" || fail "not verified: $out"
# A name the certificate does not carry is refused.
if openssl s_client -connect "127.0.0.1:$PORT" -alpn h2 -CAfile "$C/ca.pem" \
     -verify_return_error -verify_hostname other.test </dev/null >/dev/null 2>&1; then
  fail "a wrong name was accepted"
fi
echo "ok"
