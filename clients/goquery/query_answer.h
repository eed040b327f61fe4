#ifndef GOPROBE_CLIENTS_GOQUERY_QUERY_ANSWER_H_
#define GOPROBE_CLIENTS_GOQUERY_QUERY_ANSWER_H_

// The one form every answer takes on its way to the screen, whether it was
// computed in-process (-d) or streamed from goqueryd (--server): rows in
// their final order, each host's status and one summary, as Query.Run
// streams them. The output formats only ever see this.

#include <vector>

#include "absl/status/status.h"
#include "lib/query/query_result.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::goquery {

// Receives an answer as it arrives: rows (any number of calls, in final
// order), progress and host statuses in between, then exactly one summary.
// An error from a callback ends the query with that error.
class AnswerSink {
 public:
  virtual ~AnswerSink() = default;
  virtual absl::Status OnRows(std::vector<query::ResultRow> rows) = 0;
  virtual void OnProgress(const v1::Progress& progress) {}
  virtual void OnHostStatus(const v1::HostStatus& status) = 0;
  virtual absl::Status OnSummary(const v1::Summary& summary) = 0;
};

// A whole answer.
struct QueryAnswer {
  std::vector<query::ResultRow> rows;
  std::vector<v1::HostStatus> hosts;
  v1::Summary summary;
};

// Whether any block was in range at all: without, the status is goQuery's
// "missing_data" rather than "empty".
inline bool DataAvailable(const v1::Summary& s) {
  return s.time_first() != 0 || s.interfaces_size() > 0;
}

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_QUERY_ANSWER_H_
