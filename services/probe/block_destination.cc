#include "services/probe/block_destination.h"

#include "absl/strings/str_cat.h"
#include "lib/rpc/api_keys.h"
#include "services/probe/spool_sink.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {

absl::StatusOr<std::unique_ptr<BlockDestination>> BlockDestination::OpenDb(
    const std::string& db_path) {
  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(db_path);
  if (!sink.ok()) return sink.status();
  auto d = std::unique_ptr<BlockDestination>(new BlockDestination);
  d->sink_ = std::move(*sink);
  return d;
}

absl::StatusOr<std::unique_ptr<BlockDestination>> BlockDestination::OpenStore(
    const StoreConfig& store, host::HostIdentity identity) {
  ship::ShipperOptions options;
  options.address = store.addr;
  options.tls.enabled = store.tls.enabled;
  options.tls.ca_file = store.tls.ca_file;
  options.tls.cert_file = store.tls.cert_file;
  options.tls.key_file = store.tls.key_file;
  options.tls.server_name = store.tls.server_name;
  if (!store.api_key_file.empty()) {
    absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(store.api_key_file);
    if (!keys.ok()) return keys.status();
    options.api_key = keys->front();
  }
  absl::StatusOr<std::unique_ptr<ship::BatchSpool>> spool =
      ship::BatchSpool::Open(store.spool_dir, store.spool_max_bytes);
  if (!spool.ok()) return spool.status();
  auto d = std::unique_ptr<BlockDestination>(new BlockDestination);
  d->spool_ = std::move(*spool);
  d->store_address_ = store.addr;
  if (d->spool_->depth() > 0) {
    spdlog::info("spool {}: {} batches from an earlier run to ship first", store.spool_dir,
                 d->spool_->depth());
  }
  d->shipper_ = std::make_unique<ship::BatchShipper>(d->spool_.get(), options);
  d->sink_ = std::make_unique<SpoolSink>(std::move(identity), d->spool_.get(), d->shipper_.get());
  absl::Status started = d->shipper_->Start();
  if (!started.ok()) {
    return absl::Status(started.code(), absl::StrCat("store ", store.addr, ": ", started.message()));
  }
  return d;
}

BlockDestination::~BlockDestination() {
  if (shipper_) shipper_->Stop();
}

absl::Status BlockDestination::Drain(absl::Duration timeout) {
  if (!shipper_) return absl::OkStatus();
  const absl::Time deadline =
      timeout == absl::ZeroDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  while (!shipper_->WaitUntilDrained(absl::Seconds(10))) {
    const ship::ShipperStats stats = shipper_->stats();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          spool_->depth(), " batches not acknowledged by the store (last error: ",
          stats.last_error.empty() ? "none" : stats.last_error, "); they stay spooled"));
    }
    spdlog::info("waiting for the store: {} batches spooled{}", spool_->depth(),
                 stats.last_error.empty() ? "" : absl::StrCat(" (", stats.last_error, ")"));
  }
  return absl::OkStatus();
}

void BlockDestination::ExportMetrics(metrics::Registry* registry) const {
  if (!ships()) return;
  const BlockDestination* d = this;
  registry->AddCallback("goprobe_spool_batches", "Batches spooled, not yet acknowledged.",
                         metrics::Type::kGauge, [d] { return double(d->spool_depth()); });
  registry->AddCallback("goprobe_spool_bytes", "Size of the spooled batches on disk.",
                         metrics::Type::kGauge, [d] { return double(d->spool_bytes()); });
  registry->AddCallback("goprobe_spool_dropped_batches_total",
                         "Batches dropped, oldest first, because the spool was full.",
                         metrics::Type::kCounter,
                         [d] { return double(d->spool_dropped_batches()); });
  registry->AddCallback("goprobe_batches_stored_total",
                         "Batches the store acknowledged as newly stored.",
                         metrics::Type::kCounter, [d] { return double(d->shipper_stats().stored); });
  registry->AddCallback(
      "goprobe_batches_duplicate_total",
      "Batches the store acknowledged as already stored (a retry after a lost acknowledgement).",
      metrics::Type::kCounter, [d] { return double(d->shipper_stats().duplicates); });
  registry->AddCallback("goprobe_batches_rejected_total",
                         "Batches the store refused as invalid; dropped from the spool.",
                         metrics::Type::kCounter,
                         [d] { return double(d->shipper_stats().rejected); });
  registry->AddCallback("goprobe_store_connected", "1 while an Ingest stream to the store is open.",
                         metrics::Type::kGauge,
                         [d] { return d->shipper_stats().connected ? 1.0 : 0.0; });
}

}  // namespace goprobe::probe
