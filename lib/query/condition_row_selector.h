#ifndef GOPROBE_LIB_QUERY_CONDITION_ROW_SELECTOR_H_
#define GOPROBE_LIB_QUERY_CONDITION_ROW_SELECTOR_H_

// The condition language as the query engine takes it: one call from the
// condition text to the RowSelector the scan runs (row_selector.h), with the
// direction filter handed back beside it because it is not a row predicate.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/query/condition.h"
#include "lib/query/row_selector.h"

namespace goprobe::query {

struct CompiledCondition {
  // Keeps the rows of each block the condition holds for; null when every
  // row matches (no row predicate, e.g. the condition was "dir = in").
  std::shared_ptr<const RowSelector> rows;
  // goQuery's `dir = ...`: the engine keeps only the result rows whose
  // merged counters satisfy condition::DirectionMatches, after the last merge
  // (at a root, on the merged rows of all hosts) and before sorting and
  // top-N; totals count only the kept rows. nullopt: no filter.
  std::optional<condition::Direction> direction;
  // The canonical text of the whole condition, for a summary's
  // "Conditions" line: "dport = 443 and (sip = 10.0.0.1 or dip = 10.0.0.1)".
  std::string text;
};

// Parses, normalises and compiles `text`. Errors are condition_error.h's
// (InvalidArgument "condition: position N: ..."). The selector is immutable
// and may be used by any number of scanning threads at once; each thread
// keeps its own working memory, so once warm, Select allocates only when
// *rows must grow.
absl::StatusOr<CompiledCondition> CompileCondition(absl::string_view text);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_CONDITION_ROW_SELECTOR_H_
