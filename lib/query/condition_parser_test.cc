#include "lib/query/condition_parser.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/query/condition_error.h"

namespace goprobe::query {
namespace {

using condition::Attribute;
using condition::CompareOp;
using condition::Comparison;
using condition::Direction;
using condition::Network;
using condition::Node;
using condition::Port;
using condition::Protocol;

// The canonical text of what `text` parses to, or the error message.
std::string Canon(absl::string_view text) {
  absl::StatusOr<Node> n = ParseCondition(text);
  if (!n.ok()) return std::string(n.status().message());
  return ToString(*n);
}

Node MustParse(absl::string_view text) {
  absl::StatusOr<Node> n = ParseCondition(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status();
  return n.ok() ? *n : Node();
}

// A compact structural view: and(...), or(...), not(...), leaves as text.
std::string Shape(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kComparison: return ToString(n.comparison);
    case Node::Kind::kNot: return absl::StrCat("not(", Shape(n.children[0]), ")");
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::string out = n.kind == Node::Kind::kAnd ? "and(" : "or(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        absl::StrAppend(&out, i ? ", " : "", Shape(n.children[i]));
      }
      return out + ")";
    }
  }
  return "?";
}

std::string ShapeOf(absl::string_view text) { return Shape(MustParse(text)); }

TEST(ConditionParserTest, EveryAttributeAndAlias) {
  EXPECT_EQ(Canon("sip = 10.0.0.1"), "sip = 10.0.0.1");
  EXPECT_EQ(Canon("src = 10.0.0.1"), "sip = 10.0.0.1");
  EXPECT_EQ(Canon("dip = 10.0.0.1"), "dip = 10.0.0.1");
  EXPECT_EQ(Canon("dst = 10.0.0.1"), "dip = 10.0.0.1");
  EXPECT_EQ(Canon("host = 10.0.0.1"), "host = 10.0.0.1");
  EXPECT_EQ(Canon("snet = 10.0.0.0/8"), "snet = 10.0.0.0/8");
  EXPECT_EQ(Canon("dnet = 10.0.0.0/8"), "dnet = 10.0.0.0/8");
  EXPECT_EQ(Canon("net = 10.0.0.0/8"), "net = 10.0.0.0/8");
  EXPECT_EQ(Canon("dport = 443"), "dport = 443");
  EXPECT_EQ(Canon("port = 443"), "dport = 443");
  EXPECT_EQ(Canon("proto = 6"), "proto = TCP");
  EXPECT_EQ(Canon("protocol = udp"), "proto = UDP");
  EXPECT_EQ(Canon("ipproto = 58"), "proto = ICMPv6");
  EXPECT_EQ(Canon("dir = in"), "dir = in");
  EXPECT_EQ(Canon("direction = out"), "dir = out");
}

TEST(ConditionParserTest, AttributesKeywordsAndNamesIgnoreCase) {
  EXPECT_EQ(Canon("SIP = 10.0.0.1 AND Dport EQ 443 Or NOT PROTO = Tcp"),
            "sip = 10.0.0.1 and dport = 443 or not proto = TCP");
  EXPECT_EQ(Canon("DIR = IN"), "dir = in");
  EXPECT_EQ(Canon("Host = FE80::1"), "host = fe80::1");
  EXPECT_EQ(Canon("SNET = 2001:DB8::/32"), "snet = 2001:db8::/32");
}

TEST(ConditionParserTest, EveryOperatorSymbolAndWord) {
  const std::vector<std::pair<const char*, const char*>> ops = {
      {"=", "="},       {"==", "="},  {"===", "="},  {"eq", "="},   {"-eq", "="},   {"equals", "="},
      {"!=", "!="},     {"ne", "!="}, {"-ne", "!="}, {"neq", "!="}, {"-neq", "!="}, {"<", "<"},
      {"lt", "<"},      {"-lt", "<"}, {"less", "<"}, {">", ">"},    {"gt", ">"},    {"-gt", ">"},
      {"greater", ">"}, {"<=", "<="}, {"le", "<="},  {"-le", "<="}, {"leq", "<="},  {"-leq", "<="},
      {">=", ">="},     {"ge", ">="}, {"-ge", ">="}, {"geq", ">="}, {"-geq", ">="},
  };
  for (auto [written, canonical] : ops) {
    EXPECT_EQ(Canon(absl::StrCat("dport ", written, " 1024")),
              absl::StrCat("dport ", canonical, " 1024"))
        << written;
    EXPECT_EQ(Canon(absl::StrCat("proto ", written, " 17")),
              absl::StrCat("proto ", canonical, " UDP"))
        << written;
  }
}

