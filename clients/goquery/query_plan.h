#ifndef GOPROBE_CLIENTS_GOQUERY_QUERY_PLAN_H_
#define GOPROBE_CLIENTS_GOQUERY_QUERY_PLAN_H_

// From what the user typed (QueryArgs) to what goquery runs and prints: the
// QueryRequest (the same for goqueryd and for the in-process engine, so both
// ways in answer alike), the layout of the output, and the client-side
// options. Every check that can be made without data is made here, so
// mistakes are reported before any work starts.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/goquery/output_format.h"
#include "clients/goquery/query_args.h"
#include "clients/goquery/result_layout.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::goquery {

// Defaults goQuery applies when -f is not given: a month back, a day back
// for queries with the time attribute (which print a row per five minutes).
inline constexpr absl::Duration kDefaultSpan = absl::Hours(24 * 30);
inline constexpr absl::Duration kDefaultTimeSpan = absl::Hours(24);

struct ReverseDnsPlan {
  bool enabled = false;
  absl::Duration timeout = absl::Seconds(1);
  uint64_t max_rows = 25;
};

struct QueryPlan {
  v1::QueryRequest request;
  ResultLayout layout;
  OutputFormat format = OutputFormat::kTxt;
  // Files to append the output to; empty: standard output.
  std::vector<std::string> outputs;
  ReverseDnsPlan dns;
  // 0: none.
  absl::Duration timeout;
  // Whether -f was left to its default, for the "no data" hint.
  bool first_defaulted = false;
};

// Checks `args` and builds the plan; `now` and `tz` resolve relative and
// zone-less times. InvalidArgument with one line naming the argument
// ("-s: ...", "-f: ..."), except for condition errors, which come back as
// the condition compiler reports them (condition_error.h: the message holds
// the position for the caret).
absl::StatusOr<QueryPlan> BuildQueryPlan(const QueryArgs& args, absl::Time now, absl::TimeZone tz);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_QUERY_PLAN_H_
