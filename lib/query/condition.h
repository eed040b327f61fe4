#ifndef GOPROBE_LIB_QUERY_CONDITION_H_
#define GOPROBE_LIB_QUERY_CONDITION_H_

// The syntax tree of a goQuery condition (`-c 'dport = 443 and snet =
// 10.0.0.0/8'`), as the parser builds it and the normaliser rewrites it.
//
// Values are already typed and checked when a tree exists: an IP address, a
// network with its host bits cleared, a port, a protocol number or a
// direction. Trees are small (the parser caps their depth and the text's
// length), so they are plain values with no sharing.
//
// The vocabulary lives in namespace condition so that its Attribute and
// Direction stay apart from the engine's (attributes.h, query_spec.h): a
// condition's `host` is "either address", a query's `host` is a label.

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/flow/flow.h"
#include "lib/flow/ip_address.h"

namespace goprobe::query::condition {

// What a comparison looks at. Aliases (src, dst, port, protocol, ipproto,
// direction) are resolved by the parser; the tree only holds these.
enum class Attribute : uint8_t {
  kSip,    // source address
  kDip,    // destination address
  kHost,   // either address: sugar for sip ... or dip ...
  kSnet,   // source address in a network
  kDnet,   // destination address in a network
  kNet,    // either address in a network: sugar for snet ... or dnet ...
  kDport,  // destination port
  kProto,  // IP protocol number
  kDir,    // traffic direction of an aggregated result row (see Direction)
};

// The canonical lower-case name: "sip", "dip", "host", ..., "dir".
absl::string_view AttributeName(Attribute a);

enum class CompareOp : uint8_t { kEq, kNe, kLt, kGt, kLe, kGe };

// "=", "!=", "<", ">", "<=", ">=".
absl::string_view CompareOpSymbol(CompareOp op);
// The comparison that holds exactly when `op` does not: = and !=, < and >=,
// > and <=.
CompareOp Negate(CompareOp op);
// Whether `a op b` holds, for the ordered attributes (dport, proto).
inline bool Compare(CompareOp op, uint32_t a, uint32_t b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGe: return a >= b;
  }
  return false;
}

// goQuery's direction filter (`dir = in|out|uni|bi`). It classifies the
// counters of a result row, i.e. after aggregation: goProbe v4 applies it to
// the aggregated rows (and totals count only the rows it keeps), so `dir = in`
// lists the keys that, over the whole query, only ever received traffic. It is
// therefore not a per-flow predicate; see condition_normalizer.h for where it
// may stand in a condition and how it is handed to the aggregator.
enum class Direction : uint8_t {
  kIn,   // received packets, none sent
  kOut,  // sent packets, none received
  kUni,  // one of the two: in or out
  kBi,   // packets both received and sent
};

// "in", "out", "uni", "bi".
absl::string_view DirectionName(Direction d);

// Whether counters with these packet counts belong to direction `d`. Packets
// decide, not bytes (every packet has bytes). A row with no packets at all,
// which goDB never stores, is in no direction.
inline bool DirectionMatches(Direction d, uint64_t pkts_rcvd, uint64_t pkts_sent) {
  switch (d) {
    case Direction::kIn: return pkts_rcvd != 0 && pkts_sent == 0;
    case Direction::kOut: return pkts_rcvd == 0 && pkts_sent != 0;
    case Direction::kUni: return (pkts_rcvd != 0) != (pkts_sent != 0);
    case Direction::kBi: return pkts_rcvd != 0 && pkts_sent != 0;
  }
  return false;
}
inline bool DirectionMatches(Direction d, const flow::Counters& c) {
  return DirectionMatches(d, c.pkts_rcvd, c.pkts_sent);
}

// An IPv4 or IPv6 network. The parser clears the host bits, so `base` is the
// network's first address: 192.168.1.17/25 is held as 192.168.1.0/25.
struct Network {
  flow::IpAddress base;
  int prefix_len = 0;  // 0..32 for IPv4, 0..128 for IPv6

  bool Contains(const flow::IpAddress& a) const;
  // "10.0.0.0/8", "2001:db8::/32".
  std::string ToString() const;

  friend bool operator==(const Network& a, const Network& b) {
    return a.base == b.base && a.prefix_len == b.prefix_len;
  }
};

struct Port {
  uint16_t number = 0;
  friend bool operator==(Port a, Port b) { return a.number == b.number; }
};

struct Protocol {
  uint8_t number = 0;
  friend bool operator==(Protocol a, Protocol b) { return a.number == b.number; }
};

// Which alternative a comparison holds follows from its attribute: IpAddress
// for sip/dip/host, Network for snet/dnet/net, Port for dport, Protocol for
// proto, Direction for dir.
using Value = std::variant<flow::IpAddress, Network, Port, Protocol, Direction>;

// `attribute op value`, with where each part starts in the condition text
// (0-based byte offsets) so later stages can point at it. Positions do not
// take part in equality.
struct Comparison {
  Attribute attribute = Attribute::kSip;
  CompareOp op = CompareOp::kEq;
  Value value;
  size_t position = 0;        // of the attribute
  size_t op_position = 0;     // of the operator
  size_t value_position = 0;  // of the value

  friend bool operator==(const Comparison& a, const Comparison& b) {
    return a.attribute == b.attribute && a.op == b.op && a.value == b.value;
  }
};

// A node of the tree: a comparison, or not/and/or over child nodes. And and
// or are n-ary (the parser flattens `a and b and c` and `(a and b) and c`
// into one node with three children); not has exactly one child.
struct Node {
  enum class Kind : uint8_t { kComparison, kNot, kAnd, kOr };

  Kind kind = Kind::kComparison;
  Comparison comparison;       // kComparison only
  std::vector<Node> children;  // kNot: one; kAnd, kOr: two or more
  size_t position = 0;         // where the node's text starts

  static Node Leaf(Comparison c);
  static Node Not(Node child, size_t position = 0);
  // Builds an and/or node over `children`, adopting the children of any child
  // of the same kind, so the result is flat. One child is returned as is;
  // `children` must not be empty.
  static Node Junction(Kind kind, std::vector<Node> children);

  friend bool operator==(const Node& a, const Node& b) {
    return a.kind == b.kind && a.children == b.children &&
           (a.kind != Kind::kComparison || a.comparison == b.comparison);
  }
  friend bool operator!=(const Node& a, const Node& b) { return !(a == b); }
};

// The canonical text of a comparison: "sip = 10.0.0.1", "snet != 10.0.0.0/8",
// "proto = TCP", "dir = in".
std::string ToString(const Comparison& c);
// The canonical text of a tree, parenthesised only where precedence (not
// binds tighter than and, and than or) needs it. For any tree the parser or
// the normaliser builds, parsing the text yields an equal tree; this is what a
// query summary shows as "Conditions".
std::string ToString(const Node& n);

// The depth of a tree: 1 for a comparison.
int Depth(const Node& n);

}  // namespace goprobe::query::condition

#endif  // GOPROBE_LIB_QUERY_CONDITION_H_
