#include "lib/query/condition_parser.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/flow/flow.h"
#include "lib/flow/ip_address.h"
#include "lib/query/condition_error.h"
#include "lib/query/condition_lexer.h"

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
using condition::Token;

namespace {

struct AttributeAlias {
  const char* name;
  Attribute attribute;
};

constexpr AttributeAlias kAttributes[] = {
    {"sip", Attribute::kSip},       {"src", Attribute::kSip},     {"dip", Attribute::kDip},
    {"dst", Attribute::kDip},       {"host", Attribute::kHost},   {"snet", Attribute::kSnet},
    {"dnet", Attribute::kDnet},     {"net", Attribute::kNet},     {"dport", Attribute::kDport},
    {"port", Attribute::kDport},    {"proto", Attribute::kProto}, {"protocol", Attribute::kProto},
    {"ipproto", Attribute::kProto}, {"dir", Attribute::kDir},     {"direction", Attribute::kDir},
};

struct DirectionAlias {
  const char* name;
  Direction direction;
};

constexpr DirectionAlias kDirections[] = {
    {"in", Direction::kIn},   {"inbound", Direction::kIn},
    {"out", Direction::kOut}, {"outbound", Direction::kOut},
    {"uni", Direction::kUni}, {"unidirectional", Direction::kUni},
    {"bi", Direction::kBi},   {"bidirectional", Direction::kBi},
};

bool IsAddressAttribute(Attribute a) {
  return a == Attribute::kSip || a == Attribute::kDip || a == Attribute::kHost;
}
bool IsNetworkAttribute(Attribute a) {
  return a == Attribute::kSnet || a == Attribute::kDnet || a == Attribute::kNet;
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// A decimal number of at most `limit`, saturating so long digit strings
// cannot overflow; nullopt unless `s` is all digits.
std::optional<uint32_t> Decimal(absl::string_view s, uint32_t limit) {
  if (!AllDigits(s)) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) v = std::min<uint32_t>(v * 10 + uint32_t(c - '0'), limit + 1);
  return v;
}

// `address` with every bit after the first `prefix_len` cleared.
flow::IpAddress MaskAddress(const flow::IpAddress& address, int prefix_len) {
  uint8_t bytes[flow::IpAddress::kV6Size] = {};
  const int size = address.size();
  for (int i = 0; i < size; ++i) {
    const int keep = std::min(8, std::max(0, prefix_len - 8 * i));
    bytes[i] = keep == 0 ? 0 : uint8_t(address.data()[i] & uint8_t(0xff << (8 - keep)));
  }
  return address.is_v4() ? flow::IpAddress::V4(bytes) : flow::IpAddress::V6(bytes);
}

std::string Describe(const Token& t) {
  if (t.kind == Token::Kind::kEnd) return "end of condition";
  return QuoteForError(t.text);
}

char Opener(char closer) {
  switch (closer) {
    case ']': return '[';
    case '}': return '{';
    default: return '(';
  }
}

char Closer(char opener) {
  switch (opener) {
    case '[': return ']';
    case '{': return '}';
    default: return ')';
  }
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : tokens_(condition::LexCondition(text)) {}

  absl::StatusOr<Node> Parse() {
    if (Peek().kind == Token::Kind::kEnd) {
      return ConditionError(Peek().position,
                            "expected a condition, e.g. \"dport = 443\", found end of condition");
    }
    absl::StatusOr<Node> root = ParseOr(0);
    if (!root.ok()) return root;
    const Token& t = Peek();
    if (t.kind == Token::Kind::kEnd) return root;
    if (t.kind == Token::Kind::kClose) {
      return ConditionError(t.position,
                            absl::StrCat("found ", Describe(t), " without a matching \"",
                                         std::string(1, Opener(t.text[0])), "\""));
    }
    return ConditionError(
        t.position,
        absl::StrCat("expected \"and\", \"or\" or end of condition, found ", Describe(t)));
  }

 private:
  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }

  absl::StatusOr<Node> ParseOr(int depth) {
    std::vector<Node> terms;
    for (;;) {
      absl::StatusOr<Node> term = ParseAnd(depth);
      if (!term.ok()) return term;
      terms.push_back(*std::move(term));
      if (Peek().kind != Token::Kind::kOr) break;
      Take();
    }
    return Node::Junction(Node::Kind::kOr, std::move(terms));
  }

  absl::StatusOr<Node> ParseAnd(int depth) {
    std::vector<Node> terms;
    for (;;) {
      absl::StatusOr<Node> term = ParseUnary(depth);
      if (!term.ok()) return term;
      terms.push_back(*std::move(term));
      if (Peek().kind != Token::Kind::kAnd) break;
      Take();
    }
    return Node::Junction(Node::Kind::kAnd, std::move(terms));
  }

