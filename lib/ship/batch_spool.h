#ifndef GOPROBE_LIB_SHIP_BATCH_SPOOL_H_
#define GOPROBE_LIB_SHIP_BATCH_SPOOL_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace goprobe::ship {

// A bounded on-disk queue of FlowBatches waiting for a store's
// acknowledgement. It is what lets a probe or a store restart without losing
// a flow: a batch is durable here before the probe forgets it, and leaves
// only when the store said it is durable there.
//
// Layout: one file per batch, `<dir>/<sequence, 20 digits>.batch`, written to
// a temporary name, fsync'd and renamed, so a crash leaves whole files only;
// `<dir>/SEQUENCE` holds the last sequence number handed out. A batch file is
// a 16-byte header (magic "GPSPOOL1", 4 bytes payload length, 4 bytes CRC of
// the payload as XXH32) and the serialized FlowBatch with all its rows.
//
// Sequence numbers increase strictly across restarts; they are the order of
// production, and the shipper replays in that order.
//
// Bounded by bytes: when adding a batch would exceed the bound, the oldest
// batches are deleted and counted as dropped (the caller logs it loudly).
// Thread-safe.
class BatchSpool {
 public:
  // Opens (creating) the spool directory, reading what earlier runs left.
  // Files that are damaged are moved aside to `<name>.corrupt` and reported
  // in corrupt_files(); they are never sent.
  static absl::StatusOr<std::unique_ptr<BatchSpool>> Open(const std::string& dir,
                                                         uint64_t max_bytes);

  // Assigns the next sequence number to `batch`, stores it durably, and
  // returns the sequence. The batch must be a single message (part_count
  // <= 1) holding all its rows. Fails (and stores nothing) if the disk
  // refuses, or if the batch alone exceeds the bound.
  absl::StatusOr<uint64_t> Add(v1::FlowBatch batch);

  // The oldest batch with a sequence greater than `after`, or NotFound.
  absl::StatusOr<v1::FlowBatch> Next(uint64_t after) const;

  // Deletes the batch with this sequence (acknowledged by the store).
  // Removing a batch that is not there is not an error.
  absl::Status Remove(uint64_t sequence);

  size_t depth() const;
  uint64_t bytes() const;
  uint64_t dropped_batches() const;
  uint64_t corrupt_files() const;
  // The bound on bytes() given to Open.
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  BatchSpool(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}
  std::string PathOf(uint64_t sequence) const;
  absl::Status Load();

  const std::string dir_;
  const uint64_t max_bytes_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, uint64_t> files_ ABSL_GUARDED_BY(mu_);  // sequence -> file bytes
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t corrupt_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace goprobe::ship

#endif  // GOPROBE_LIB_SHIP_BATCH_SPOOL_H_
