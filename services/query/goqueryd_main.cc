// goqueryd: answers queries over goDB. As a leaf it serves one host's goDB
// directory, read-only, beside the gostore that writes it.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/service_flags.h"
#include "services/query/query_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  std::string db;
  rpc::ServiceFlags flags;
  CLI::App app("goqueryd: serves goDB over gRPC (Query.ListInterfaces, health, reflection) "
               "as a leaf over one host's goDB directory.");
  app.add_option("--db", db, "goDB directory to answer from (read-only)")->required();
  flags.AddTo(&app);
  CLI11_PARSE(app, argc, argv);

  host::HostIdentity identity;
  rpc::ApiKeyAuthorizer auth;
  if (absl::Status s = flags.Apply(&identity, &auth); !s.ok()) {
    std::fprintf(stderr, "goqueryd: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  query::LeafQueryService service(db, identity, &auth);
  rpc::ServerOptions options;
  options.listen = flags.listen;
  absl::StatusOr<std::unique_ptr<rpc::GrpcServer>> server =
      rpc::GrpcServer::Start(options, {&service});
  if (!server.ok()) {
    std::fprintf(stderr, "goqueryd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  for (size_t i = 0; i < flags.listen.size(); ++i) {
    const int port = (*server)->bound_ports()[i];
    spdlog::info("goqueryd: serving {} on {}{}", db, flags.listen[i],
                 port > 0 ? " (port " + std::to_string(port) + ")" : "");
  }
  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("goqueryd: {}: stopping", signal);
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
