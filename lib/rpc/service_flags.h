#ifndef GOPROBE_LIB_RPC_SERVICE_FLAGS_H_
#define GOPROBE_LIB_RPC_SERVICE_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "lib/host/host_identity.h"
#include "lib/rpc/api_keys.h"

namespace goprobe::rpc {

// The command-line settings every goProbe service shares: where it listens,
// who it is, how it logs, which API keys it accepts.
struct ServiceFlags {
  std::vector<std::string> listen;
  uint64_t host_id = 0;
  std::string hostname;
  std::string machine_id_file = "/etc/machine-id";
  std::string log_level = "info";
  std::string api_key_file;

  // Registers the flags (--listen required) on `app`.
  void AddTo(CLI::App* app);

  // Sets the log level, loads the API keys and resolves the host identity.
  // Errors name the flag at fault.
  absl::Status Apply(host::HostIdentity* identity, ApiKeyAuthorizer* auth) const;
};

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_SERVICE_FLAGS_H_
