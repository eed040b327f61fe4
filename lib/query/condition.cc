#include "lib/query/condition.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace goprobe::query::condition {

absl::string_view AttributeName(Attribute a) {
  switch (a) {
    case Attribute::kSip: return "sip";
    case Attribute::kDip: return "dip";
    case Attribute::kHost: return "host";
    case Attribute::kSnet: return "snet";
    case Attribute::kDnet: return "dnet";
    case Attribute::kNet: return "net";
    case Attribute::kDport: return "dport";
    case Attribute::kProto: return "proto";
    case Attribute::kDir: return "dir";
  }
  return "?";
}

absl::string_view CompareOpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kGt: return ">";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

CompareOp Negate(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return CompareOp::kNe;
    case CompareOp::kNe: return CompareOp::kEq;
    case CompareOp::kLt: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLe;
    case CompareOp::kLe: return CompareOp::kGt;
    case CompareOp::kGe: return CompareOp::kLt;
  }
  return op;
}

absl::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kIn: return "in";
    case Direction::kOut: return "out";
    case Direction::kUni: return "uni";
    case Direction::kBi: return "bi";
  }
  return "?";
}

bool Network::Contains(const flow::IpAddress& a) const {
  if (a.is_v4() != base.is_v4()) return false;
  const int full_bytes = prefix_len / 8;
  if (!std::equal(a.data(), a.data() + full_bytes, base.data())) return false;
  const int rest = prefix_len % 8;
  if (rest == 0) return true;
  const uint8_t mask = uint8_t(0xff << (8 - rest));
  return (a.data()[full_bytes] & mask) == base.data()[full_bytes];
}

std::string Network::ToString() const { return absl::StrCat(base.ToString(), "/", prefix_len); }

Node Node::Leaf(Comparison c) {
  Node n;
  n.kind = Kind::kComparison;
  n.position = c.position;
  n.comparison = std::move(c);
  return n;
}

Node Node::Not(Node child, size_t position) {
  Node n;
  n.kind = Kind::kNot;
  n.position = position;
  n.children.push_back(std::move(child));
  return n;
}

Node Node::Junction(Kind kind, std::vector<Node> children) {
  if (children.size() == 1) return std::move(children.front());
  Node n;
  n.kind = kind;
  n.position = children.empty() ? 0 : children.front().position;
  for (Node& c : children) {
    if (c.kind == kind) {
      for (Node& grandchild : c.children) n.children.push_back(std::move(grandchild));
    } else {
      n.children.push_back(std::move(c));
    }
  }
  return n;
}

namespace {

struct ValueText {
  std::string operator()(const flow::IpAddress& a) const { return a.ToString(); }
  std::string operator()(const Network& n) const { return n.ToString(); }
  std::string operator()(Port p) const { return std::to_string(p.number); }
  std::string operator()(Protocol p) const { return flow::ProtoName(p.number); }
  std::string operator()(Direction d) const { return std::string(DirectionName(d)); }
};

// Binding strength, to parenthesise a child only when it binds looser than
// its parent requires.
int Precedence(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kOr: return 1;
    case Node::Kind::kAnd: return 2;
    case Node::Kind::kNot: return 3;
    case Node::Kind::kComparison: return 4;
  }
  return 0;
}

void Append(const Node& n, std::string* out) {
  auto child = [out](const Node& c, int min_precedence) {
    if (Precedence(c) < min_precedence) {
      out->push_back('(');
      Append(c, out);
      out->push_back(')');
    } else {
      Append(c, out);
    }
  };
  switch (n.kind) {
    case Node::Kind::kComparison: out->append(ToString(n.comparison)); return;
    case Node::Kind::kNot:
      out->append("not ");
      // `not` applies to a comparison or a parenthesised group only.
      if (!n.children.empty()) child(n.children.front(), 3);
      return;
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      const bool is_and = n.kind == Node::Kind::kAnd;
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out->append(is_and ? " and " : " or ");
        // Children of an n-ary node are never of its own kind, but a
        // hand-built tree may nest them; parenthesising those keeps the
        // text faithful to the tree.
        child(n.children[i], Precedence(n) + 1);
      }
      return;
    }
  }
}

}  // namespace

std::string ToString(const Comparison& c) {
  return absl::StrCat(AttributeName(c.attribute), " ", CompareOpSymbol(c.op), " ",
                      std::visit(ValueText{}, c.value));
}

std::string ToString(const Node& n) {
  std::string out;
  Append(n, &out);
  return out;
}

int Depth(const Node& n) {
  int deepest = 0;
  for (const Node& c : n.children) deepest = std::max(deepest, Depth(c));
  return deepest + 1;
}

}  // namespace goprobe::query::condition