TEST(ConditionParserTest, SymbolsNeedNoSpaces) {
  EXPECT_EQ(ShapeOf("dport=443&&proto=tcp"), "and(dport = 443, proto = TCP)");
  EXPECT_EQ(ShapeOf("sip!=10.0.0.1||dip==::1"), "or(sip != 10.0.0.1, dip = ::1)");
  EXPECT_EQ(ShapeOf("!(snet=10.0.0.0/8)&!{dport<1024}"),
            "and(not(snet = 10.0.0.0/8), not(dport < 1024))");
}

TEST(ConditionParserTest, BooleanOperatorsInEveryForm) {
  for (const char* a : {"and", "AND", "&&", "&"}) {
    EXPECT_EQ(ShapeOf(absl::StrCat("dport = 1 ", a, " dport = 2")), "and(dport = 1, dport = 2)")
        << a;
  }
  for (const char* o : {"or", "OR", "||", "|"}) {
    EXPECT_EQ(ShapeOf(absl::StrCat("dport = 1 ", o, " dport = 2")), "or(dport = 1, dport = 2)")
        << o;
  }
  for (const char* n : {"not ", "NOT ", "!", "! "}) {
    EXPECT_EQ(ShapeOf(absl::StrCat(n, "dport = 1")), "not(dport = 1)") << n;
  }
  EXPECT_EQ(ShapeOf("not(dport = 1)"), "not(dport = 1)");
  EXPECT_EQ(ShapeOf("!(dport=1)"), "not(dport = 1)");
}

TEST(ConditionParserTest, NotBindsTighterThanAndTighterThanOr) {
  EXPECT_EQ(ShapeOf("dport = 1 or dport = 2 and dport = 3"),
            "or(dport = 1, and(dport = 2, dport = 3))");
  EXPECT_EQ(ShapeOf("dport = 1 and dport = 2 or dport = 3"),
            "or(and(dport = 1, dport = 2), dport = 3)");
  EXPECT_EQ(ShapeOf("not dport = 1 and dport = 2"), "and(not(dport = 1), dport = 2)");
  EXPECT_EQ(ShapeOf("not dport = 1 or dport = 2"), "or(not(dport = 1), dport = 2)");
  EXPECT_EQ(ShapeOf("dport = 1 and not dport = 2 or not not dport = 3"),
            "or(and(dport = 1, not(dport = 2)), not(not(dport = 3)))");
  EXPECT_EQ(ShapeOf("dport = 1 | dport = 2 & dport = 3"),
            "or(dport = 1, and(dport = 2, dport = 3))");
}

TEST(ConditionParserTest, ParenthesesOverridePrecedence) {
  EXPECT_EQ(ShapeOf("(dport = 1 or dport = 2) and dport = 3"),
            "and(or(dport = 1, dport = 2), dport = 3)");
  EXPECT_EQ(ShapeOf("not (dport = 1 or dport = 2)"), "not(or(dport = 1, dport = 2))");
  EXPECT_EQ(ShapeOf("((dport = 1))"), "dport = 1");
  EXPECT_EQ(ShapeOf("[dport = 1 or dport = 2] and {proto = 6 or proto = 17}"),
            "and(or(dport = 1, dport = 2), or(proto = TCP, proto = UDP))");
}

TEST(ConditionParserTest, ChainsAreFlatWhateverTheGrouping) {
  EXPECT_EQ(ShapeOf("dport = 1 and dport = 2 and dport = 3"),
            "and(dport = 1, dport = 2, dport = 3)");
  EXPECT_EQ(ShapeOf("(dport = 1 and dport = 2) and (dport = 3 and dport = 4)"),
            "and(dport = 1, dport = 2, dport = 3, dport = 4)");
  EXPECT_EQ(ShapeOf("dport = 1 or (dport = 2 or dport = 3)"),
            "or(dport = 1, dport = 2, dport = 3)");
  EXPECT_EQ(MustParse("dport = 1 or (dport = 2 or dport = 3)"),
            MustParse("dport = 1 or dport = 2 or dport = 3"));
}

TEST(ConditionParserTest, AddressesOfBothFamilies) {
  EXPECT_EQ(Canon("sip = 192.168.1.1"), "sip = 192.168.1.1");
  EXPECT_EQ(Canon("dip = 2001:0db8:0000::0001"), "dip = 2001:db8::1");
  EXPECT_EQ(Canon("host = ::"), "host = ::");
  // A mapped address stays IPv6: it is not 10.0.0.1.
  const Node n = MustParse("sip = ::ffff:10.0.0.1");
  EXPECT_FALSE(std::get<flow::IpAddress>(n.comparison.value).is_v4());
}

