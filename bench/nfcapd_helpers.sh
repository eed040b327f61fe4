# Shell functions the nfdump benchmarks share; source it.

# Prints a UDP port nothing listens on (for nfcapd on 127.0.0.1).
free_udp_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if [[ -z "$(ss -Hlun "sport = :$p")" ]]; then echo "$p"; return 0; fi
  done
  echo "no free UDP port found" >&2
  return 1
}

# The first number labelled "$1=" or "$1:" in "$2" (netflow_export's and
# nfcapd's totals lines).
field() { grep -oE "$1[=:] *[0-9]+" <<<"$2" | head -1 | grep -oE '[0-9]+$'; }
