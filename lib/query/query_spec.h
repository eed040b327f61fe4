#ifndef GOPROBE_LIB_QUERY_QUERY_SPEC_H_
#define GOPROBE_LIB_QUERY_QUERY_SPEC_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "lib/query/attributes.h"
#include "lib/query/condition.h"
#include "lib/query/interface_selector.h"
#include "lib/query/row_selector.h"

namespace goprobe::query {

enum class SortBy { kBytes, kPackets, kTime };

// Which counters a result shows and sorts by, as goQuery's --in, --out and
// --sum: both directions side by side (the default, sorted by their sum),
// received only, sent only, or their sum as one figure. In and out drop rows
// that have nothing in that direction.
enum class Direction { kBoth, kIn, kOut, kSum };

// Progress of a running query, reported while it scans.
struct ScanStats {
  uint64_t blocks_total = 0;
  uint64_t blocks_scanned = 0;
  uint64_t blocks_corrupt = 0;
  uint64_t rows_scanned = 0;
};

// Everything the engine needs to answer one query over one goDB directory.
struct QuerySpec {
  AttributeSet attributes;
  // Rows to keep; null keeps every row.
  std::shared_ptr<const RowSelector> condition;
  // goQuery's `dir = in|out|uni|bi`: keeps the result rows whose merged
  // packet counters match (condition::DirectionMatches), before totals,
  // sorting and the cut. Not applied to partial results: a root applies it
  // after merging.
  std::optional<condition::Direction> direction_filter;
  InterfaceSelector interfaces;
  // Blocks with first <= block time <= last.
  int64_t first = 0;
  int64_t last = 0;
  SortBy sort_by = SortBy::kBytes;
  bool ascending = false;
  // Rows returned at most; 0 returns every row.
  uint64_t limit = 1000;
  Direction direction = Direction::kBoth;
  // Width of a time label in seconds: a multiple of 300; 0 or 300 keeps each
  // block's own time.
  int64_t resolution = 0;
  // No cut, no sort: every aggregated row, for a root that merges partial
  // results of several hosts exactly.
  bool partial = false;
  // Limits: the aggregation's estimated memory, the wall clock, and a flag
  // the caller sets when the client goes away. Exceeding one ends the query
  // with ResourceExhausted, DeadlineExceeded or Cancelled.
  uint64_t max_memory_bytes = 0;  // 0: no limit
  absl::Time deadline = absl::InfiniteFuture();
  const std::atomic<bool>* cancelled = nullptr;
  // Scanning threads; 0 uses every core.
  int threads = 0;
  // Called from one scanning thread about every progress_interval.
  std::function<void(const ScanStats&)> progress;
  absl::Duration progress_interval = absl::Milliseconds(250);
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_QUERY_SPEC_H_
