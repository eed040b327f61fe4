#!/usr/bin/env bash
# Runs one libFuzzer target for longer than the test suite does, keeping its
# corpus between runs:
#
#   tools/fuzz.sh TARGET [SECONDS]     e.g. tools/fuzz.sh packet_parser_fuzzer 3600
#   tools/fuzz.sh --list               the targets
#
# TARGET is a cc_fuzz_target in fuzz/BUILD.bazel. The corpus grows in
# ~/.cache/goprobe-cpp/fuzz/TARGET/corpus (seeds are added on every run);
# crash, leak and timeout reproducers land in .../TARGET/artifacts. Default
# duration: 600 s. To keep a reproducer as a regression seed, fix the bug,
# then add the file under fuzz/seeds/ and to the target's `seeds`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
if [[ $1 == --list ]]; then
  bazel query 'kind(sh_test, //fuzz/...)' 2>/dev/null | sed -e 's|^//fuzz:||' -e 's|_run$||'
  exit 0
fi

target=$1
seconds=${2:-600}
dir=${HOME}/.cache/goprobe-cpp/fuzz/$target
mkdir -p "$dir/corpus" "$dir/artifacts"
# The target's test knows its seeds and flags; run it outside the test
# runner with a lasting corpus and the requested duration.
FUZZ_SECONDS=$seconds FUZZ_CORPUS=$dir/corpus FUZZ_ARTIFACTS=$dir/artifacts \
  exec bazel run --config=fuzz "//fuzz:${target}_run"
