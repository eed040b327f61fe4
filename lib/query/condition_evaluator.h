#ifndef GOPROBE_LIB_QUERY_CONDITION_EVALUATOR_H_
#define GOPROBE_LIB_QUERY_CONDITION_EVALUATOR_H_

// Runs a normalised row predicate (condition_normalizer.h) over goDB blocks,
// a column at a time.
//
// Each comparison becomes a tight loop over one column that sets bits of a
// bitmap, 64 rows per word; and/or combine bitmaps word by word, stopping
// early once an and is empty or an or is full. Addresses are compared as
// numbers, IPv4 rows (uint32) and IPv6 rows (uint128) in separate loops: an
// IPv4 address or network never matches an IPv6 row and vice versa, so one
// family's half of a comparison is a constant fill. Several = on one
// attribute under an or (and several != under an and) become one set lookup:
// `dport = 80 or dport = 443 or ...` tests a 64 Ki-bit port table, a list of
// hosts a hash set.
//
// A compiled evaluator is immutable and may be shared by scanning threads;
// each thread brings its own RowSelection.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flow/flow.h"
#include "lib/godb/block.h"
#include "lib/godb/column.h"
#include "lib/query/condition.h"
#include "lib/query/condition_normalizer.h"
#include "lib/query/row_selection.h"

namespace goprobe::query {

class ConditionEvaluator {
 public:
  // Matches every row and needs no column.
  ConditionEvaluator();

  // Compiles the row predicate of `condition`; its direction filter is not a
  // row predicate and is ignored here (see condition_normalizer.h).
  static absl::StatusOr<ConditionEvaluator> Compile(const NormalizedCondition& condition);
  // Compiles a normalised row predicate: no not, host, net or dir, as
  // NormalizeCondition produces. InvalidArgument for anything else.
  static absl::StatusOr<ConditionEvaluator> Compile(const condition::Node& rows);

  ConditionEvaluator(ConditionEvaluator&&) noexcept;
  ConditionEvaluator& operator=(ConditionEvaluator&&) noexcept;
  ~ConditionEvaluator();

  // The columns Evaluate reads: sip, dip, dport, proto as the condition
  // mentions them; none when it matches everything.
  godb::ColumnSet columns() const { return columns_; }
  bool matches_all() const { return ops_.empty(); }

  // Selects the rows of `block` the condition holds for, replacing what
  // *selection held. Every column in columns() must have been read (at least
  // `rows` values, split by family for sip/dip); FailedPrecondition naming
  // the column otherwise. No allocation once *selection is warm.
  absl::Status Evaluate(const godb::BlockColumns& block, RowSelection* selection) const;

  // Whether one flow matches; for flows that are not in a block (the live
  // window), and for tests.
  bool Matches(const flow::FlowKey& key) const;

 private:
  enum class OpKind : uint8_t {
    kAnd,
    kOr,
    kAddress,     // sip/dip, masked: an exact address is a full-length mask
    kAddressSet,  // sip/dip in (or, negated, not in) a set of addresses
    kPort,        // dport <op> number
    kPortSet,     // dport in / not in a set
    kProto,       // proto <op> number
    kProtoSet,    // proto in / not in a set
  };
  struct Op {
    OpKind kind = OpKind::kAnd;
    bool dst = false;                                      // address ops: the dip column, else sip
    bool negate = false;                                   // address and set ops: != / not in
    bool v6 = false;                                       // kAddress: the value's family
    condition::CompareOp cmp = condition::CompareOp::kEq;  // kPort, kProto
    uint32_t v4_value = 0, v4_mask = 0;
    absl::uint128 v6_value = 0, v6_mask = 0;
    uint32_t number = 0;                         // kPort, kProto
    uint32_t set = 0;                            // set ops: index into the matching sets vector
    uint32_t first_child = 0, num_children = 0;  // into children_
  };
  struct AddressSet {
    absl::flat_hash_set<uint32_t> v4;
    absl::flat_hash_set<absl::uint128> v6;
  };
  class Compiler;

  void EvalOp(uint32_t op, const godb::BlockColumns& block, uint64_t* out, size_t depth,
              RowSelection* selection) const;
  void EvalLeaf(const Op& op, const godb::BlockColumns& block, uint64_t* out) const;
  bool MatchesOp(uint32_t op, const flow::FlowKey& key) const;

  std::vector<Op> ops_;  // empty: matches everything; else ops_[root_] is the root
  std::vector<uint32_t> children_;
  std::vector<AddressSet> address_sets_;
  std::vector<std::vector<uint64_t>> port_sets_;     // 1024 words: one bit per port
  std::vector<std::array<uint64_t, 4>> proto_sets_;  // one bit per protocol
  uint32_t root_ = 0;
  size_t depth_ = 0;  // of the compiled tree, for the scratch bitmaps
  godb::ColumnSet columns_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_CONDITION_EVALUATOR_H_
