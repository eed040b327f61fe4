#ifndef GOPROBE_CLIENTS_GOCONVERT_STORE_SINK_H_
#define GOPROBE_CLIENTS_GOCONVERT_STORE_SINK_H_

// Imported blocks written through a gostore (goconvert --store): each block
// becomes a FlowBatch of the given host, is made durable in an on-disk spool
// and shipped over Store.Ingest by lib/ship's BatchShipper, the client goprobe
// ships with. The store acknowledges blocks after WriteBlock has returned, so
// their fate is settled by Finish.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/goconvert/block_sink.h"
#include "clients/goconvert/importer.h"
#include "lib/host/host_identity.h"
#include "lib/ship/batch_shipper.h"
#include "lib/ship/batch_spool.h"

namespace goprobe::goconvert {

struct StoreSinkOptions {
  // The store's address, API key and TLS (on_ack is the sink's own).
  ship::ShipperOptions shipper;
  // Whose flows these are: the store refuses batches of any host but its own.
  host::HostIdentity identity;
  // Spool directory, created if missing; the caller removes it.
  std::string spool_dir;
  // The spool's bound: WriteBlock waits for acknowledgements rather than
  // let the spool drop a block to make room.
  uint64_t spool_max_bytes = uint64_t{256} << 20;
  // How long WriteBlock and Finish wait without a single acknowledgement
  // before giving up on the store.
  absl::Duration stall_timeout = absl::Seconds(60);
};

class StoreSink : public BlockSink {
 public:
  // Opens the spool and starts shipping. InvalidArgument/NotFound for TLS
  // files or a spool that cannot be used, naming them.
  static absl::StatusOr<std::unique_ptr<StoreSink>> Open(StoreSinkOptions options);
  ~StoreSink() override;

  // Queues the block (durably, in the spool) and returns. DeadlineExceeded
  // when the spool is full and the store acknowledged nothing for
  // stall_timeout.
  absl::Status WriteBlock(absl::string_view iface, int64_t time,
                          absl::Span<const flow::FlowRow> rows, const BlockOrigin& origin) override;

  // Waits until the store has acknowledged every queued block, then moves
  // the blocks it did not store out of `stats`' written counts: blocks it
  // already held (DUPLICATE, left as they were) to the skipped ones, blocks
  // it rejected (nothing of them written) to the unwritten rows. Returns
  // OK when every block is stored (or, with skip_existing, already was);
  // else InvalidArgument whose message has one line per rejected block
  // ("FILE:LINES: block TIME (UNIX) of IFACE: rejected by the store: WHY"),
  // AlreadyExists for blocks the store already had without skip_existing,
  // or DeadlineExceeded when the store stopped acknowledging (the message
  // has the shipper's last error).
  absl::Status Finish(bool skip_existing, ImportStats* stats);

 private:
  struct Queued {
    std::string iface;
    int64_t time = 0;
    std::string where;
    int64_t lines = 0;
    int64_t flows = 0;
  };
  StoreSink(StoreSinkOptions options, std::unique_ptr<ship::BatchSpool> spool);
  void OnAck(const v1::IngestAck& ack);
  // Waits until `done` holds, as long as acknowledgements keep coming.
  absl::Status WaitWhileAcked(const std::function<bool()>& done, absl::string_view waiting_for);

  const StoreSinkOptions options_;
  std::unique_ptr<ship::BatchSpool> spool_;
  std::unique_ptr<ship::BatchShipper> shipper_;

  absl::Mutex mu_;
  std::map<uint64_t, Queued> queued_ ABSL_GUARDED_BY(mu_);  // by spool sequence
  std::vector<std::pair<Queued, std::string>> rejected_ ABSL_GUARDED_BY(mu_);  // and why
  std::vector<Queued> duplicates_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> stored_ifaces_ ABSL_GUARDED_BY(mu_);
  absl::Time last_ack_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_STORE_SINK_H_
