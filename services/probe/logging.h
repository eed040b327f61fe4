#ifndef GOPROBE_SERVICES_PROBE_LOGGING_H_
#define GOPROBE_SERVICES_PROBE_LOGGING_H_

#include "absl/status/status.h"
#include "services/probe/config.h"

namespace goprobe::probe {

// Points spdlog's default logger at the configured destination ("console":
// standard error; "syslog": the daemon facility; anything else: a file path,
// appended to) and sets its level. Errors name the destination.
absl::Status SetUpLogging(const LoggingConfig& config);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LOGGING_H_
