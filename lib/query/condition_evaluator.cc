#include "lib/query/condition_evaluator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace goprobe::query {

using condition::Attribute;
using condition::AttributeName;
using condition::CompareOp;
using condition::CompareOpSymbol;
using condition::Comparison;
using condition::Direction;
using condition::Network;
using condition::Node;
using condition::Port;
using condition::Protocol;

namespace {

// Fewer equal-comparisons than this stay separate loops: a loop per value
// beats a hash lookup per row for a handful of values.
constexpr size_t kMinSetSize = 4;

// Sets bit begin+k of `words` to pred(k) for k in [0, count). The bits must
// be zero beforehand. Whole words are built in a register and stored once.
template <typename Pred>
inline void FillBits(uint64_t* words, uint32_t begin, uint32_t count, Pred pred) {
  uint32_t k = 0, bit = begin;
  for (; k < count && (bit & 63) != 0; ++k, ++bit) {
    words[bit >> 6] |= uint64_t(pred(k)) << (bit & 63);
  }
  for (; count - k >= 64; k += 64, bit += 64) {
    uint64_t w = 0;
    for (uint32_t j = 0; j < 64; ++j) w |= uint64_t(pred(k + j)) << j;
    words[bit >> 6] = w;
  }
  for (; k < count; ++k, ++bit) {
    words[bit >> 6] |= uint64_t(pred(k)) << (bit & 63);
  }
}

// Sets bits [begin, begin + count) when `value`; they are zero beforehand.
inline void FillConst(uint64_t* words, uint32_t begin, uint32_t count, bool value) {
  if (!value || count == 0) return;
  uint32_t bit = begin;
  const uint32_t end = begin + count;
  for (; bit < end && (bit & 63) != 0; ++bit) words[bit >> 6] |= uint64_t{1} << (bit & 63);
  for (; end - bit >= 64; bit += 64) words[bit >> 6] = ~uint64_t{0};
  for (; bit < end; ++bit) words[bit >> 6] |= uint64_t{1} << (bit & 63);
}

// `col[k] op value` for k in [0, count), with the operator chosen once per
// call rather than per row.
template <typename T>
void FillCompare(uint64_t* words, uint32_t begin, uint32_t count, const T* col, CompareOp op,
                 T value) {
  switch (op) {
    case CompareOp::kEq:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] == value; });
    case CompareOp::kNe:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] != value; });
    case CompareOp::kLt:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] < value; });
    case CompareOp::kGt:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] > value; });
    case CompareOp::kLe:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] <= value; });
    case CompareOp::kGe:
      return FillBits(words, begin, count, [=](uint32_t k) { return col[k] >= value; });
  }
}

inline bool TestBit(const uint64_t* table, uint32_t i) { return (table[i >> 6] >> (i & 63)) & 1; }
inline void SetBit(uint64_t* table, uint32_t i) { table[i >> 6] |= uint64_t{1} << (i & 63); }

bool AllZero(const uint64_t* words, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (words[i] != 0) return false;
  }
  return true;
}

bool AllSet(const uint64_t* words, uint32_t rows) {
  const size_t full = rows / 64;
  for (size_t i = 0; i < full; ++i) {
    if (words[i] != ~uint64_t{0}) return false;
  }
  if (rows % 64 == 0) return true;
  return words[full] == (uint64_t{1} << (rows % 64)) - 1;
}

uint32_t V4Mask(int prefix_len) { return prefix_len == 0 ? 0 : ~uint32_t{0} << (32 - prefix_len); }
absl::uint128 V6Mask(int prefix_len) {
  return prefix_len == 0 ? absl::uint128(0) : ~absl::uint128(0) << (128 - prefix_len);
}

// Which column (and so which set group) a comparison reads.
enum class Group { kNone, kSip, kDip, kDport, kProto };

