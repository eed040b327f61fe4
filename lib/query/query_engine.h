#ifndef GOPROBE_LIB_QUERY_QUERY_ENGINE_H_
#define GOPROBE_LIB_QUERY_QUERY_ENGINE_H_

#include "absl/status/statusor.h"
#include "lib/godb/db_reader.h"
#include "lib/query/query_result.h"
#include "lib/query/query_spec.h"

namespace goprobe::query {

// Answers `spec` over the goDB directory `db`: selects interfaces and days,
// reads only the columns the attributes and condition need, filters and
// groups every block in range on all cores, and returns the sorted, cut
// result with totals.
//
// Damaged days and blocks are skipped and listed in problems, never fatal.
// A database or interface without data gives an empty result. Errors:
// InvalidArgument (bad time range or resolution), ResourceExhausted (the
// aggregation outgrew spec.max_memory_bytes), DeadlineExceeded, Cancelled.
absl::StatusOr<QueryResult> RunQuery(const godb::DbReader& db, const QuerySpec& spec);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_QUERY_ENGINE_H_
