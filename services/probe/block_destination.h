#ifndef GOPROBE_SERVICES_PROBE_BLOCK_DESTINATION_H_
#define GOPROBE_SERVICES_PROBE_BLOCK_DESTINATION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/host/host_identity.h"
#include "lib/metrics/metrics.h"
#include "lib/ship/batch_shipper.h"
#include "lib/ship/batch_spool.h"
#include "services/probe/block_sink.h"
#include "services/probe/config.h"

namespace goprobe::probe {

// Where a probe's finished blocks go: a goDB directory written in-process,
// or a gostore reached through the on-disk spool and its shipper.
class BlockDestination {
 public:
  static absl::StatusOr<std::unique_ptr<BlockDestination>> OpenDb(const std::string& db_path);
  // Opens the spool (replaying what an earlier run left) and starts shipping.
  static absl::StatusOr<std::unique_ptr<BlockDestination>> OpenStore(const StoreConfig& store,
                                                                     host::HostIdentity identity);
  ~BlockDestination();

  BlockSink* sink() { return sink_.get(); }

  // For a store: waits until the store has acknowledged every spooled batch,
  // logging progress; a zero timeout waits as long as it takes.
  // DeadlineExceeded says how many batches are still spooled. OK at once for
  // a goDB directory.
  absl::Status Drain(absl::Duration timeout);

  // Spool depth and shipping counters (zero for a goDB directory).
  bool ships() const { return shipper_ != nullptr; }
  const std::string& store_address() const { return store_address_; }
  size_t spool_depth() const { return spool_ ? spool_->depth() : 0; }
  uint64_t spool_bytes() const { return spool_ ? spool_->bytes() : 0; }
  uint64_t spool_capacity_bytes() const { return spool_ ? spool_->max_bytes() : 0; }
  uint64_t spool_dropped_batches() const { return spool_ ? spool_->dropped_batches() : 0; }
  // For a store, registers on `registry` (which this must outlive) the
  // spool's and the shipper's figures, read at each scrape:
  //   goprobe_spool_batches, goprobe_spool_bytes   waiting for the store's ack
  //   goprobe_spool_dropped_batches_total          dropped, oldest first, the spool being full
  //   goprobe_batches_stored_total                 acknowledged as newly stored
  //   goprobe_batches_duplicate_total              acknowledged as already stored (a retry)
  //   goprobe_batches_rejected_total               refused by the store as invalid: dropped
  //   goprobe_store_connected                      1 while an Ingest stream is open
  // Nothing for a goDB directory. Call at most once.
  void ExportMetrics(metrics::Registry* registry) const;

  ship::ShipperStats shipper_stats() const { return shipper_ ? shipper_->stats() : ship::ShipperStats{}; }

 private:
  BlockDestination() = default;
  std::string store_address_;
  std::unique_ptr<ship::BatchSpool> spool_;
  std::unique_ptr<ship::BatchShipper> shipper_;
  std::unique_ptr<BlockSink> sink_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_BLOCK_DESTINATION_H_
