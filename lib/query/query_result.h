#ifndef GOPROBE_LIB_QUERY_QUERY_RESULT_H_
#define GOPROBE_LIB_QUERY_QUERY_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/flow/flow.h"
#include "lib/query/aggregation.h"
#include "lib/query/query_spec.h"
#include "lib/query/v6_address_ids.h"

namespace goprobe::query {

// One row of a result: the selected attributes (others are zero/empty) and
// the summed counters.
struct ResultRow {
  int64_t time = 0;  // end of the row's time bucket, when time is selected
  std::string hostname;  // when host is selected
  uint64_t host_id = 0;  // when hostid is selected
  std::string iface;
  flow::IpAddress sip, dip;
  uint16_t dport = 0;
  uint8_t proto = 0;
  flow::Counters counters;
};

struct QueryResult {
  // Sorted and cut to the limit (unsorted and complete for partial queries).
  std::vector<ResultRow> rows;
  // Sums over all hits, not only the rows returned, after the direction
  // (received only for --in, sent only for --out).
  flow::Counters totals;
  uint64_t hits_total = 0;
  // Oldest and newest block time scanned; 0 when nothing was scanned.
  int64_t time_first = 0;
  int64_t time_last = 0;
  // Interfaces that had blocks in range, sorted.
  std::vector<std::string> interfaces;
  ScanStats scan;
  // Days and blocks that were skipped as damaged, each naming the file.
  std::vector<std::string> problems;
  absl::Duration duration;
};

// How the engine's labels map back to interfaces and times.
struct LabelTable {
  std::vector<std::string> ifaces;  // by interface index
  int64_t first_bucket = 0;         // time of bucket 0
  int64_t resolution = 300;

  static constexpr int kBucketBits = 24;
  static constexpr size_t kMaxIfaces = 255;
  static uint32_t Make(uint32_t iface_index, uint32_t bucket) {
    return iface_index << kBucketBits | bucket;
  }
  const std::string& Iface(uint32_t label) const { return ifaces[label >> kBucketBits]; }
  int64_t Time(uint32_t label) const {
    return first_bucket + int64_t(label & ((1u << kBucketBits) - 1)) * resolution;
  }
};

// Turns merged aggregates into result rows: applies the direction filter
// and the direction, computes
// totals and hits, sorts (ties broken by time, host, host id, interface, sip,
// dip, dport, proto, so that equal inputs give equal outputs on every host)
// and cuts to the limit. Partial queries keep raw counters and skip the
// direction filter, sorting and cutting, all of which a root does after
// merging. Host
// labels are left empty: the caller knows which host it is.
// `v6_ids` numbered the aggregate's IPv6 addresses; `threads` threads walk
// the groups.
void FinalizeRows(const Aggregate& aggregate, const V6AddressIds& v6_ids,
                  const LabelTable& labels, const QuerySpec& spec, int threads,
                  QueryResult* result);

// Sorts rows and cuts them to the limit as `spec` says (nothing for partial
// queries).
void SortAndCut(const QuerySpec& spec, std::vector<ResultRow>* rows);

// For merged partial results (a root): applies the direction filter and the
// direction (--in/--out), sets totals and hits, sorts and cuts. `rows` must
// hold raw counters, as partial results do.
void FinishMergedRows(const QuerySpec& spec, std::vector<ResultRow> rows, QueryResult* result);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_QUERY_RESULT_H_