  absl::Status CheckDepth(const Token& t, int depth) const {
    if (depth < kMaxConditionNesting) return absl::OkStatus();
    return ConditionError(t.position, absl::StrCat("nesting deeper than ", kMaxConditionNesting,
                                                   " levels of parentheses and \"not\""));
  }

  absl::StatusOr<Node> ParseUnary(int depth) {
    if (Peek().kind != Token::Kind::kNot) return ParsePrimary(depth);
    const Token& op = Take();
    if (absl::Status s = CheckDepth(op, depth); !s.ok()) return s;
    absl::StatusOr<Node> operand = ParseUnary(depth + 1);
    if (!operand.ok()) return operand;
    return Node::Not(*std::move(operand), op.position);
  }

  absl::StatusOr<Node> ParsePrimary(int depth) {
    const Token& t = Peek();
    switch (t.kind) {
      case Token::Kind::kOpen: {
        const Token& open = Take();
        if (absl::Status s = CheckDepth(open, depth); !s.ok()) return s;
        absl::StatusOr<Node> inner = ParseOr(depth + 1);
        if (!inner.ok()) return inner;
        const char closer = Closer(open.text[0]);
        const Token& close = Peek();
        if (close.kind == Token::Kind::kClose && close.text[0] == closer) {
          Take();
          inner->position = open.position;
          return inner;
        }
        const std::string what =
            close.kind == Token::Kind::kClose
                ? absl::StrCat("expected \"", std::string(1, closer), "\"")
                : absl::StrCat("expected \"and\", \"or\" or \"", std::string(1, closer), "\"");
        return ConditionError(close.position,
                              absl::StrCat(what, " to close \"", open.text, "\" at position ",
                                           open.position, ", found ", Describe(close)));
      }
      case Token::Kind::kWord: return ParseComparison();
      default:
        return ConditionError(
            t.position,
            absl::StrCat("expected a comparison such as \"dport = 443\", \"(\" or \"not\", found ",
                         Describe(t)));
    }
  }

  absl::StatusOr<Node> ParseComparison() {
    const Token& name = Take();
    Comparison c;
    c.position = name.position;
    bool known = false;
    for (const AttributeAlias& a : kAttributes) {
      if (absl::EqualsIgnoreCase(name.text, a.name)) {
        c.attribute = a.attribute;
        known = true;
        break;
      }
    }
    if (!known) {
      return ConditionError(name.position,
                            absl::StrCat("expected an attribute (sip, dip, host, snet, dnet, net, "
                                         "dport, proto or dir), found ",
                                         Describe(name)));
    }
    const Token& op = Take();
    if (op.kind != Token::Kind::kCompare) {
      return ConditionError(
          op.position, absl::StrCat("expected a comparison operator (= != < > <= >= or eq ne lt "
                                    "gt le ge) after ",
                                    QuoteForError(name.text), ", found ", Describe(op)));
    }
    c.op = op.op;
    c.op_position = op.position;
    if (absl::Status s = CheckOperator(c, op); !s.ok()) return s;

    const Token& value = Take();
    c.value_position = value.position;
    const std::string after = absl::StrCat("after \"", name.text, " ", op.text, "\"");
    if (absl::Status s = ParseValue(value, after, &c); !s.ok()) return s;
    return Node::Leaf(std::move(c));
  }

  static absl::Status CheckOperator(const Comparison& c, const Token& op) {
    const bool ordering = c.op != CompareOp::kEq && c.op != CompareOp::kNe;
    const std::string head = absl::StrCat("operator ", QuoteForError(op.text),
                                          " does not apply to ", AttributeName(c.attribute));
    if (IsAddressAttribute(c.attribute) && ordering) {
      return ConditionError(op.position,
                            absl::StrCat(head, ": addresses compare only with = or !="));
    }
    if (IsNetworkAttribute(c.attribute) && ordering) {
      return ConditionError(
          op.position,
          absl::StrCat(head, ": networks compare only with = (in the network) or != (not in it)"));
    }
    if (c.attribute == Attribute::kDir && c.op != CompareOp::kEq) {
      return ConditionError(op.position, absl::StrCat(head, ": write dir = in, out, uni or bi"));
    }
    return absl::OkStatus();
  }

  static absl::Status Expected(const Token& value, absl::string_view what, absl::string_view after,
                               absl::string_view hint = "") {
    return ConditionError(value.position, absl::StrCat("expected ", what, " ", after, ", found ",
                                                       Describe(value), hint));
  }