Group SetGroup(const Node& n, CompareOp wanted) {
  if (n.kind != Node::Kind::kComparison || n.comparison.op != wanted) return Group::kNone;
  switch (n.comparison.attribute) {
    case Attribute::kSip: return Group::kSip;
    case Attribute::kDip: return Group::kDip;
    case Attribute::kDport: return Group::kDport;
    case Attribute::kProto: return Group::kProto;
    default: return Group::kNone;
  }
}

}  // namespace

class ConditionEvaluator::Compiler {
 public:
  explicit Compiler(ConditionEvaluator* e) : e_(e) {}

  absl::StatusOr<uint32_t> Build(const Node& n, size_t level) {
    switch (n.kind) {
      case Node::Kind::kComparison: return Leaf(n.comparison);
      case Node::Kind::kAnd:
      case Node::Kind::kOr: return Junction(n, level);
      case Node::Kind::kNot: break;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("condition is not normalised: \"not\" at position ", n.position));
  }

 private:
  uint32_t Add(const Op& op) {
    e_->ops_.push_back(op);
    return uint32_t(e_->ops_.size() - 1);
  }

  absl::StatusOr<uint32_t> Leaf(const Comparison& c) {
    Op op;
    op.negate = c.op == CompareOp::kNe;
    op.cmp = c.op;
    switch (c.attribute) {
      case Attribute::kSip:
      case Attribute::kDip:
      case Attribute::kSnet:
      case Attribute::kDnet: {
        op.kind = OpKind::kAddress;
        op.dst = c.attribute == Attribute::kDip || c.attribute == Attribute::kDnet;
        e_->columns_.Add(op.dst ? godb::Column::kDip : godb::Column::kSip);
        flow::IpAddress address;
        int prefix_len;
        if (const Network* net = std::get_if<Network>(&c.value)) {
          address = net->base;
          prefix_len = net->prefix_len;
        } else if (const flow::IpAddress* a = std::get_if<flow::IpAddress>(&c.value)) {
          address = *a;
          prefix_len = a->is_v4() ? 32 : 128;
        } else {
          return NotNormalised(c);
        }
        op.v6 = !address.is_v4();
        if (op.v6) {
          op.v6_mask = V6Mask(prefix_len);
          op.v6_value = godb::V6Value(address) & op.v6_mask;
        } else {
          op.v4_mask = V4Mask(prefix_len);
          op.v4_value = address.v4_value() & op.v4_mask;
        }
        break;
      }
      case Attribute::kDport:
        if (!std::holds_alternative<Port>(c.value)) return NotNormalised(c);
        op.kind = OpKind::kPort;
        op.number = std::get<Port>(c.value).number;
        e_->columns_.Add(godb::Column::kDport);
        break;
      case Attribute::kProto:
        if (!std::holds_alternative<Protocol>(c.value)) return NotNormalised(c);
        op.kind = OpKind::kProto;
        op.number = std::get<Protocol>(c.value).number;
        e_->columns_.Add(godb::Column::kProto);
        break;
      case Attribute::kHost:
      case Attribute::kNet:
      case Attribute::kDir: return NotNormalised(c);
    }
    if ((op.kind == OpKind::kAddress) && c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
      return NotNormalised(c);
    }
    return Add(op);
  }

  absl::Status NotNormalised(const Comparison& c) {
    return absl::InvalidArgumentError(absl::StrCat("condition is not normalised: \"", ToString(c),
                                                   "\" at position ", c.position));
  }

