#include "lib/rpc/service_flags.h"

#include "absl/strings/str_cat.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/log_level.h"

namespace goprobe::rpc {

void ServiceFlags::AddTo(CLI::App* app) {
  app->add_option("--listen", listen,
                  "address to serve on: host:port, [ipv6]:port or unix:/path (repeatable)")
      ->required();
  app->add_option("--host-id", host_id, "this host's id (default: derived from --machine-id-file)");
  app->add_option("--hostname", hostname, "this host's name (default: the kernel's hostname)");
  app->add_option("--machine-id-file", machine_id_file, "where the host id comes from")
      ->capture_default_str();
  app->add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app->add_option("--api-key-file", api_key_file,
                  "file of API keys (one per line) that TCP clients must present as "
                  "\"authorization: Bearer <key>\"; unix-socket clients are trusted");
}

absl::Status ServiceFlags::Apply(host::HostIdentity* identity, ApiKeyAuthorizer* auth) const {
  absl::Status s = SetLogLevel(log_level);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("--log-level: ", s.message()));
  if (!api_key_file.empty()) {
    absl::StatusOr<std::vector<std::string>> keys = LoadApiKeys(api_key_file);
    if (!keys.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--api-key-file: ", keys.status().message()));
    }
    *auth = ApiKeyAuthorizer(std::move(*keys), /*trust_unix_sockets=*/true);
  }
  for (const std::string& address : listen) {
    s = ValidateListenAddress(address);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("--listen: ", s.message()));
  }
  absl::StatusOr<host::HostIdentity> resolved =
      host::ResolveHostIdentity(host_id, hostname, machine_id_file);
  if (!resolved.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--host-id: ", resolved.status().message()));
  }
  *identity = std::move(*resolved);
  return absl::OkStatus();
}

}  // namespace goprobe::rpc
