#!/usr/bin/env bash
# Runs one libFuzzer target for a while over a corpus built from its seeds.
#
#   run_fuzzer.sh FUZZER SECONDS MAX_LEN DICT|- GENERATOR|- [GENERATOR_ARG...] -- [SEED...]
#
# The corpus starts with what GENERATOR writes when run as
# `GENERATOR CORPUS_DIR GENERATOR_ARG...` and with the SEED files (a file
# ending in .lines gives one seed per line). libFuzzer runs every seed first,
# so the seeds (crash reproducers among them) are regression tests too.
#
# As a Bazel test the corpus lives in TEST_TMPDIR and crash artifacts go to
# TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/.../test.outputs). tools/fuzz.sh
# runs it through `bazel run` with FUZZ_SECONDS, FUZZ_CORPUS (a directory
# kept between runs) and FUZZ_ARTIFACTS set.
set -euo pipefail

fuzzer=$1 seconds=$2 max_len=$3 dict=$4 generator=$5
shift 5
generator_args=()
while [[ $# -gt 0 && $1 != -- ]]; do
  generator_args+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift

seconds=${FUZZ_SECONDS:-$seconds}
work=${TEST_TMPDIR:-$(mktemp -d)}
corpus=${FUZZ_CORPUS:-$work/corpus}
artifacts=${FUZZ_ARTIFACTS:-${TEST_UNDECLARED_OUTPUTS_DIR:-$work/artifacts}}
seeds=$work/seeds
mkdir -p "$corpus" "$artifacts" "$seeds"

if [[ $generator != - ]]; then
  "$generator" "$seeds" "${generator_args[@]}"
fi
n=0
for seed in "$@"; do
  if [[ $seed == *.lines ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      n=$((n + 1))
      printf '%s' "$line" >"$seeds/line-$n"
    done <"$seed"
  else
    n=$((n + 1))
    cp "$seed" "$seeds/file-$n-$(basename "$seed")"
  fi
done

flags=(
  -max_total_time="$seconds"
  -max_len="$max_len"
  -timeout=10
  -rss_limit_mb=2048
  -print_final_stats=1
  -artifact_prefix="$artifacts/"
)
[[ $dict != - ]] && flags+=(-dict="$dict")
echo "run_fuzzer: $(basename "$fuzzer") for ${seconds}s, $(ls "$seeds" | wc -l) seeds, corpus $corpus" >&2
# New inputs go to the first directory; the seeds are read, never changed.
exec "$fuzzer" "${flags[@]}" "$corpus" "$seeds"