  // A set op over the comparisons `members` (all = under an or, or all !=
  // under an and, on one attribute).
  uint32_t SetOp(Group group, const std::vector<const Comparison*>& members, bool negate) {
    Op op;
    op.negate = negate;
    switch (group) {
      case Group::kSip:
      case Group::kDip: {
        op.kind = OpKind::kAddressSet;
        op.dst = group == Group::kDip;
        e_->columns_.Add(op.dst ? godb::Column::kDip : godb::Column::kSip);
        op.set = uint32_t(e_->address_sets_.size());
        AddressSet& set = e_->address_sets_.emplace_back();
        for (const Comparison* c : members) {
          const flow::IpAddress& a = std::get<flow::IpAddress>(c->value);
          if (a.is_v4()) {
            set.v4.insert(a.v4_value());
          } else {
            set.v6.insert(godb::V6Value(a));
          }
        }
        break;
      }
      case Group::kDport: {
        op.kind = OpKind::kPortSet;
        e_->columns_.Add(godb::Column::kDport);
        op.set = uint32_t(e_->port_sets_.size());
        std::vector<uint64_t>& table = e_->port_sets_.emplace_back(65536 / 64, 0);
        for (const Comparison* c : members) SetBit(table.data(), std::get<Port>(c->value).number);
        break;
      }
      case Group::kProto: {
        op.kind = OpKind::kProtoSet;
        e_->columns_.Add(godb::Column::kProto);
        op.set = uint32_t(e_->proto_sets_.size());
        std::array<uint64_t, 4>& table = e_->proto_sets_.emplace_back();
        table.fill(0);
        for (const Comparison* c : members)
          SetBit(table.data(), std::get<Protocol>(c->value).number);
        break;
      }
      case Group::kNone: break;
    }
    return Add(op);
  }

  // Rough cost of evaluating an op, so cheap ones run first and the
  // early exits of and/or skip the expensive ones more often.
  int Cost(uint32_t index) const {
    const Op& op = e_->ops_[index];
    switch (op.kind) {
      case OpKind::kProto: return 0;
      case OpKind::kPort: return 1;
      case OpKind::kAddress: return 2;
      case OpKind::kProtoSet: return 3;
      case OpKind::kPortSet: return 4;
      case OpKind::kAddressSet: return 5;
      case OpKind::kAnd:
      case OpKind::kOr: return 6;
    }
    return 6;
  }

  absl::StatusOr<uint32_t> Junction(const Node& n, size_t level) {
    if (n.children.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("condition is not normalised: empty and/or at position ", n.position));
    }
    const bool is_and = n.kind == Node::Kind::kAnd;
    const CompareOp set_op = is_and ? CompareOp::kNe : CompareOp::kEq;
    // Exact comparisons the set grouping may take, by column.
    std::vector<const Comparison*> groups[5];
    for (const Node& c : n.children) {
      const Group g = SetGroup(c, set_op);
      if (g != Group::kNone) groups[int(g)].push_back(&c.comparison);
    }
    std::vector<uint32_t> kids;
    for (int g = 1; g < 5; ++g) {
      if (groups[g].size() >= kMinSetSize) kids.push_back(SetOp(Group(g), groups[g], is_and));
    }
    for (const Node& c : n.children) {
      const Group g = SetGroup(c, set_op);
      if (g != Group::kNone && groups[int(g)].size() >= kMinSetSize) continue;
      absl::StatusOr<uint32_t> kid = Build(c, level + 1);
      if (!kid.ok()) return kid;
      kids.push_back(*kid);
    }
    if (kids.size() == 1) return kids.front();
    e_->depth_ = std::max(e_->depth_, level + 1);
    std::stable_sort(kids.begin(), kids.end(),
                     [this](uint32_t a, uint32_t b) { return Cost(a) < Cost(b); });
    Op op;
    op.kind = is_and ? OpKind::kAnd : OpKind::kOr;
    op.first_child = uint32_t(e_->children_.size());
    op.num_children = uint32_t(kids.size());
    e_->children_.insert(e_->children_.end(), kids.begin(), kids.end());
    return Add(op);
  }

  ConditionEvaluator* e_;
};

ConditionEvaluator::ConditionEvaluator() = default;
ConditionEvaluator::ConditionEvaluator(ConditionEvaluator&&) noexcept = default;
ConditionEvaluator& ConditionEvaluator::operator=(ConditionEvaluator&&) noexcept = default;
ConditionEvaluator::~ConditionEvaluator() = default;

absl::StatusOr<ConditionEvaluator> ConditionEvaluator::Compile(
    const NormalizedCondition& condition) {
  if (!condition.rows) return ConditionEvaluator();
  return Compile(*condition.rows);
}

