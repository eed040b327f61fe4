#ifndef GOPROBE_SERVICES_PROBE_LIVE_FLAGS_H_
#define GOPROBE_SERVICES_PROBE_LIVE_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "services/probe/config.h"

namespace goprobe::probe {

// The live mode's flags that override the configuration file, named as
// gostore's (rpc::ServiceConfig) so one habit serves every service:
//
//   --listen ADDR (repeatable; replaces api.listen)   --api-key-file   --tls-cert
//   --tls-key   --tls-client-ca   --metrics-listen   --max-receive-message-bytes
//   --log-destination   --log-level
//
// plus --host-id, --hostname and --machine-id-file, which offline mode shares.
class LiveFlags {
 public:
  // Registers the flags that only live mode has; each needs `config_flag`.
  void Register(CLI::App* app, CLI::Option* config_flag);
  // Applies the flags given to `config` (checked as the file's values are,
  // errors naming the flag), then checks the api settings as a whole.
  absl::Status ApplyTo(ProbeConfig* config) const;

  // Set by the shared flags (main binds them).
  uint64_t host_id = 0;
  std::string hostname;
  std::string machine_id_file = "/etc/machine-id";
  CLI::Option* host_id_flag = nullptr;
  CLI::Option* hostname_flag = nullptr;
  CLI::Option* machine_id_flag = nullptr;

 private:
  struct Text {
    std::string value;
    CLI::Option* option = nullptr;
  };
  std::vector<std::string> listen_;
  CLI::Option* listen_flag_ = nullptr;
  Text api_key_file_, tls_cert_, tls_key_, tls_client_ca_, metrics_listen_, max_receive_,
      log_destination_, log_level_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LIVE_FLAGS_H_