  static absl::Status ParseValue(const Token& value, const std::string& after, Comparison* c) {
    const bool word = value.kind == Token::Kind::kWord;
    switch (c->attribute) {
      case Attribute::kSip:
      case Attribute::kDip:
      case Attribute::kHost: {
        absl::StatusOr<flow::IpAddress> a =
            word ? flow::IpAddress::Parse(value.text) : absl::InvalidArgumentError("");
        if (a.ok()) {
          c->value = *a;
          return absl::OkStatus();
        }
        const bool looks_like_network = word && absl::StrContains(value.text, '/');
        return Expected(value, "an IP address", after,
                        looks_like_network ? " (a network: use snet, dnet or net)" : "");
      }
      case Attribute::kSnet:
      case Attribute::kDnet:
      case Attribute::kNet: return ParseNetwork(value, after, c);
      case Attribute::kDport: {
        const std::optional<uint32_t> port = word ? Decimal(value.text, 65535) : std::nullopt;
        if (!port) return Expected(value, "a port number (0..65535)", after);
        if (*port > 65535) {
          return ConditionError(value.position, absl::StrCat("port ", QuoteForError(value.text),
                                                             " is out of range (0..65535)"));
        }
        c->value = Port{uint16_t(*port)};
        return absl::OkStatus();
      }
      case Attribute::kProto: {
        if (word && AllDigits(value.text)) {
          const std::optional<uint32_t> number = Decimal(value.text, 255);
          if (*number > 255) {
            return ConditionError(value.position,
                                  absl::StrCat("protocol number ", QuoteForError(value.text),
                                               " is out of range (0..255)"));
          }
        }
        absl::StatusOr<uint8_t> proto =
            word ? flow::ParseProto(value.text) : absl::InvalidArgumentError("");
        if (!proto.ok()) {
          return Expected(
              value, "a protocol name (tcp, udp, icmp, icmpv6, gre, esp, ...) or number", after);
        }
        c->value = Protocol{*proto};
        return absl::OkStatus();
      }
      case Attribute::kDir:
        if (word) {
          for (const DirectionAlias& d : kDirections) {
            if (absl::EqualsIgnoreCase(value.text, d.name)) {
              c->value = d.direction;
              return absl::OkStatus();
            }
          }
        }
        return Expected(value, "a direction (in, out, uni or bi)", after);
    }
    return absl::InternalError("unhandled attribute");
  }

  static absl::Status ParseNetwork(const Token& value, const std::string& after, Comparison* c) {
    constexpr absl::string_view kWhat =
        "a network in CIDR notation (e.g. 10.0.0.0/8 or 2001:db8::/32)";
    if (value.kind != Token::Kind::kWord) return Expected(value, kWhat, after);
    const size_t slash = value.text.rfind('/');
    if (slash == absl::string_view::npos) {
      absl::StatusOr<flow::IpAddress> address = flow::IpAddress::Parse(value.text);
      std::string hint;
      if (address.ok()) {
        hint = absl::StrCat(" (add a prefix length, e.g. ", value.text,
                            address->is_v4() ? "/32" : "/128", ", or use sip, dip or host)");
      }
      return Expected(value, kWhat, after, hint);
    }
    absl::StatusOr<flow::IpAddress> base = flow::IpAddress::Parse(value.text.substr(0, slash));
    if (!base.ok()) return Expected(value, kWhat, after);
    const absl::string_view prefix_text = value.text.substr(slash + 1);
    const size_t prefix_position = value.position + slash + 1;
    const uint32_t max_prefix = base->is_v4() ? 32 : 128;
    const std::optional<uint32_t> prefix = Decimal(prefix_text, max_prefix);
    if (!prefix) {
      return ConditionError(
          prefix_position,
          absl::StrCat("expected a prefix length (0..", max_prefix, ") after \"",
                       value.text.substr(0, slash + 1), "\", found ",
                       prefix_text.empty() ? "nothing" : QuoteForError(prefix_text)));
    }
    if (*prefix > max_prefix) {
      return ConditionError(
          prefix_position,
          absl::StrCat("prefix length ", QuoteForError(prefix_text), " is out of range for an ",
                       base->is_v4() ? "IPv4" : "IPv6", " network (0..", max_prefix, ")"));
    }
    c->value = Network{MaskAddress(*base, int(*prefix)), int(*prefix)};
    return absl::OkStatus();
  }

  std::vector<Token> tokens_;
  size_t next_ = 0;
};

}  // namespace

absl::StatusOr<Node> ParseCondition(absl::string_view text) {
  if (text.size() > kMaxConditionLength) {
    return ConditionError(kMaxConditionLength,
                          absl::StrCat("condition is longer than ", kMaxConditionLength, " bytes"));
  }
  return Parser(text).Parse();
}

}  // namespace goprobe::query
