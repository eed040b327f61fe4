#!/usr/bin/env bash
# The whole test suite, as the README's quick start and CI run it:
#   1. installs any missing Debian package (tools/install_deps.sh),
#   2. builds everything and runs every test,
#   3. runs the unit and multi-process tests again under ASan and UBSan,
#   4. runs the tests of the concurrent parts under TSan
#      (//tools/tsan:tsan_tests: capture threads, rotation, shipper, store,
#      query threads),
#   5. runs every libFuzzer target briefly (//fuzz/..., clang; a minute
#      each, two at a time).
# Ends with one line "N passed, N failed" counting individual test cases
# (from each test's JUnit XML; a fuzz run is one case), and exits non-zero if
# anything failed. docs/BUILD.md describes each pass.
#
# SKIP_SANITIZERS=1 skips steps 3 to 5 for a quick local loop.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh || exit 1

passed=0
failed=0
rc=0

count_cases() {
  # Sums test cases and failures over the test.xml of every test target in
  # the query expression $1, as the last run left them (a cached result
  # keeps its XML). The rest of the arguments are the run's options.
  local expr=$1 testlogs sums
  shift
  testlogs=$(bazel info "$@" bazel-testlogs 2>/dev/null) || return
  sums=$(bazel query "$expr" 2>/dev/null |
    sed -e 's|^//||' -e 's|:|/|' -e "s|^|$testlogs/|" -e 's|$|/test.xml|' |
    xargs -r python3 tools/count_junit.py)
  passed=$((passed + ${sums% *}))
  failed=$((failed + ${sums#* }))
}

# run TARGET QUERY [OPTIONS...]: tests TARGET with OPTIONS and counts the
# cases of the tests QUERY names.
run() {
  local target=$1 expr=$2
  shift 2
  echo "== bazel test $* $target" >&2
  # Builds come from the disk cache; tests always run, so a pass means they
  # passed now, on this machine.
  bazel test --nocache_test_results "$@" -- "$target" || rc=1
  count_cases "$expr" "$@"
}

# The fuzz targets build only under --config=fuzz; //... skips them.
all='tests(//...) except tests(//fuzz/...)'
run //... "$all"
if [[ "${SKIP_SANITIZERS:-0}" != 1 ]]; then
  run //... "$all" --config=asan
  run //... "$all" --config=ubsan
  run //tools/tsan:tsan_tests 'tests(//tools/tsan:tsan_tests)' --config=tsan
  run //fuzz/... 'tests(//fuzz/...)' --config=fuzz
fi

echo "$passed passed, $failed failed"
exit $rc