TEST(ConditionParserTest, NetworksClearTheirHostBits) {
  EXPECT_EQ(Canon("snet = 192.168.1.17/25"), "snet = 192.168.1.0/25");
  EXPECT_EQ(Canon("snet = 192.168.1.200/25"), "snet = 192.168.1.128/25");
  EXPECT_EQ(Canon("dnet = 10.1.2.3/0"), "dnet = 0.0.0.0/0");
  EXPECT_EQ(Canon("dnet = 10.1.2.3/32"), "dnet = 10.1.2.3/32");
  EXPECT_EQ(Canon("net = 2001:db8:ffff::1/33"), "net = 2001:db8:8000::/33");
  EXPECT_EQ(Canon("net = 2001:db8::1/128"), "net = 2001:db8::1/128");
  EXPECT_EQ(Canon("net = 2001:db8::1/0"), "net = ::/0");
  EXPECT_EQ(Canon("snet != 172.16.0.0/12"), "snet != 172.16.0.0/12");
}

TEST(ConditionParserTest, PortsAndProtocolsAtTheirLimits) {
  EXPECT_EQ(Canon("dport = 0"), "dport = 0");
  EXPECT_EQ(Canon("dport = 65535"), "dport = 65535");
  EXPECT_EQ(Canon("dport = 00443"), "dport = 443");
  EXPECT_EQ(Canon("proto = 0"), "proto = 0");
  EXPECT_EQ(Canon("proto = 255"), "proto = 255");
  EXPECT_EQ(Canon("proto = icmpv6"), "proto = ICMPv6");
  EXPECT_EQ(Canon("proto = GRE"), "proto = GRE");
  EXPECT_EQ(Canon("proto < udp"), "proto < UDP");
}

TEST(ConditionParserTest, DirectionsAndTheirLongNames) {
  EXPECT_EQ(Canon("dir = in"), "dir = in");
  EXPECT_EQ(Canon("dir = inbound"), "dir = in");
  EXPECT_EQ(Canon("dir = out"), "dir = out");
  EXPECT_EQ(Canon("dir = outbound"), "dir = out");
  EXPECT_EQ(Canon("dir = uni"), "dir = uni");
  EXPECT_EQ(Canon("dir = unidirectional"), "dir = uni");
  EXPECT_EQ(Canon("dir = bi"), "dir = bi");
  EXPECT_EQ(Canon("dir eq Bidirectional"), "dir = bi");
}

TEST(ConditionParserTest, PositionsPointAtTheParts) {
  const Node n = MustParse("  dport  >= 80");
  EXPECT_EQ(n.comparison.position, 2u);
  EXPECT_EQ(n.comparison.op_position, 9u);
  EXPECT_EQ(n.comparison.value_position, 12u);
  const Node g = MustParse("dport = 1 and (proto = 6 or not proto = 17)");
  EXPECT_EQ(g.children[1].position, 14u);
  EXPECT_EQ(g.children[1].children[1].position, 28u);
  EXPECT_EQ(g.children[1].children[1].children[0].position, 32u);
}

TEST(ConditionParserTest, CanonicalTextParsesToTheSameTree) {
  for (const char* text : {
           "dport = 1 or dport = 2 and dport = 3",
           "(dport = 1 or dport = 2) and not (proto = 6 or proto = 17)",
           "not not sip = 10.0.0.1",
           "not (not sip = 10.0.0.1 and dip != ::1) or snet = 10.0.0.0/8",
           "dir = in and (host = 10.0.0.1 or net = 2001:db8::/32)",
           "((dport < 1024 and dport >= 10) or proto > 100) and (proto <= 17 or dport > 1)",
       }) {
    const Node first = MustParse(text);
    const std::string canon = ToString(first);
    const Node second = MustParse(canon);
    EXPECT_EQ(first, second) << text << " -> " << canon;
    EXPECT_EQ(ToString(second), canon);
  }
}

struct ErrorCase {
  const char* text;
  size_t position;
  const char* message;  // the whole message after "condition: position N: "
};

class ConditionParserErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConditionParserErrorTest, NamesPositionAndWhatWasExpected) {
  const ErrorCase& c = GetParam();
  absl::StatusOr<Node> n = ParseCondition(c.text);
  ASSERT_FALSE(n.ok()) << c.text;
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(n.status().message(), absl::StrCat("condition: position ", c.position, ": ", c.message))
      << c.text;
  EXPECT_EQ(ConditionErrorPosition(n.status()), c.position);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ConditionParserErrorTest,
    testing::Values(
        ErrorCase{"", 0, "expected a condition, e.g. \"dport = 443\", found end of condition"},
        ErrorCase{"   ", 3, "expected a condition, e.g. \"dport = 443\", found end of condition"},
        ErrorCase{"sip = foo", 6, "expected an IP address after \"sip =\", found \"foo\""},
        ErrorCase{"sip = foo and dport = 80", 6,
                  "expected an IP address after \"sip =\", found \"foo\""},
        ErrorCase{"SRC eq 300.1.1.1", 7,
                  "expected an IP address after \"SRC eq\", found \"300.1.1.1\""},
        ErrorCase{"sip = 10.0.0.0/8", 6,
                  "expected an IP address after \"sip =\", found \"10.0.0.0/8\" (a network: use "
                  "snet, dnet or net)"},
        ErrorCase{"dip =", 5, "expected an IP address after \"dip =\", found end of condition"},
        ErrorCase{"dip = )", 6, "expected an IP address after \"dip =\", found \")\""},
        ErrorCase{"sip < 1.2.3.4", 4,
                  "operator \"<\" does not apply to sip: addresses compare only with = or !="},
        ErrorCase{"host ge ::1", 5,
                  "operator \"ge\" does not apply to host: addresses compare only with = or !="},
        ErrorCase{"snet > 10.0.0.0/8", 5,
                  "operator \">\" does not apply to snet: networks compare only with = (in the "
                  "network) or != (not in it)"},
        ErrorCase{"net <= 10.0.0.0/8", 4,
                  "operator \"<=\" does not apply to net: networks compare only with = (in the "
                  "network) or != (not in it)"},
        ErrorCase{"dir != in", 4,
                  "operator \"!=\" does not apply to dir: write dir = in, out, uni or bi"},
        ErrorCase{"dir < in", 4,
                  "operator \"<\" does not apply to dir: write dir = in, out, uni or bi"},
        ErrorCase{"snet = 10.0.0.1", 7,
                  "expected a network in CIDR notation (e.g. 10.0.0.0/8 or 2001:db8::/32) after "
                  "\"snet =\", found \"10.0.0.1\" (add a prefix length, e.g. 10.0.0.1/32, or use "
                  "sip, dip or host)"},
        ErrorCase{"dnet = ::1", 7,
                  "expected a network in CIDR notation (e.g. 10.0.0.0/8 or 2001:db8::/32) after "
                  "\"dnet =\", found \"::1\" (add a prefix length, e.g. ::1/128, or use sip, dip "
                  "or host)"},
        ErrorCase{"net = foo/8", 6,
                  "expected a network in CIDR notation (e.g. 10.0.0.0/8 or 2001:db8::/32) after "
                  "\"net =\", found \"foo/8\""},
        ErrorCase{"snet = 10.0.0.0/33", 16,
                  "prefix length \"33\" is out of range for an IPv4 network (0..32)"},
        ErrorCase{"snet = ::/129", 10,
                  "prefix length \"129\" is out of range for an IPv6 network (0..128)"},
        ErrorCase{"snet = 10.0.0.0/", 16,
                  "expected a prefix length (0..32) after \"10.0.0.0/\", found nothing"},
        ErrorCase{"snet = 10.0.0.0/x8", 16,
                  "expected a prefix length (0..32) after \"10.0.0.0/\", found \"x8\""},
        ErrorCase{"snet = 10.0.0.0/-1", 16,
                  "expected a prefix length (0..32) after \"10.0.0.0/\", found \"-1\""},
        ErrorCase{"dport = http", 8,
                  "expected a port number (0..65535) after \"dport =\", found \"http\""},
        ErrorCase{"dport = -1", 8,
                  "expected a port number (0..65535) after \"dport =\", found \"-1\""},
        ErrorCase{"port = 65536", 7, "port \"65536\" is out of range (0..65535)"},
        ErrorCase{"dport = 99999999999999999999", 8,
                  "port \"99999999999999999999\" is out of range (0..65535)"},
        ErrorCase{"proto = foo", 8,
                  "expected a protocol name (tcp, udp, icmp, icmpv6, gre, esp, ...) or number "
                  "after \"proto =\", found \"foo\""},
        ErrorCase{"proto = 256", 8, "protocol number \"256\" is out of range (0..255)"},
        ErrorCase{"dir = sideways", 6,
                  "expected a direction (in, out, uni or bi) after \"dir =\", found \"sideways\""},
        ErrorCase{"foo = 1", 0,
                  "expected an attribute (sip, dip, host, snet, dnet, net, dport, proto or dir), "
                  "found \"foo\""},
        ErrorCase{"443", 0,
                  "expected an attribute (sip, dip, host, snet, dnet, net, dport, proto or dir), "
                  "found \"443\""},
        ErrorCase{"dport 443", 6,
                  "expected a comparison operator (= != < > <= >= or eq ne lt gt le ge) after "
                  "\"dport\", found \"443\""},
        ErrorCase{"dport", 5,
                  "expected a comparison operator (= != < > <= >= or eq ne lt gt le ge) after "
                  "\"dport\", found end of condition"},
        ErrorCase{"dport = 1 and", 13,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found end of "
                  "condition"},
        ErrorCase{"and dport = 1", 0,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found \"and\""},
        ErrorCase{"dport = 1 or or dport = 2", 13,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found \"or\""},
        ErrorCase{"not", 3,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found end of "
                  "condition"},
        ErrorCase{"()", 1,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found \")\""},
        ErrorCase{"= 1", 0,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found \"=\""},
        ErrorCase{"dport = 1 dport = 2", 10,
                  "expected \"and\", \"or\" or end of condition, found \"dport\""},
        ErrorCase{"dport = 1 )", 10, "found \")\" without a matching \"(\""},
        ErrorCase{"dport = 1 ]", 10, "found \"]\" without a matching \"[\""},
        ErrorCase{"(dport = 1", 10,
                  "expected \"and\", \"or\" or \")\" to close \"(\" at position 0, found end of "
                  "condition"},
        ErrorCase{"dport = 2 and (dport = 1 dport = 3)", 25,
                  "expected \"and\", \"or\" or \")\" to close \"(\" at position 14, found "
                  "\"dport\""},
        ErrorCase{"[dport = 1)", 10, "expected \"]\" to close \"[\" at position 0, found \")\""},
        ErrorCase{"dport == = 1", 9,
                  "expected a port number (0..65535) after \"dport ==\", found \"=\""},
        ErrorCase{"sip = 1.2.3.4 && || dip = ::1", 17,
                  "expected a comparison such as \"dport = 443\", \"(\" or \"not\", found \"||\""},
        ErrorCase{"dport = \x01\x02", 8,
                  "expected a port number (0..65535) after \"dport =\", found \"\\x01\\x02\""}));

