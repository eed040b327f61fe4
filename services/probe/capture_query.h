#ifndef GOPROBE_SERVICES_PROBE_CAPTURE_QUERY_H_
#define GOPROBE_SERVICES_PROBE_CAPTURE_QUERY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/flow/flow.h"
#include "services/probe/aggregator.h"

namespace goprobe::probe {

// One interface's capture as its capture thread sees it at one instant.
struct CaptureSnapshot {
  absl::Time taken;
  // When the capture was opened (unix seconds).
  int64_t capture_started_at = 0;
  // Since capture_started_at, and in the current window so far.
  WindowStats total;
  WindowStats window;
  // Sum of the current window's flow counters, and how many conversations
  // have packets in it.
  flow::Counters traffic;
  uint64_t active_flows = 0;
  // The block time the current window will be written under if it runs to
  // its end, and that of the last window handed to the writer (0: none yet).
  int64_t window_block_time = 0;
  int64_t last_block_time = 0;
  // The current window's flows in goDB order with unique keys; filled only
  // for a query that asks for them.
  std::vector<flow::FlowRow> rows;
};

// A question to one capture thread, answered exactly once: by the capture
// thread, or by the mailbox when the capture ends first. Shared between the
// asker and the mailbox, so either may go away first.
class CaptureQuery {
 public:
  explicit CaptureQuery(bool with_rows) : with_rows_(with_rows) {}

  bool with_rows() const { return with_rows_; }
  // Sets the answer; later calls are ignored.
  void Answer(absl::StatusOr<CaptureSnapshot> answer);
  // Waits up to `timeout` for the answer and moves it out (call once).
  // DeadlineExceeded when none came in time.
  absl::StatusOr<CaptureSnapshot> Take(absl::Duration timeout);

 private:
  const bool with_rows_;
  absl::Mutex mu_;
  std::optional<absl::StatusOr<CaptureSnapshot>> answer_ ABSL_GUARDED_BY(mu_);
};

// The queries waiting for one capture thread.
//
// Any thread Posts; the capture thread checks pending() between reads (one
// relaxed atomic load, no lock) and, when it is set, Serves every waiting
// query at a point where its state is consistent. Close() (the capture
// ending) answers whatever waits, and every later Post at once, with its
// status, so no asker waits for a thread that is gone.
class QueryMailbox {
 public:
  void Post(std::shared_ptr<CaptureQuery> query);
  bool pending() const { return pending_.load(std::memory_order_relaxed); }
  // Capture thread: answers each waiting query with `answer(query)`.
  void Serve(const std::function<absl::StatusOr<CaptureSnapshot>(const CaptureQuery&)>& answer);
  void Close(const absl::Status& why);

 private:
  std::atomic<bool> pending_{false};
  absl::Mutex mu_;
  std::vector<std::shared_ptr<CaptureQuery>> waiting_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_CAPTURE_QUERY_H_
