// goqueryd: answers queries over goDB.
//
// Leaf: goqueryd --db DIR --listen ADDR
//   serves one host's goDB directory, read-only, beside the gostore that
//   writes it.
// Root: goqueryd --peers ADDR,ADDR,... --listen ADDR
//   runs each query on every leaf (a name resolving to several addresses, as
//   a Kubernetes headless service does, is one leaf per address) and merges
//   their answers exactly.
//
// Every setting is a key of the YAML file given with --config and a flag;
// flags override the file (deploy/config/goqueryd.yaml lists them). Exit
// status: 0 after a clean stop or a good --check-config, 2 for a
// configuration that is refused, 1 when a listener cannot be opened.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "lib/query/condition_row_selector.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/service_config.h"
#include "services/query/goqueryd_config.h"
#include "services/query/query_service.h"
#include "services/query/root_query_service.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const goprobe::query::GoquerydConfig& config, const absl::Status& s, int code) {
  return config.service.FailStartup("goqueryd", s, code);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  query::GoquerydConfig config;
  rpc::ConfigSchema schema("goqueryd", &config.service.origins);
  config.Register(&schema);
  CLI::App app("goqueryd: answers goProbe queries over gRPC (Query.Run, Query.ListInterfaces, "
               "health, reflection): as a leaf over one host's goDB directory, or as a root "
               "over other goqueryd leaves.");
  schema.AddFlags(&app);
  CLI11_PARSE(app, argc, argv);
  absl::Status s = schema.Load();
  if (s.ok()) s = config.Validate();
  if (!s.ok()) return Fail(config, s, 2);

  absl::StatusOr<std::unique_ptr<rpc::ServiceRuntime>> runtime =
      rpc::ServiceRuntime::Prepare("goqueryd", config.service);
  if (!runtime.ok()) return Fail(config, runtime.status(), 2);

  std::unique_ptr<grpc::Service> service;
  if (!config.root()) {
    absl::StatusOr<query::LeafOptions> options = config.MakeLeafOptions();
    if (!options.ok()) return Fail(config, options.status(), 2);
    service = std::make_unique<query::LeafQueryService>(
        config.service.db_path, (*runtime)->identity(), (*runtime)->auth(),
        query::CompileCondition, std::move(*options));
  } else {
    absl::StatusOr<query::PeerSet> peers = config.MakePeerSet();
    if (!peers.ok()) return Fail(config, peers.status(), 2);
    absl::StatusOr<query::RootOptions> options = config.MakeRootOptions();
    if (!options.ok()) return Fail(config, options.status(), 2);
    spdlog::info("goqueryd: root over {}", absl::StrJoin(peers->entries(), ", "));
    service = std::make_unique<query::RootQueryService>(std::move(*peers), (*runtime)->identity(),
                                                        (*runtime)->auth(),
                                                        query::CompileCondition, *options);
  }
  if (schema.check_only()) {
    std::printf("goqueryd: configuration %s is good\n",
                schema.config_path().empty() ? "(flags)" : schema.config_path().c_str());
    return 0;
  }
  s = (*runtime)->Serve({service.get()});
  if (!s.ok()) return Fail(config, s, 1);

  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("goqueryd: {}: stopping", signal);
  (*runtime)->Shutdown(absl::Seconds(5));
  return 0;
}
