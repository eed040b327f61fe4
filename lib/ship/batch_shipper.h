#ifndef GOPROBE_LIB_SHIP_BATCH_SHIPPER_H_
#define GOPROBE_LIB_SHIP_BATCH_SHIPPER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/rpc/tls.h"
#include "lib/ship/batch_spool.h"
#include "proto/goprobe/v1/store.pb.h"

namespace goprobe::ship {

struct ShipperOptions {
  std::string address;  // gostore: host:port or unix:/path
  std::string api_key;  // sent as "authorization: Bearer <key>" when not empty
  // TLS to a TCP address: the CA to trust (empty: the system's), a client
  // certificate and key when the store requires one, and the name to check
  // when it differs from the address's host. Refused for a unix: address.
  rpc::ClientTlsOptions tls;
  // Batches sent but not yet acknowledged, per stream.
  int window = 4;
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
  // Told of every acknowledgement, after its batch left the spool, on the
  // shipping thread; for a caller that reports each batch's fate itself
  // (goconvert names the input lines of a rejected block). May be empty;
  // must not call into the shipper.
  std::function<void(const v1::IngestAck&)> on_ack;
};

// What the shipper has done, for the probe's status and logs.
struct ShipperStats {
  // How the last shipping attempt ended: an acknowledgement (kOk for STORED
  // or DUPLICATE, kRejected) or a stream that ended in error (kError).
  enum class Result { kNone, kOk, kError, kRejected };

  uint64_t stored = 0;      // acknowledged as newly stored
  uint64_t duplicates = 0;  // acknowledged as already stored (a retry)
  uint64_t rejected = 0;    // refused by the store as invalid: dropped
  uint64_t streams = 0;     // Ingest streams opened
  absl::Time last_ack;      // InfinitePast until the first acknowledgement
  std::string last_error;   // why the last stream ended, empty if it ended cleanly
  bool connected = false;   // an Ingest stream is open now
  uint64_t last_acked_sequence = 0;  // spool sequence of the newest acknowledged batch
  Result last_result = Result::kNone;
  absl::Time last_result_time;  // InfinitePast until the first attempt ended
};

// Sends the batches of a BatchSpool to a gostore over Store.Ingest, oldest
// first, and removes each from the spool when the store acknowledges it.
//
// A batch leaves the spool only on an acknowledgement: STORED and DUPLICATE
// mean it is durable in the store; REJECTED means the store will never take
// it (logged as an error, counted). Anything else (store down, restarted,
// disk full, network gone) ends the stream; the shipper reconnects with
// exponential backoff and replays everything still spooled from the oldest,
// which the store's deduplication turns into exactly-once storage.
//
// With TLS, the certificate files are read at Start (which refuses them when
// they are unreadable or do not match) and read again before a new stream
// whenever one of them changed on disk, so renewed certificates are used
// without a restart; a renewal that does not load is logged and the
// previous credentials stay.
class BatchShipper {
 public:
  BatchShipper(BatchSpool* spool, ShipperOptions options);
  // Stops (see Stop).
  ~BatchShipper();

  // Loads the TLS files, if any, and starts the shipping thread.
  // InvalidArgument/NotFound naming the file at fault, or TLS asked for a
  // unix socket; the thread is not started then.
  absl::Status Start();
  // Tells the shipper the spool has a new batch.
  void Notify();
  // Ends the current stream and the thread; unacknowledged batches stay in
  // the spool for the next run.
  void Stop();
  // Waits until the spool is empty; false on timeout. On true, stats()
  // already counts the acknowledgement of every batch that left the spool.
  bool WaitUntilDrained(absl::Duration timeout);

  ShipperStats stats() const;

 private:
  void Run();
  // One Ingest stream: returns why it ended.
  absl::Status RunStream();
  // The channel for the next stream, reloading changed TLS files first.
  std::shared_ptr<grpc::Channel> Connect();
  // Modification times of the TLS files, to notice renewals.
  std::vector<int64_t> TlsFileTimes() const;

  BatchSpool* const spool_;
  const ShipperOptions options_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;  // Notify and Stop
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by Notify
  ShipperStats stats_ ABSL_GUARDED_BY(mu_);
  void* active_context_ ABSL_GUARDED_BY(mu_) = nullptr;  // grpc::ClientContext* of the stream
  // Used by the shipping thread only (and Start before it runs).
  std::optional<rpc::ClientChannelFactory> channels_;
  std::vector<int64_t> tls_file_times_;
  std::thread thread_;
};

}  // namespace goprobe::ship

#endif  // GOPROBE_LIB_SHIP_BATCH_SHIPPER_H_
