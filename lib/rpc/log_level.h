#ifndef GOPROBE_LIB_RPC_LOG_LEVEL_H_
#define GOPROBE_LIB_RPC_LOG_LEVEL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::rpc {

// Sets spdlog's global level from its name: trace, debug, info, warn, error
// or off. InvalidArgument (listing the names) for anything else.
absl::Status SetLogLevel(absl::string_view name);
// Whether `name` is one of those levels, with the same error.
absl::Status ValidateLogLevel(absl::string_view name);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_LOG_LEVEL_H_
