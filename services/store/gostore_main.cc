// gostore: the single writer of a host's goDB. Receives five-minute flow
// batches from goprobe over gRPC (Store.Ingest), acknowledges each once it is
// durable, and lists the interfaces it holds.
//
//   gostore --config /etc/goprobe/gostore.yaml
//   gostore --db DIR --listen ADDR [--listen ADDR ...] [flags]
//
// Every setting is a key of the YAML file and a flag; flags override the
// file (deploy/config/gostore.yaml lists them). Exit status: 0 after a clean
// stop (SIGTERM, SIGINT) or a good --check-config, 2 for a configuration
// that is refused, 1 when the database or a listener cannot be opened.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/service_config.h"
#include "services/store/block_store.h"
#include "services/store/gostore_config.h"
#include "services/store/store_metrics.h"
#include "services/store/store_service.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const goprobe::store::GostoreConfig& config, const absl::Status& s, int code) {
  return config.service.FailStartup("gostore", s, code);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  store::GostoreConfig config;
  rpc::ConfigSchema schema("gostore", &config.service.origins);
  config.Register(&schema);
  CLI::App app("gostore: stores goprobe's flow batches in a goDB directory and serves them "
               "over gRPC (Store.Ingest, Store.ListInterfaces, health, reflection).");
  schema.AddFlags(&app);
  CLI11_PARSE(app, argc, argv);
  absl::Status s = schema.Load();
  if (s.ok()) s = config.Validate();
  if (!s.ok()) return Fail(config, s, 2);

  absl::StatusOr<std::unique_ptr<rpc::ServiceRuntime>> runtime =
      rpc::ServiceRuntime::Prepare("gostore", config.service);
  if (!runtime.ok()) return Fail(config, runtime.status(), 2);
  if (schema.check_only()) {
    std::printf("gostore: configuration %s is good\n",
                schema.config_path().empty() ? "(flags)" : schema.config_path().c_str());
    return 0;
  }

  store::StoreMetrics metrics((*runtime)->registry());
  absl::StatusOr<std::unique_ptr<store::BlockStore>> blocks = store::BlockStore::Open(
      config.service.db_path, (*runtime)->identity(), config.WriterOptions(), &metrics,
      config.Retention());
  if (!blocks.ok()) return Fail(config, blocks.status(), 1);
  store::StoreService service(blocks->get(), (*runtime)->auth(), &metrics);
  s = (*runtime)->Serve({&service});
  if (!s.ok()) return Fail(config, s, 1);

  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("gostore: {}: finishing open streams, then stopping", signal);
  (*runtime)->Shutdown(absl::Seconds(10));
  blocks->reset();  // writes whatever is still queued
  spdlog::info("gostore: stopped");
  return 0;
}