absl::StatusOr<ConditionEvaluator> ConditionEvaluator::Compile(const Node& rows) {
  ConditionEvaluator e;
  absl::StatusOr<uint32_t> root = Compiler(&e).Build(rows, 0);
  if (!root.ok()) return root.status();
  e.root_ = *root;
  return e;
}

absl::Status ConditionEvaluator::Evaluate(const godb::BlockColumns& block,
                                          RowSelection* selection) const {
  const uint32_t rows = block.rows;
  if (ops_.empty()) {
    selection->SelectAll(rows);
    return absl::OkStatus();
  }
  if (block.v4_rows > rows) {
    return absl::FailedPreconditionError(
        absl::StrCat("block has ", block.v4_rows, " IPv4 rows of ", rows));
  }
  // A short column would be read past its end; refuse the block instead.
  const uint32_t v6_rows = rows - block.v4_rows;
  auto missing = [&](godb::Column c) {
    return absl::FailedPreconditionError(
        absl::StrCat("condition needs column ", godb::ColumnName(c),
                     " which holds fewer than the block's ", rows, " rows"));
  };
  if (columns_.Has(godb::Column::kSip) &&
      (block.sip4.size() < block.v4_rows || block.sip6.size() < v6_rows)) {
    return missing(godb::Column::kSip);
  }
  if (columns_.Has(godb::Column::kDip) &&
      (block.dip4.size() < block.v4_rows || block.dip6.size() < v6_rows)) {
    return missing(godb::Column::kDip);
  }
  if (columns_.Has(godb::Column::kDport) && block.dport.size() < rows)
    return missing(godb::Column::kDport);
  if (columns_.Has(godb::Column::kProto) && block.proto.size() < rows)
    return missing(godb::Column::kProto);

  selection->Resize(rows);
  const size_t words = RowSelection::WordsFor(rows);
  if (selection->scratch_.size() < depth_) selection->scratch_.resize(depth_);
  for (size_t level = 0; level < depth_; ++level) selection->scratch_[level].resize(words);
  EvalOp(root_, block, selection->words_.data(), 0, selection);
  return absl::OkStatus();
}

void ConditionEvaluator::EvalOp(uint32_t index, const godb::BlockColumns& block, uint64_t* out,
                                size_t level, RowSelection* selection) const {
  const Op& op = ops_[index];
  if (op.kind != OpKind::kAnd && op.kind != OpKind::kOr) {
    EvalLeaf(op, block, out);
    return;
  }
  const size_t words = RowSelection::WordsFor(block.rows);
  const uint32_t* kids = children_.data() + op.first_child;
  EvalOp(kids[0], block, out, level + 1, selection);
  uint64_t* tmp = selection->scratch_[level].data();
  for (uint32_t i = 1; i < op.num_children; ++i) {
    if (op.kind == OpKind::kAnd) {
      if (AllZero(out, words)) return;
      EvalOp(kids[i], block, tmp, level + 1, selection);
      for (size_t w = 0; w < words; ++w) out[w] &= tmp[w];
    } else {
      if (AllSet(out, block.rows)) return;
      EvalOp(kids[i], block, tmp, level + 1, selection);
      for (size_t w = 0; w < words; ++w) out[w] |= tmp[w];
    }
  }
}

