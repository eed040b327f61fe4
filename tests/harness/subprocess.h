#ifndef GOPROBE_CLIENTS_TESTING_SUBPROCESS_H_
#define GOPROBE_CLIENTS_TESTING_SUBPROCESS_H_

// Running the client binaries from tests as a user would, without a shell.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number if killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, not searched in PATH) with `argv`, feeding `input` to
// its standard input and collecting standard output and error until it
// exits. Errors only if the process cannot be started.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         absl::string_view input = "");

// The path of a file in this workspace's runfiles ("clients/goquery/goquery"),
// from Bazel's TEST_SRCDIR and TEST_WORKSPACE.
std::string Runfile(absl::string_view workspace_path);

}  // namespace goprobe::testing

#endif  // GOPROBE_CLIENTS_TESTING_SUBPROCESS_H_
