#ifndef GOPROBE_TESTS_HARNESS_SUBPROCESS_H_
#define GOPROBE_TESTS_HARNESS_SUBPROCESS_H_

// Running the project's binaries from tests as a user would, without a shell.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

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

// A process running in the background, for tests that start services, kill
// them and start them again. Its standard output and error go to a log file
// (so a test failure can show them). Killed with SIGKILL on destruction if
// still running.
class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`, output appended to `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& log_path);
  ~ChildProcess();

  int pid() const { return pid_; }
  // A memory field of /proc/PID/status ("VmRSS", "RssAnon", ...) in KiB; 0
  // once the process is gone or if it has no such field.
  uint64_t StatusKiB(absl::string_view field) const;
  // Sends `signal`; no-op if the process has been reaped.
  void Signal(int signal);
  // Waits up to `timeout` for the process to exit; its exit code (128 +
  // signal if killed), or DeadlineExceeded.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // Whether the process is still running (reaping it if it exited).
  bool Running();
  // Waits until `path` exists (a file the process writes) or, for a unix
  // socket, accepts a connection; false on timeout or if the process exits
  // first.
  bool WaitForPath(const std::string& path, absl::Duration timeout);
  // Waits until 127.0.0.1:`port` accepts a TCP connection; false on timeout
  // or if the process exits first. A service's unix socket can appear before
  // its TCP listener (or its metrics server) is up: wait for each port used.
  bool WaitForTcpPort(int port, absl::Duration timeout);
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;

 private:
  ChildProcess(int pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  int pid_;
  int exit_code_ = -1;
  std::string log_path_;
};

// The path of a file in this workspace's runfiles ("clients/goquery/goquery"),
// from Bazel's TEST_SRCDIR and TEST_WORKSPACE.
std::string Runfile(absl::string_view workspace_path);

}  // namespace goprobe::testing

#endif  // GOPROBE_TESTS_HARNESS_SUBPROCESS_H_
