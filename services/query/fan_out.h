#ifndef GOPROBE_SERVICES_QUERY_FAN_OUT_H_
#define GOPROBE_SERVICES_QUERY_FAN_OUT_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/query/query_result.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::query {

// What one leaf answered.
struct LeafAnswer {
  std::string address;
  v1::HostStatus status;  // the leaf's own, or ERROR / TIMEOUT made here
  std::vector<ResultRow> rows;
  v1::Summary summary;
  bool ok = false;  // rows and summary are valid
};

// Runs `request` on every address in `leaves`, at most `max_concurrent` at a
// time, each bounded by `host_timeout`, and returns one answer per address
// in the given order. `done` (if set) is called as each leaf finishes;
// setting `*cancelled` stops waiting for the rest.
std::vector<LeafAnswer> FanOutRun(const std::vector<std::string>& leaves,
                                  const v1::QueryRequest& request, const std::string& api_key,
                                  absl::Duration host_timeout, int max_concurrent,
                                  const std::atomic<bool>* cancelled,
                                  const std::function<void(size_t done)>& done);

// Sums the rows of several partial answers: rows with equal labels and
// attributes become one.
std::vector<ResultRow> MergeRows(std::vector<std::vector<ResultRow>*> parts);

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_FAN_OUT_H_
