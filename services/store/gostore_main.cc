// gostore: the single writer of a host's goDB. Receives five-minute flow
// batches from goprobe over gRPC (Store.Ingest), acknowledges each once it is
// durable, and lists the interfaces it holds.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "lib/godb/compression.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/service_flags.h"
#include "services/store/block_store.h"
#include "services/store/store_service.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  using namespace goprobe;
  rpc::BlockTerminationSignals();

  std::string db;
  std::string codec_name = "lz4";
  rpc::ServiceFlags flags;
  CLI::App app("gostore: stores goprobe's flow batches in a goDB directory and serves them "
               "over gRPC (Store.Ingest, Store.ListInterfaces, health, reflection).");
  app.add_option("--db", db, "goDB directory (created if missing); gostore is its only writer")
      ->required();
  app.add_option("--compression", codec_name, "block compression: lz4, zstd or none")
      ->capture_default_str();
  flags.AddTo(&app);
  CLI11_PARSE(app, argc, argv);

  host::HostIdentity identity;
  rpc::ApiKeyAuthorizer auth;
  absl::StatusOr<godb::Codec> codec = godb::ParseCodec(codec_name);
  absl::Status s = codec.ok() ? flags.Apply(&identity, &auth) : codec.status();
  if (!s.ok()) {
    std::fprintf(stderr, "gostore: %s\n", std::string(s.message()).c_str());
    return 2;
  }

  godb::WriterOptions options;
  options.codec = *codec;
  absl::StatusOr<std::unique_ptr<store::BlockStore>> blocks =
      store::BlockStore::Open(db, identity, options);
  if (!blocks.ok()) {
    std::fprintf(stderr, "gostore: %s\n", std::string(blocks.status().message()).c_str());
    return 1;
  }
  store::StoreService service(blocks->get(), &auth);
  rpc::ServerOptions server_options;
  server_options.listen = flags.listen;
  absl::StatusOr<std::unique_ptr<rpc::GrpcServer>> server =
      rpc::GrpcServer::Start(server_options, {&service});
  if (!server.ok()) {
    std::fprintf(stderr, "gostore: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  for (size_t i = 0; i < flags.listen.size(); ++i) {
    const int port = (*server)->bound_ports()[i];
    spdlog::info("gostore: serving {} on {}{}", db, flags.listen[i],
                 port > 0 ? " (port " + std::to_string(port) + ")" : "");
  }
  spdlog::info("gostore: host {} (id {}), API keys {}", identity.hostname, identity.host_id,
               auth.enabled() ? "required on TCP" : "not configured");

  const std::string signal = rpc::WaitForTerminationSignal();
  spdlog::info("gostore: {}: finishing open streams, then stopping", signal);
  (*server)->Shutdown(absl::Seconds(10));
  blocks->reset();  // writes whatever is still queued
  spdlog::info("gostore: stopped");
  return 0;
}
