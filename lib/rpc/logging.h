#ifndef GOPROBE_LIB_RPC_LOGGING_H_
#define GOPROBE_LIB_RPC_LOGGING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::rpc {

// Where a service logs and how much.
struct LogSettings {
  // "console" (standard error), "syslog" (the daemon facility, tagged with
  // the program's name and pid), or a file path, appended to.
  std::string destination = "console";
  std::string level = "info";  // trace, debug, info, warn, error or off
};

// Whether `destination` is one of the forms above (a file path must not be
// empty; the file itself is opened by SetUpLogging).
absl::Status ValidateLogDestination(absl::string_view destination);

// Points spdlog's default logger, named `program`, at the destination and
// sets the level. Messages of info and above are flushed at once: a daemon
// logs little, and what it logged must be there when it dies. Errors name
// the destination (a file that cannot be opened and why). Safe to call again
// (a later call replaces the logger).
absl::Status SetUpLogging(absl::string_view program, const LogSettings& settings);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_LOGGING_H_
