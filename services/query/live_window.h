#ifndef GOPROBE_SERVICES_QUERY_LIVE_WINDOW_H_
#define GOPROBE_SERVICES_QUERY_LIVE_WINDOW_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/flow/flow.h"
#include "lib/godb/db_reader.h"
#include "lib/query/query_result.h"
#include "lib/query/query_spec.h"
#include "proto/goprobe/v1/probe.grpc.pb.h"
#include "services/query/client_call_canceller.h"

namespace goprobe::query {

// The flows of a probe's current, not yet written five-minute window, one
// entry per capturing interface, as Probe.LiveFlows sent them.
struct LiveWindow {
  struct Interface {
    std::string iface;
    int64_t block_time = 0;  // the block the window will be written as
    std::vector<flow::FlowRow> rows;
  };
  std::vector<Interface> interfaces;
};

// The co-located probe a leaf asks for its live window (goquery --live).
// Thread-safe.
class ProbeLiveSource {
 public:
  ProbeLiveSource(std::shared_ptr<grpc::Channel> channel, std::string address, std::string api_key,
                  absl::Duration timeout);

  // One snapshot of every capturing interface's window, within the timeout.
  // Unavailable / DeadlineExceeded / Unauthenticated ... naming the probe's
  // address; InvalidArgument when the probe sent batches that break the
  // FlowBatch rules. `calls` (may be null) cancels the call.
  absl::StatusOr<LiveWindow> Fetch(ClientCallCanceller* calls) const;

  const std::string& address() const { return address_; }

 private:
  std::unique_ptr<v1::Probe::Stub> stub_;
  const std::string address_;
  const std::string api_key_;
  const absl::Duration timeout_;
};

// The live rows `spec` selects (interfaces, time range, condition), one per
// flow with only its attributes kept and raw counters, for MergeRows to group
// together with the stored data's partial rows. An interface whose window is
// already a stored block in `db` (it rotated after the snapshot) is left out,
// so nothing is counted twice. Host labels are left for the caller.
// `used_ifaces` and `block_times` receive what contributed.
std::vector<ResultRow> AggregateLiveWindow(const QuerySpec& spec, const LiveWindow& window,
                                           const godb::DbReader& db,
                                           std::vector<std::string>* used_ifaces,
                                           std::vector<int64_t>* block_times);

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_LIVE_WINDOW_H_
