#!/usr/bin/env bash
# The whole test suite, as the README's quick start and CI run it:
#   1. installs any missing Debian package (tools/install_deps.sh),
#   2. builds everything and runs every test,
#   3. runs the unit and multi-process tests again under ASan and UBSan.
# Ends with one line "N passed, N failed" counting individual test cases
# (from each test's JUnit XML), and exits non-zero if anything failed.
#
# SKIP_SANITIZERS=1 skips step 3 for a quick local loop.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh || exit 1

passed=0
failed=0
rc=0

count_cases() {
  # Sums test cases and failures over the test.xml of every test target, as
  # the last run left them (a cached result keeps its XML).
  local testlogs sums
  testlogs=$(bazel info "$@" bazel-testlogs 2>/dev/null) || return
  sums=$(bazel query 'tests(//...)' 2>/dev/null |
    sed -e 's|^//||' -e 's|:|/|' -e "s|^|$testlogs/|" -e 's|$|/test.xml|' |
    xargs -r python3 tools/count_junit.py)
  passed=$((passed + ${sums% *}))
  failed=$((failed + ${sums#* }))
}

run() {
  echo "== bazel test $*" >&2
  # Builds come from the disk cache; tests always run, so a pass means they
  # passed now, on this machine.
  bazel test --nocache_test_results "$@" //... || rc=1
  count_cases "$@"
}

run
if [[ "${SKIP_SANITIZERS:-0}" != 1 ]]; then
  run --config=asan
  run --config=ubsan
fi

echo "$passed passed, $failed failed"
exit $rc
