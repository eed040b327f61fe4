#ifndef GOPROBE_LIB_QUERY_CONDITION_NORMALIZER_H_
#define GOPROBE_LIB_QUERY_CONDITION_NORMALIZER_H_

// Turns a parsed condition into what the engine runs: a row predicate in a
// form the evaluator compiles directly, and the direction filter apart.
//
// The row predicate:
// - has no `not`: negations are pushed to the comparisons (De Morgan), which
//   flip their operator: not (dport < 80) is dport >= 80;
// - has no host or net: `host = X` becomes `sip = X or dip = X`, and
//   `host != X` becomes `sip != X and dip != X` (likewise net with snet/dnet),
//   so "not host X" excludes flows with X on either side;
// - is flat: no and directly under and, no or directly under or.
//
// The direction filter (`dir = ...`) is split off. goQuery applies it to the
// aggregated rows, not to single flows (condition.h, Direction), so it must be
// the whole condition or one term of a top-level `and`
// (`dir = in and dport = 443`); at most one may be given. The engine applies
// it with DirectionMatches to each result row's merged counters, after the
// last merge (at a root, to the merged rows of all hosts), before sorting and
// top-N, and the totals count only the rows it keeps.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/query/condition.h"

namespace goprobe::query {

struct NormalizedCondition {
  // The row predicate over sip, dip, snet, dnet, dport and proto; nullopt
  // when every row matches (the condition was a direction filter alone).
  std::optional<condition::Node> rows;
  // The filter on aggregated rows; nullopt for none.
  std::optional<condition::Direction> direction;
};

// Normalises `parsed`. InvalidArgument with the offending comparison's
// position (condition_error.h) for a misplaced or repeated dir, and, for
// hand-built trees, for what the parser would have refused (an ordering
// operator on addresses or networks, a value of the wrong kind).
absl::StatusOr<NormalizedCondition> NormalizeCondition(const condition::Node& parsed);

// ParseCondition, then NormalizeCondition.
absl::StatusOr<NormalizedCondition> PrepareCondition(absl::string_view text);

// The canonical text of a normalised condition: the row predicate, then
// " and dir = ..." when there is a direction filter; "" for neither. Parsing
// and normalising it again gives an equal condition.
std::string ToString(const NormalizedCondition& c);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_CONDITION_NORMALIZER_H_
