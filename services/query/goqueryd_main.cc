// goqueryd: answers queries over goDB. As a leaf it serves one host's goDB
// directory, read-only, beside the gostore that writes it.

#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "lib/host/host_identity.h"
#include "lib/rpc/api_keys.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/log_level.h"
#include "services/query/query_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  std::string db;
  std::vector<std::string> listen;
  uint64_t host_id = 0;
  std::string hostname;
  std::string machine_id_file = "/etc/machine-id";
  std::string log_level = "info";
  std::string api_key_file;

  CLI::App app("goqueryd: serves goDB over gRPC (Query.ListInterfaces, health, reflection) "
               "as a leaf over one host's goDB directory.");
  app.add_option("--db", db, "goDB directory to answer from (read-only)")->required();
  app.add_option("--listen", listen,
                 "address to serve on: host:port, [ipv6]:port or unix:/path (repeatable)")
      ->required();
  app.add_option("--host-id", host_id, "this host's id (default: derived from --machine-id-file)");
  app.add_option("--hostname", hostname, "this host's name (default: the kernel's hostname)");
  app.add_option("--machine-id-file", machine_id_file, "where the host id comes from")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--api-key-file", api_key_file,
                 "file of API keys (one per line) that TCP clients must present as "
                 "\"authorization: Bearer <key>\"; unix-socket clients are trusted");
  CLI11_PARSE(app, argc, argv);

  if (absl::Status s = rpc::SetLogLevel(log_level); !s.ok()) {
    std::fprintf(stderr, "goqueryd: --log-level: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  rpc::ApiKeyAuthorizer auth;
  if (!api_key_file.empty()) {
    absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(api_key_file);
    if (!keys.ok()) {
      std::fprintf(stderr, "%s: --api-key-file: %s\n", "goqueryd", std::string(keys.status().message()).c_str());
      return 2;
    }
    auth = rpc::ApiKeyAuthorizer(std::move(*keys), /*trust_unix_sockets=*/true);
  }
  absl::StatusOr<host::HostIdentity> identity =
      host::ResolveHostIdentity(host_id, hostname, machine_id_file);
  if (!identity.ok()) {
    std::fprintf(stderr, "goqueryd: %s (--host-id)\n",
                 std::string(identity.status().message()).c_str());
    return 2;
  }
  query::LeafQueryService service(db, *identity, &auth);
  rpc::ServerOptions options;
  options.listen = listen;
  absl::StatusOr<std::unique_ptr<rpc::GrpcServer>> server =
      rpc::GrpcServer::Start(options, {&service});
  if (!server.ok()) {
    std::fprintf(stderr, "goqueryd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  for (size_t i = 0; i < listen.size(); ++i) {
    const int port = (*server)->bound_ports()[i];
    spdlog::info("goqueryd: serving {} on {}{}", db, listen[i],
                 port > 0 ? " (port " + std::to_string(port) + ")" : "");
  }
  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("goqueryd: {}: stopping", signal);
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