void ConditionEvaluator::EvalLeaf(const Op& op, const godb::BlockColumns& block,
                                  uint64_t* out) const {
  const uint32_t rows = block.rows, v4 = block.v4_rows, v6 = rows - v4;
  std::fill(out, out + RowSelection::WordsFor(rows), uint64_t{0});
  const bool negate = op.negate;
  switch (op.kind) {
    case OpKind::kAddress: {
      const uint32_t* col4 = op.dst ? block.dip4.data() : block.sip4.data();
      const absl::uint128* col6 = op.dst ? block.dip6.data() : block.sip6.data();
      if (op.v6) {
        // An IPv6 value never equals (or contains) an IPv4 row.
        FillConst(out, 0, v4, negate);
        const absl::uint128 value = op.v6_value, mask = op.v6_mask;
        FillBits(out, v4, v6, [=](uint32_t k) { return ((col6[k] & mask) == value) != negate; });
      } else {
        const uint32_t value = op.v4_value, mask = op.v4_mask;
        FillBits(out, 0, v4, [=](uint32_t k) { return ((col4[k] & mask) == value) != negate; });
        FillConst(out, v4, v6, negate);
      }
      return;
    }
    case OpKind::kAddressSet: {
      const uint32_t* col4 = op.dst ? block.dip4.data() : block.sip4.data();
      const absl::uint128* col6 = op.dst ? block.dip6.data() : block.sip6.data();
      const AddressSet& set = address_sets_[op.set];
      if (set.v4.empty()) {
        FillConst(out, 0, v4, negate);
      } else {
        FillBits(out, 0, v4, [&](uint32_t k) { return set.v4.contains(col4[k]) != negate; });
      }
      if (set.v6.empty()) {
        FillConst(out, v4, v6, negate);
      } else {
        FillBits(out, v4, v6, [&](uint32_t k) { return set.v6.contains(col6[k]) != negate; });
      }
      return;
    }
    case OpKind::kPort:
      FillCompare<uint16_t>(out, 0, rows, block.dport.data(), op.cmp, uint16_t(op.number));
      return;
    case OpKind::kPortSet: {
      const uint64_t* table = port_sets_[op.set].data();
      const uint16_t* col = block.dport.data();
      FillBits(out, 0, rows, [=](uint32_t k) { return TestBit(table, col[k]) != negate; });
      return;
    }
    case OpKind::kProto:
      FillCompare<uint8_t>(out, 0, rows, block.proto.data(), op.cmp, uint8_t(op.number));
      return;
    case OpKind::kProtoSet: {
      const uint64_t* table = proto_sets_[op.set].data();
      const uint8_t* col = block.proto.data();
      FillBits(out, 0, rows, [=](uint32_t k) { return TestBit(table, col[k]) != negate; });
      return;
    }
    case OpKind::kAnd:
    case OpKind::kOr: return;
  }
}

bool ConditionEvaluator::Matches(const flow::FlowKey& key) const {
  return ops_.empty() || MatchesOp(root_, key);
}

bool ConditionEvaluator::MatchesOp(uint32_t index, const flow::FlowKey& key) const {
  const Op& op = ops_[index];
  const flow::IpAddress& address = op.dst ? key.dip : key.sip;
  switch (op.kind) {
    case OpKind::kAnd:
    case OpKind::kOr: {
      const bool is_and = op.kind == OpKind::kAnd;
      for (uint32_t i = 0; i < op.num_children; ++i) {
        if (MatchesOp(children_[op.first_child + i], key) != is_and) return !is_and;
      }
      return is_and;
    }
    case OpKind::kAddress:
      if (address.is_v4() == op.v6) return op.negate;
      if (op.v6) return ((godb::V6Value(address) & op.v6_mask) == op.v6_value) != op.negate;
      return ((address.v4_value() & op.v4_mask) == op.v4_value) != op.negate;
    case OpKind::kAddressSet: {
      const AddressSet& set = address_sets_[op.set];
      const bool in = address.is_v4() ? set.v4.contains(address.v4_value())
                                      : set.v6.contains(godb::V6Value(address));
      return in != op.negate;
    }
    case OpKind::kPort: return Compare(op.cmp, key.dport, op.number);
    case OpKind::kPortSet: return TestBit(port_sets_[op.set].data(), key.dport) != op.negate;
    case OpKind::kProto: return Compare(op.cmp, key.proto, op.number);
    case OpKind::kProtoSet: return TestBit(proto_sets_[op.set].data(), key.proto) != op.negate;
  }
  return false;
}

}  // namespace goprobe::query
