#ifndef GOPROBE_SERVICES_QUERY_FAN_OUT_H_
#define GOPROBE_SERVICES_QUERY_FAN_OUT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/query/query_result.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "services/query/client_call_canceller.h"
#include "services/query/leaf_client.h"
#include "services/query/peer_set.h"

namespace goprobe::query {

// What one leaf answered.
struct LeafAnswer {
  std::string address;
  v1::HostStatus status;  // the leaf's own, or ERROR / TIMEOUT made here
  std::vector<ResultRow> rows;
  v1::Summary summary;
  bool ok = false;  // rows and summary are valid
};

// Runs `request` on every leaf in `leaves`, at most `max_concurrent` at a
// time, each bounded by `host_timeout`, and returns one answer per leaf in
// the given order. `done` (if set) is called, one call at a time, as each
// leaf finishes. `calls` (may be null) stops the calls in flight and those
// not yet started when it is cancelled: they answer as errors.
std::vector<LeafAnswer> FanOutRun(const LeafClient* client, const std::vector<Peer>& leaves,
                                  const v1::QueryRequest& request, absl::Duration host_timeout,
                                  int max_concurrent, ClientCallCanceller* calls,
                                  const std::function<void(size_t done)>& done);

// Sums the rows of several partial answers: rows with equal labels and
// attributes become one.
std::vector<ResultRow> MergeRows(std::vector<std::vector<ResultRow>*> parts);

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_FAN_OUT_H_
