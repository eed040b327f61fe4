#ifndef GOPROBE_SERVICES_STORE_BLOCK_STORE_H_
#define GOPROBE_SERVICES_STORE_BLOCK_STORE_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/flow/flow.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/interface_summary.h"
#include "lib/host/host_identity.h"
#include "proto/goprobe/v1/store.pb.h"
#include "services/store/retention_policy.h"
#include "services/store/store_metrics.h"

namespace goprobe::store {

// The store's side of goDB: the single DbWriter, driven by one writer thread
// that every Ingest stream queues complete batches to, and a reader for
// listings.
//
// A batch is acknowledged only after DbWriter::WriteBlock returned, i.e. once
// its data and metadata are fsync'd. Identity is (host id, interface, block
// time): this store holds one host's flows, so a batch of another host is
// rejected, and a batch whose block is already stored is acknowledged as a
// duplicate without writing, which makes a sender's retries safe.
//
// Retention runs on the writer thread, between writes: at start, every
// policy.check_interval, and after a write that takes the database over
// policy.max_bytes (measured exactly at each check, kept up to date between
// checks by the growth of the written days).
class BlockStore {
 public:
  // The outcome of one batch: an acknowledgement to send, or a Status when
  // the batch could not be made durable (disk full, I/O error) and the sender
  // must keep it and retry later.
  using Done = std::function<void(absl::StatusOr<v1::IngestAck>)>;

  // Opens the database for writing (taking its lock) and starts the writer
  // thread. `metrics` (may be null) must outlive the store.
  static absl::StatusOr<std::unique_ptr<BlockStore>> Open(const std::string& db_path,
                                                          host::HostIdentity identity,
                                                          godb::WriterOptions options = {},
                                                          StoreMetrics* metrics = nullptr,
                                                          RetentionPolicy retention = {});
  // Writes what is queued, then stops.
  ~BlockStore();

  // Queues a complete, validated batch (`header` as BatchAssembler gives it,
  // its `rows`). `done` runs on the writer thread.
  void Submit(const v1::FlowBatch& header, std::vector<flow::FlowRow> rows, Done done);

  // Interface summaries over blocks in [first, last] (all interfaces when
  // `ifaces` is empty), from metadata only. Safe from any thread.
  absl::StatusOr<std::vector<godb::InterfaceSummary>> Summaries(
      const std::vector<std::string>& ifaces, int64_t first, int64_t last) const;

  const host::HostIdentity& identity() const { return identity_; }

 private:
  struct Job {
    v1::FlowBatch header;
    std::vector<flow::FlowRow> rows;
    Done done;
  };

  BlockStore(std::unique_ptr<godb::DbWriter> writer, host::HostIdentity identity,
             StoreMetrics* metrics, RetentionPolicy retention);
  void Run();
  // Deletes the days the policy names and measures the database again.
  void EnforceRetention();
  absl::StatusOr<v1::IngestAck> Write(Job& job);
  // Counts the outcome of one batch in the metrics.
  void Count(const absl::StatusOr<v1::IngestAck>& ack, size_t rows, absl::Duration took,
             uint64_t bytes);
  // The summed size of the files of the day partition holding `time`: what a
  // write adds is the difference (0 where the day does not exist yet).
  uint64_t DayBytes(absl::string_view iface, int64_t time) const;

  std::unique_ptr<godb::DbWriter> writer_;
  godb::DbReader reader_;
  const host::HostIdentity identity_;
  StoreMetrics* const metrics_;
  const RetentionPolicy retention_;
  // Writer thread only: disk space of the day partitions (exact after each
  // retention check, plus the growth of written days since), and when the
  // next periodic check is due.
  uint64_t db_bytes_ = 0;
  absl::Time next_retention_check_ = absl::InfinitePast();
  bool over_limit_reported_ = false;

  absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_BLOCK_STORE_H_
