#include "lib/query/condition_normalizer.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/query/condition_error.h"
#include "lib/query/condition_parser.h"

namespace goprobe::query {

using condition::Attribute;
using condition::AttributeName;
using condition::CompareOp;
using condition::CompareOpSymbol;
using condition::Comparison;
using condition::Direction;
using condition::DirectionName;
using condition::Network;
using condition::Node;
using condition::Port;
using condition::Protocol;

namespace {

bool IsDir(const Node& n) {
  return n.kind == Node::Kind::kComparison && n.comparison.attribute == Attribute::kDir;
}

// The variant alternative each attribute's value must hold.
size_t ValueIndexFor(Attribute a) {
  switch (a) {
    case Attribute::kSip:
    case Attribute::kDip:
    case Attribute::kHost: return 0;  // IpAddress
    case Attribute::kSnet:
    case Attribute::kDnet:
    case Attribute::kNet: return 1;    // Network
    case Attribute::kDport: return 2;  // Port
    case Attribute::kProto: return 3;  // Protocol
    case Attribute::kDir: return 4;    // Direction
  }
  return 0;
}

// What the parser guarantees, re-checked for trees built by hand, and the
// structural shape every later stage relies on.
absl::Status Validate(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kComparison: {
      const Comparison& c = n.comparison;
      if (c.value.index() != ValueIndexFor(c.attribute)) {
        return ConditionError(c.value_position,
                              absl::StrCat("the value does not fit ", AttributeName(c.attribute)));
      }
      const bool ordering = c.op != CompareOp::kEq && c.op != CompareOp::kNe;
      if (ordering && c.attribute != Attribute::kDport && c.attribute != Attribute::kProto) {
        return ConditionError(
            c.op_position,
            absl::StrCat("operator \"", CompareOpSymbol(c.op), "\" does not apply to ",
                         AttributeName(c.attribute), ": use = or !="));
      }
      if (c.attribute == Attribute::kDir && c.op != CompareOp::kEq) {
        return ConditionError(c.op_position,
                              "operator \"!=\" does not apply to dir: write dir = "
                              "in, out, uni or bi");
      }
      if (const Network* net = std::get_if<Network>(&c.value)) {
        const int max = net->base.is_v4() ? 32 : 128;
        if (net->prefix_len < 0 || net->prefix_len > max) {
          return ConditionError(c.value_position, absl::StrCat("prefix length ", net->prefix_len,
                                                               " is out of range"));
        }
      }
      return absl::OkStatus();
    }
    case Node::Kind::kNot:
      if (n.children.size() != 1) return ConditionError(n.position, "\"not\" needs one operand");
      break;
    case Node::Kind::kAnd:
    case Node::Kind::kOr:
      if (n.children.empty()) return ConditionError(n.position, "\"and\"/\"or\" without operands");
      break;
  }
  for (const Node& c : n.children) {
    if (absl::Status s = Validate(c); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Misplaced(const Node& dir) {
  return ConditionError(dir.comparison.position,
                        "dir must be the whole condition or joined to the rest by a top-level "
                        "\"and\": it filters aggregated results, not single flows");
}

absl::Status RejectDir(const Node& n) {
  if (IsDir(n)) return Misplaced(n);
  for (const Node& c : n.children) {
    if (absl::Status s = RejectDir(c); !s.ok()) return s;
  }
  return absl::OkStatus();
}

Node MakeLeaf(const Comparison& base, Attribute attribute, CompareOp op) {
  Comparison c = base;
  c.attribute = attribute;
  c.op = op;
  return Node::Leaf(std::move(c));
}

// Negation normal form of `n`, or of `not n` when `negated`; host and net
// expanded on the way.
Node Nnf(const Node& n, bool negated) {
  switch (n.kind) {
    case Node::Kind::kComparison: {
      const Comparison& c = n.comparison;
      const CompareOp op = negated ? Negate(c.op) : c.op;
      Attribute src, dst;
      if (c.attribute == Attribute::kHost) {
        src = Attribute::kSip, dst = Attribute::kDip;
      } else if (c.attribute == Attribute::kNet) {
        src = Attribute::kSnet, dst = Attribute::kDnet;
      } else {
        return MakeLeaf(c, c.attribute, op);
      }
      // Either side equal; neither side equal. Only = and != reach here.
      std::vector<Node> sides;
      sides.push_back(MakeLeaf(c, src, op));
      sides.push_back(MakeLeaf(c, dst, op));
      return Node::Junction(op == CompareOp::kEq ? Node::Kind::kOr : Node::Kind::kAnd,
                            std::move(sides));
    }
    case Node::Kind::kNot: return Nnf(n.children.front(), !negated);
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      Node::Kind kind = n.kind;
      if (negated) kind = kind == Node::Kind::kAnd ? Node::Kind::kOr : Node::Kind::kAnd;
      std::vector<Node> children;
      children.reserve(n.children.size());
      for (const Node& c : n.children) children.push_back(Nnf(c, negated));
      Node out = Node::Junction(kind, std::move(children));
      out.position = n.position;
      return out;
    }
  }
  return n;
}

}  // namespace

absl::StatusOr<NormalizedCondition> NormalizeCondition(const Node& parsed) {
  if (absl::Status s = Validate(parsed); !s.ok()) return s;
  NormalizedCondition out;
  if (IsDir(parsed)) {
    out.direction = std::get<Direction>(parsed.comparison.value);
    return out;
  }
  if (parsed.kind != Node::Kind::kAnd) {
    if (absl::Status s = RejectDir(parsed); !s.ok()) return s;
    out.rows = Nnf(parsed, false);
    return out;
  }
  std::vector<Node> rest;
  for (const Node& term : parsed.children) {
    if (IsDir(term)) {
      if (out.direction) {
        return ConditionError(term.comparison.position,
                              "only one dir filter may be given: a row is in one direction");
      }
      out.direction = std::get<Direction>(term.comparison.value);
      continue;
    }
    if (absl::Status s = RejectDir(term); !s.ok()) return s;
    rest.push_back(Nnf(term, false));
  }
  if (!rest.empty()) out.rows = Node::Junction(Node::Kind::kAnd, std::move(rest));
  return out;
}

absl::StatusOr<NormalizedCondition> PrepareCondition(absl::string_view text) {
  absl::StatusOr<Node> parsed = ParseCondition(text);
  if (!parsed.ok()) return parsed.status();
  return NormalizeCondition(*parsed);
}

std::string ToString(const NormalizedCondition& c) {
  std::string out;
  if (c.rows) {
    // An or needs parentheses before " and dir = ...".
    const bool group = c.direction && c.rows->kind == Node::Kind::kOr;
    out = group ? absl::StrCat("(", ToString(*c.rows), ")") : ToString(*c.rows);
  }
  if (c.direction) {
    absl::StrAppend(&out, out.empty() ? "" : " and ", "dir = ", DirectionName(*c.direction));
  }
  return out;
}

}  // namespace goprobe::query
