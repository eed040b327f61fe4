#!/bin/sh
# Makes a private CA and the certificates goProbe's services use for TLS,
# with Debian's openssl. See docs/SECURITY.md, "Certificates".
#
#   tools/make-certs.sh DIR ca
#       a CA: DIR/ca.pem (give it to every client and server that checks
#       certificates) and DIR/ca.key (keep it offline).
#   tools/make-certs.sh DIR server NAME [NAME|IP ...]
#       a server certificate for gostore or goqueryd (or goprobe's API),
#       valid for each DNS name or IP address given: DIR/NAME.pem, DIR/NAME.key.
#   tools/make-certs.sh DIR client NAME
#       a client certificate (a probe, a root goqueryd, goquery) for servers
#       that set tls.client_ca_file: DIR/NAME.pem, DIR/NAME.key.
#
# Keys are P-256, unencrypted (a daemon cannot prompt for a passphrase) and
# mode 0600. Certificates are valid for DAYS days (default 825; CA 3650).
# Existing files are never overwritten.
set -eu

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] || usage
dir=$1
kind=$2
shift 2
days=${DAYS:-825}
openssl=${OPENSSL:-openssl}
command -v "$openssl" >/dev/null 2>&1 ||
  { echo "make-certs: $openssl not found (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077

refuse_existing() {
  for f in "$@"; do
    if [ -e "$f" ]; then
      echo "make-certs: $f exists; remove it first to make a new one" >&2
      exit 1
    fi
  done
}

need_ca() {
  [ -f "$dir/ca.pem" ] && [ -f "$dir/ca.key" ] ||
    { echo "make-certs: no CA in $dir: run 'make-certs.sh $dir ca' first" >&2; exit 1; }
}

# Signs $1.csr with the CA into $1.pem using the extensions file $2.
sign() {
  "$openssl" x509 -req -in "$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days "$days" -extfile "$2" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$2"
  chmod 600 "$1.key"
  chmod 644 "$1.pem"
}

case "$kind" in
  ca)
    [ $# -eq 0 ] || usage
    refuse_existing "$dir/ca.pem" "$dir/ca.key"
    "$openssl" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -days "${DAYS:-3650}" -subj "/CN=goProbe CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    chmod 600 "$dir/ca.key"
    chmod 644 "$dir/ca.pem"
    echo "$dir/ca.pem (CA certificate), $dir/ca.key (keep offline)"
    ;;
  server)
    [ $# -ge 1 ] || usage
    need_ca
    name=$1
    base="$dir/$name"
    refuse_existing "$base.pem" "$base.key"
    san=""
    for n in "$@"; do
      case "$n" in
        *[!0-9.]*) case "$n" in *:*) entry="IP:$n" ;; *) entry="DNS:$n" ;; esac ;;
        *) entry="IP:$n" ;;
      esac
      san="${san:+$san,}$entry"
    done
    "$openssl" req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=$name" -keyout "$base.key" -out "$base.csr" 2>/dev/null
    ext="$base.ext"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' \
      "$san" >"$ext"
    sign "$base" "$ext"
    echo "$base.pem, $base.key (server: $san)"
    ;;
  client)
    [ $# -eq 1 ] || usage
    need_ca
    base="$dir/$1"
    refuse_existing "$base.pem" "$base.key"
    "$openssl" req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=$1" -keyout "$base.key" -out "$base.csr" 2>/dev/null
    ext="$base.ext"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$ext"
    sign "$base" "$ext"
    echo "$base.pem, $base.key (client $1)"
    ;;
  *) usage ;;
esac
