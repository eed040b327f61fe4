#ifndef GOPROBE_LIB_QUERY_QUERY_PROTO_H_
#define GOPROBE_LIB_QUERY_QUERY_PROTO_H_

// Between the engine's types and the Query service's wire messages.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/query/condition_row_selector.h"
#include "lib/dns/reverse_dns.h"
#include "lib/query/query_result.h"
#include "lib/query/query_spec.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::query {

// Compiles a condition string: normally CompileCondition
// (condition_row_selector.h); tests substitute their own.
using ConditionCompiler = std::function<absl::StatusOr<CompiledCondition>(absl::string_view)>;

struct ServerLimits {
  uint64_t max_memory_bytes = 0;  // the server's own cap; 0: none
  uint64_t physical_memory_bytes = 0;  // for max_memory_percent; 0: read from the system
  // Most result rows one query may return (its top-N cut); 0: no cap. A
  // request whose limit is above it is refused; one for every row (limit 0)
  // gets the first max_rows, and its summary's hits_total tells how many
  // there were. Partial queries (a root's, to its leaves) are not cut: the
  // memory cap bounds them.
  uint64_t max_rows = 0;
};

// The shortest progress interval a request gets (progress_interval_ms below
// it is raised to it).
inline constexpr absl::Duration kMinProgressInterval = absl::Milliseconds(100);

// The QuerySpec a request asks for. InvalidArgument names the field at fault
// (no attributes, an attribute that is not one, a bad time range, a
// resolution that is not a multiple of 300, an interface regex, a condition,
// a limit above the server's max_rows).
// The spec's cancellation flag, progress and threads are left for the caller.
absl::StatusOr<QuerySpec> SpecFromRequest(const v1::QueryRequest& request,
                                          const ConditionCompiler& compile_condition,
                                          const ServerLimits& limits);

// The resolution a request for time gets when it asked for "auto": the
// smallest of 5 min, 15 min, 30 min, 1 h, 3 h, 6 h, 12 h and 1 day that
// gives at most 288 bins over [first, last]; 5 minutes for an open range.
int64_t AutoResolution(int64_t first, int64_t last);

// Splits `rows` into RowsChunk messages of at most `rows_per_chunk` rows,
// filling the columns of `attributes`. With `names` (QueryRequest.dns), the
// sip_name / dip_name columns are filled too: an address's name, or "".
std::vector<v1::QueryResponse> RowsToChunks(const std::vector<ResultRow>& rows,
                                            AttributeSet attributes, size_t rows_per_chunk,
                                            const dns::AddressNames* names = nullptr);

// Reverse DNS for the sip and dip of the first rows, as `dns` asks (its
// zeros mean: 1 s, 25 rows, as goquery -r). Empty unless dns.enabled and an
// address is among `attributes`. `took` receives the time spent.
dns::AddressNames ResolveRowNames(const std::vector<ResultRow>& rows, AttributeSet attributes,
                                  const v1::DnsResolution& dns, absl::Duration* took,
                                  const dns::ReverseLookup& lookup = dns::SystemReverseLookup);

// Rows back from chunks (for a root merging its leaves, and for clients).
// InvalidArgument if a chunk's columns disagree with its row count.
absl::StatusOr<std::vector<ResultRow>> RowsFromChunk(const v1::RowsChunk& chunk);

v1::Progress ProgressToProto(const ScanStats& scan, absl::Duration elapsed);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_QUERY_PROTO_H_