TEST(ConditionParserTest, LongValuesAreCutInMessages) {
  const std::string value(200, 'x');
  absl::StatusOr<Node> n = ParseCondition("sip = " + value);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(),
            absl::StrCat("condition: position 6: expected an IP address after \"sip =\", found \"",
                         std::string(40, 'x'), "...\""));
}

std::string Nested(int levels, absl::string_view open, absl::string_view close) {
  std::string text;
  for (int i = 0; i < levels; ++i) absl::StrAppend(&text, open);
  text += "dport = 1";
  for (int i = 0; i < levels; ++i) absl::StrAppend(&text, close);
  return text;
}

TEST(ConditionParserTest, NestingIsCappedWithAClearError) {
  EXPECT_TRUE(ParseCondition(Nested(kMaxConditionNesting, "(", ")")).ok());
  EXPECT_TRUE(ParseCondition(Nested(kMaxConditionNesting, "not ", "")).ok());
  EXPECT_TRUE(ParseCondition(Nested(kMaxConditionNesting / 2, "not (", ")")).ok());

  absl::StatusOr<Node> parens = ParseCondition(Nested(kMaxConditionNesting + 1, "(", ")"));
  ASSERT_FALSE(parens.ok());
  EXPECT_EQ(parens.status().message(),
            "condition: position 100: nesting deeper than 100 levels of parentheses and \"not\"");

  absl::StatusOr<Node> nots = ParseCondition(Nested(kMaxConditionNesting + 1, "!", ""));
  ASSERT_FALSE(nots.ok());
  EXPECT_EQ(ConditionErrorPosition(nots.status()), 100u);

  // Far deeper input fails the same way rather than exhausting the stack.
  absl::StatusOr<Node> deep = ParseCondition(std::string(60000, '('));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(ConditionErrorPosition(deep.status()), 100u);
}

TEST(ConditionParserTest, LongChainsAreFineButLengthIsCapped) {
  std::string chain = "dport = 0";
  for (int i = 1; chain.size() + 20 < kMaxConditionLength; ++i) {
    absl::StrAppend(&chain, " or dport = ", i % 65536);
  }
  absl::StatusOr<Node> ok = ParseCondition(chain);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->kind, Node::Kind::kOr);
  EXPECT_GT(ok->children.size(), 3000u);

  const std::string too_long(kMaxConditionLength + 1, ' ');
  absl::StatusOr<Node> n = ParseCondition(too_long);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(),
            "condition: position 65536: condition is longer than 65536 bytes");
}

}  // namespace
}  // namespace goprobe::query
