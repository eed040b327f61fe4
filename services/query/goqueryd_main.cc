// goqueryd: answers queries over goDB.
//
// Leaf: goqueryd --db DIR --listen ADDR
//   serves one host's goDB directory, read-only, beside the gostore that
//   writes it.
// Root: goqueryd --peers ADDR,ADDR,... --listen ADDR
//   runs each query on every leaf (a name resolving to several addresses, as
//   a Kubernetes headless service does, is one leaf per address) and merges
//   their answers exactly.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/service_flags.h"
#include "lib/query/condition_row_selector.h"
#include "services/query/peer_set.h"
#include "services/query/query_service.h"
#include "services/query/root_query_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  std::string db, peers, peer_api_key_file;
  double host_timeout_s = 30;
  rpc::ServiceFlags flags;
  CLI::App app("goqueryd: answers goProbe queries over gRPC (Query.Run, Query.ListInterfaces, "
               "health, reflection): as a leaf over one host's goDB directory, or as a root "
               "over other goqueryd leaves.");
  auto* db_opt = app.add_option("--db", db, "leaf: goDB directory to answer from (read-only)");
  auto* peers_opt =
      app.add_option("--peers", peers,
                     "root: comma-separated leaves, host:port, [ipv6]:port or unix:/path; a "
                     "name with several addresses is one leaf per address")
          ->excludes(db_opt);
  app.add_option("--peer-api-key-file", peer_api_key_file,
                 "root: file whose first key is sent to the leaves")
      ->needs(peers_opt);
  app.add_option("--host-timeout", host_timeout_s,
                 "root: seconds to wait for each leaf unless the query says otherwise")
      ->needs(peers_opt)
      ->capture_default_str();
  flags.AddTo(&app);
  CLI11_PARSE(app, argc, argv);
  if (db.empty() == peers.empty()) {
    std::fprintf(stderr, "goqueryd: give --db DIR (leaf) or --peers LIST (root)\n");
    return 2;
  }

  host::HostIdentity identity;
  rpc::ApiKeyAuthorizer auth;
  if (absl::Status s = flags.Apply(&identity, &auth); !s.ok()) {
    std::fprintf(stderr, "goqueryd: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  std::unique_ptr<grpc::Service> service;
  if (!db.empty()) {
    service = std::make_unique<query::LeafQueryService>(db, identity, &auth,
                                                        query::CompileCondition);
  } else {
    absl::StatusOr<query::PeerSet> peer_set = query::PeerSet::Parse(peers);
    if (!peer_set.ok()) {
      std::fprintf(stderr, "goqueryd: --peers: %s\n",
                   std::string(peer_set.status().message()).c_str());
      return 2;
    }
    query::RootOptions options;
    options.host_timeout = absl::Seconds(host_timeout_s);
    if (!peer_api_key_file.empty()) {
      absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(peer_api_key_file);
      if (!keys.ok()) {
        std::fprintf(stderr, "goqueryd: --peer-api-key-file: %s\n",
                     std::string(keys.status().message()).c_str());
        return 2;
      }
      options.peer_api_key = keys->front();
    }
    service = std::make_unique<query::RootQueryService>(std::move(*peer_set), identity, &auth,
                                                        query::CompileCondition, options);
  }
  rpc::ServerOptions options;
  options.listen = flags.listen;
  absl::StatusOr<std::unique_ptr<rpc::GrpcServer>> server =
      rpc::GrpcServer::Start(options, {service.get()});
  if (!server.ok()) {
    std::fprintf(stderr, "goqueryd: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  for (size_t i = 0; i < flags.listen.size(); ++i) {
    const int port = (*server)->bound_ports()[i];
    spdlog::info("goqueryd: {} {} on {}{}", db.empty() ? "root over" : "leaf over",
                 db.empty() ? peers : db, flags.listen[i],
                 port > 0 ? " (port " + std::to_string(port) + ")" : "");
  }
  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("goqueryd: {}: stopping", signal);
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
