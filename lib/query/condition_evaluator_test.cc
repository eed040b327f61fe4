#include "lib/query/condition_evaluator.h"

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/block.h"
#include "lib/query/condition_normalizer.h"
#include "lib/query/condition_parser.h"

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

using flow::IpAddress;

IpAddress Ip(absl::string_view text) { return *IpAddress::Parse(text); }

// A block holding `rows` (IPv4 rows must come first), every column read.
godb::BlockColumns MakeBlock(const std::vector<flow::FlowRow>& rows) {
  godb::BlockColumns b;
  b.rows = uint32_t(rows.size());
  for (const flow::FlowRow& r : rows) {
    if (r.key.is_v4()) {
      ++b.v4_rows;
      b.sip4.push_back(r.key.sip.v4_value());
      b.dip4.push_back(r.key.dip.v4_value());
    } else {
      b.sip6.push_back(godb::V6Value(r.key.sip));
      b.dip6.push_back(godb::V6Value(r.key.dip));
    }
    b.dport.push_back(r.key.dport);
    b.proto.push_back(r.key.proto);
    b.bytes_rcvd.push_back(r.counters.bytes_rcvd);
    b.bytes_sent.push_back(r.counters.bytes_sent);
    b.pkts_rcvd.push_back(r.counters.pkts_rcvd);
    b.pkts_sent.push_back(r.counters.pkts_sent);
  }
  return b;
}

flow::FlowRow Row(absl::string_view sip, absl::string_view dip, uint16_t dport, uint8_t proto) {
  flow::FlowRow r;
  r.key = {Ip(sip), Ip(dip), dport, proto};
  r.counters = {100, 200, 1, 2};
  return r;
}

ConditionEvaluator MustCompile(absl::string_view text) {
  absl::StatusOr<NormalizedCondition> c = PrepareCondition(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status();
  if (!c.ok()) return ConditionEvaluator();
  absl::StatusOr<ConditionEvaluator> e = ConditionEvaluator::Compile(*c);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status();
  return e.ok() ? *std::move(e) : ConditionEvaluator();
}

std::vector<uint32_t> Select(absl::string_view text, const godb::BlockColumns& block) {
  const ConditionEvaluator e = MustCompile(text);
  RowSelection s;
  const absl::Status status = e.Evaluate(block, &s);
  EXPECT_TRUE(status.ok()) << status;
  std::vector<uint32_t> rows;
  s.AppendRows(&rows);
  return rows;
}

// Rows 0-2 are IPv4, rows 3-5 IPv6.
const std::vector<flow::FlowRow>& MixedRows() {
  static const auto* rows = new std::vector<flow::FlowRow>{
      Row("10.0.0.1", "192.168.1.10", 443, 6),   Row("10.0.0.2", "10.0.0.1", 53, 17),
      Row("172.16.5.4", "8.8.8.8", 80, 6),       Row("2001:db8::1", "2001:db8::2", 443, 6),
      Row("::ffff:10.0.0.1", "fe80::1", 53, 17), Row("fe80::1", "2001:db8:1::9", 0, 58),
  };
  return *rows;
}

using Rows = std::vector<uint32_t>;

TEST(ConditionEvaluatorTest, AddressesMatchOnlyTheirOwnFamily) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  EXPECT_EQ(Select("sip = 10.0.0.1", b), (Rows{0}));
  EXPECT_EQ(Select("sip != 10.0.0.1", b), (Rows{1, 2, 3, 4, 5}));
  EXPECT_EQ(Select("sip = ::ffff:10.0.0.1", b), (Rows{4}));
  EXPECT_EQ(Select("dip = fe80::1", b), (Rows{4}));
  EXPECT_EQ(Select("sip != fe80::1", b), (Rows{0, 1, 2, 3, 4}));
  EXPECT_EQ(Select("host = 10.0.0.1", b), (Rows{0, 1}));
  EXPECT_EQ(Select("host = fe80::1", b), (Rows{4, 5}));
  EXPECT_EQ(Select("host != fe80::1", b), (Rows{0, 1, 2, 3}));
}

TEST(ConditionEvaluatorTest, NetworksMatchOnlyTheirOwnFamily) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  EXPECT_EQ(Select("snet = 10.0.0.0/8", b), (Rows{0, 1}));
  EXPECT_EQ(Select("snet != 10.0.0.0/8", b), (Rows{2, 3, 4, 5}));
  EXPECT_EQ(Select("snet = 0.0.0.0/0", b), (Rows{0, 1, 2}));
  EXPECT_EQ(Select("snet = ::/0", b), (Rows{3, 4, 5}));
  EXPECT_EQ(Select("dnet = 2001:db8::/32", b), (Rows{3, 5}));
  EXPECT_EQ(Select("dnet = 2001:db8::/48", b), (Rows{3}));
  EXPECT_EQ(Select("net = 10.0.0.0/24", b), (Rows{0, 1}));
  EXPECT_EQ(Select("net != 10.0.0.0/24", b), (Rows{2, 3, 4, 5}));
  EXPECT_EQ(Select("net = fe80::/10", b), (Rows{4, 5}));
  // Host bits are cleared: this is 172.16.0.0/12.
  EXPECT_EQ(Select("snet = 172.31.255.255/12", b), (Rows{2}));
  EXPECT_EQ(Select("dnet = 8.8.8.8/32", b), (Rows{2}));
}

TEST(ConditionEvaluatorTest, PortsAndProtocolsWithEveryOperator) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  EXPECT_EQ(Select("dport = 443", b), (Rows{0, 3}));
  EXPECT_EQ(Select("dport != 443", b), (Rows{1, 2, 4, 5}));
  EXPECT_EQ(Select("dport < 80", b), (Rows{1, 4, 5}));
  EXPECT_EQ(Select("dport <= 80", b), (Rows{1, 2, 4, 5}));
  EXPECT_EQ(Select("dport > 80", b), (Rows{0, 3}));
  EXPECT_EQ(Select("dport >= 80", b), (Rows{0, 2, 3}));
  EXPECT_EQ(Select("proto = tcp", b), (Rows{0, 2, 3}));
  EXPECT_EQ(Select("proto != tcp", b), (Rows{1, 4, 5}));
  EXPECT_EQ(Select("proto > udp", b), (Rows{5}));
  EXPECT_EQ(Select("proto <= 17", b), (Rows{0, 1, 2, 3, 4}));
}

TEST(ConditionEvaluatorTest, BooleanCombinations) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  EXPECT_EQ(Select("dport = 443 and snet = 10.0.0.0/8", b), (Rows{0}));
  EXPECT_EQ(Select("dport = 443 or proto = icmpv6", b), (Rows{0, 3, 5}));
  EXPECT_EQ(Select("not (dport = 443 or proto = icmpv6)", b), (Rows{1, 2, 4}));
  EXPECT_EQ(Select("proto = udp and not host = 10.0.0.1", b), (Rows{4}));
  EXPECT_EQ(Select("dport = 1 and sip = 10.0.0.1", b), (Rows{}));
  EXPECT_EQ(Select("dport = 443 or not dport = 443", b), (Rows{0, 1, 2, 3, 4, 5}));
}

TEST(ConditionEvaluatorTest, ManyValuesBecomeSets) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  EXPECT_EQ(Select("dport = 1 or dport = 2 or dport = 53 or dport = 443 or dport = 9", b),
            (Rows{0, 1, 3, 4}));
  EXPECT_EQ(Select("not (dport = 1 or dport = 2 or dport = 53 or dport = 443)", b), (Rows{2, 5}));
  EXPECT_EQ(Select("proto = 1 or proto = 58 or proto = 47 or proto = 50", b), (Rows{5}));
  EXPECT_EQ(Select("proto != 1 and proto != 58 and proto != 47 and proto != 50", b),
            (Rows{0, 1, 2, 3, 4}));
  EXPECT_EQ(Select("sip = 10.0.0.2 or sip = fe80::1 or sip = 1.1.1.1 or sip = ::2", b),
            (Rows{1, 5}));
  EXPECT_EQ(Select("host = 10.0.0.2 or host = fe80::1 or host = 1.1.1.1 or host = ::2", b),
            (Rows{1, 4, 5}));
  EXPECT_EQ(Select("host != 10.0.0.2 and host != fe80::1 and host != 1.1.1.1 and host != ::2", b),
            (Rows{0, 2, 3}));
  // Only IPv4 values: every IPv6 row is outside the set.
  EXPECT_EQ(Select("dip != 1.1.1.1 and dip != 2.2.2.2 and dip != 3.3.3.3 and dip != 8.8.8.8", b),
            (Rows{0, 1, 3, 4, 5}));
}

TEST(ConditionEvaluatorTest, ReportsTheColumnsItReads) {
  auto columns = [](absl::string_view text) { return MustCompile(text).columns(); };
  EXPECT_TRUE(columns("dir = in").empty());
  godb::ColumnSet c = columns("dport = 443 and snet = 10.0.0.0/8");
  EXPECT_TRUE(c.Has(godb::Column::kDport));
  EXPECT_TRUE(c.Has(godb::Column::kSip));
  EXPECT_FALSE(c.Has(godb::Column::kDip));
  EXPECT_FALSE(c.Has(godb::Column::kProto));
  EXPECT_FALSE(c.Has(godb::Column::kPktsRcvd));
  c = columns("host = ::1 or proto = 6");
  EXPECT_TRUE(c.Has(godb::Column::kSip));
  EXPECT_TRUE(c.Has(godb::Column::kDip));
  EXPECT_TRUE(c.Has(godb::Column::kProto));
  EXPECT_FALSE(c.Has(godb::Column::kDport));
}

TEST(ConditionEvaluatorTest, RefusesBlocksMissingAColumn) {
  godb::BlockColumns b = MakeBlock(MixedRows());
  b.dip6.clear();
  const ConditionEvaluator e = MustCompile("dport = 1 or net = 10.0.0.0/8");
  RowSelection s;
  const absl::Status status = e.Evaluate(b, &s);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("column dip"), std::string::npos) << status;
  // A condition that does not read dip does not care.
  EXPECT_TRUE(MustCompile("snet = 10.0.0.0/8").Evaluate(b, &s).ok());

  b.v4_rows = b.rows + 1;
  EXPECT_EQ(MustCompile("dport = 1").Evaluate(b, &s).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ConditionEvaluatorTest, NoConditionOrOnlyADirectionSelectsEverything) {
  const godb::BlockColumns b = MakeBlock(MixedRows());
  RowSelection s;
  ConditionEvaluator all;
  EXPECT_TRUE(all.matches_all());
  ASSERT_TRUE(all.Evaluate(b, &s).ok());
  EXPECT_TRUE(s.All());
  EXPECT_EQ(s.Count(), 6u);
  EXPECT_EQ(Select("dir = in", b), (Rows{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(all.Matches(MixedRows()[0].key));
}

TEST(ConditionEvaluatorTest, EmptyBlocks) {
  const godb::BlockColumns empty;
  RowSelection s;
  ASSERT_TRUE(MustCompile("dport = 1 and (sip = ::1 or proto = 6)").Evaluate(empty, &s).ok());
  EXPECT_EQ(s.rows(), 0u);
  EXPECT_EQ(s.Count(), 0u);
  EXPECT_TRUE(s.None());
  EXPECT_TRUE(s.All());
}

TEST(ConditionEvaluatorTest, RejectsTreesThatAreNotNormalised) {
  for (const char* text : {"not dport = 1", "host = ::1", "net = ::/0", "dir = in"}) {
    absl::StatusOr<Node> parsed = ParseCondition(text);
    ASSERT_TRUE(parsed.ok());
    absl::StatusOr<ConditionEvaluator> e = ConditionEvaluator::Compile(*parsed);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ConditionEvaluatorTest, ReusesTheSelectionsMemory) {
  std::vector<flow::FlowRow> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back(Row(i % 3 ? "10.0.0.1" : "10.0.0.2", "10.0.0.3", uint16_t(i), 6));
  }
  const godb::BlockColumns big = MakeBlock(rows);
  rows.resize(3000);
  const godb::BlockColumns small = MakeBlock(rows);
  const ConditionEvaluator e =
      MustCompile("(dport < 100 or dport > 200) and (sip = 10.0.0.1 or proto = 17)");
  RowSelection s;
  ASSERT_TRUE(e.Evaluate(big, &s).ok());
  const uint64_t* words = s.words().data();
  ASSERT_TRUE(e.Evaluate(small, &s).ok());
  ASSERT_TRUE(e.Evaluate(big, &s).ok());
  EXPECT_EQ(s.words().data(), words);
  EXPECT_EQ(s.rows(), 5000u);
}

TEST(DirectionTest, ClassifiesPacketCounts) {
  struct Case {
    uint64_t rcvd, sent;
    bool in, out, uni, bi;
  };
  for (const Case& c :
       {Case{1, 0, true, false, true, false}, Case{0, 1, false, true, true, false},
        Case{3, 4, false, false, false, true}, Case{0, 0, false, false, false, false}}) {
    EXPECT_EQ(DirectionMatches(Direction::kIn, c.rcvd, c.sent), c.in) << c.rcvd << "/" << c.sent;
    EXPECT_EQ(DirectionMatches(Direction::kOut, c.rcvd, c.sent), c.out) << c.rcvd << "/" << c.sent;
    EXPECT_EQ(DirectionMatches(Direction::kUni, c.rcvd, c.sent), c.uni) << c.rcvd << "/" << c.sent;
    EXPECT_EQ(DirectionMatches(Direction::kBi, c.rcvd, c.sent), c.bi) << c.rcvd << "/" << c.sent;
  }
  flow::Counters counters;
  counters.pkts_rcvd = 5;
  counters.bytes_sent = 100;  // bytes do not decide
  EXPECT_TRUE(DirectionMatches(Direction::kIn, counters));
}

// ---------------------------------------------------------------------------
// Against a brute-force reference: random blocks, random conditions written
// in every spelling the grammar allows, evaluated per row straight from the
// generator's own tree.

// The reference's view of a condition: independent of the parser's tree.
struct RefNode {
  enum Kind { kLeaf, kNot, kAnd, kOr } kind = kLeaf;
  std::string attribute;  // canonical: sip dip host snet dnet net dport proto
  CompareOp op = CompareOp::kEq;
  IpAddress address;    // sip/dip/host, and the (unmasked) base of networks
  int prefix = 0;       // networks
  uint32_t number = 0;  // dport, proto
  std::vector<RefNode> children;
};

bool RefInNetwork(const IpAddress& a, const IpAddress& base, int prefix) {
  if (a.is_v4() != base.is_v4()) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    const int byte = bit / 8, shift = 7 - bit % 8;
    if (((a.data()[byte] >> shift) & 1) != ((base.data()[byte] >> shift) & 1)) return false;
  }
  return true;
}

bool RefCompare(CompareOp op, uint32_t a, uint32_t b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return !(a == b);
    case CompareOp::kLt: return a < b;
    case CompareOp::kGt: return b < a;
    case CompareOp::kLe: return !(b < a);
    case CompareOp::kGe: return !(a < b);
  }
  return false;
}

bool RefEval(const RefNode& n, const flow::FlowKey& k) {
  switch (n.kind) {
    case RefNode::kNot: return !RefEval(n.children[0], k);
    case RefNode::kAnd:
      for (const RefNode& c : n.children) {
        if (!RefEval(c, k)) return false;
      }
      return true;
    case RefNode::kOr:
      for (const RefNode& c : n.children) {
        if (RefEval(c, k)) return true;
      }
      return false;
    case RefNode::kLeaf: break;
  }
  bool hit;
  if (n.attribute == "sip") {
    hit = k.sip == n.address;
  } else if (n.attribute == "dip") {
    hit = k.dip == n.address;
  } else if (n.attribute == "host") {
    hit = k.sip == n.address || k.dip == n.address;
  } else if (n.attribute == "snet") {
    hit = RefInNetwork(k.sip, n.address, n.prefix);
  } else if (n.attribute == "dnet") {
    hit = RefInNetwork(k.dip, n.address, n.prefix);
  } else if (n.attribute == "net") {
    hit = RefInNetwork(k.sip, n.address, n.prefix) || RefInNetwork(k.dip, n.address, n.prefix);
  } else if (n.attribute == "dport") {
    return RefCompare(n.op, k.dport, n.number);
  } else {
    return RefCompare(n.op, k.proto, n.number);
  }
  return n.op == CompareOp::kEq ? hit : !hit;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // Random rows drawing from small pools, so conditions hit often.
  std::vector<flow::FlowRow> Rows(size_t n, double v6_share) {
    std::vector<flow::FlowRow> v4, v6;
    for (size_t i = 0; i < n; ++i) {
      flow::FlowRow r;
      const bool is_v6 = Chance(v6_share);
      r.key.sip = Address(is_v6);
      r.key.dip = Address(is_v6);
      r.key.dport = Port();
      r.key.proto = Proto();
      r.counters = {Below(1000), Below(1000), Below(3), Below(3)};
      (is_v6 ? v6 : v4).push_back(r);
    }
    v4.insert(v4.end(), v6.begin(), v6.end());
    return v4;
  }

  // A random condition as text, with the reference tree it means.
  std::pair<std::string, RefNode> Condition(int depth) {
    RefNode ref;
    std::string text = Expr(depth, &ref);
    return {text, ref};
  }

  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

 private:
  IpAddress Address(bool v6) {
    if (!v6) {
      static const uint32_t kPool[] = {0x0a000001, 0x0a000002, 0x0a0000ff, 0x0a010203, 0xc0a80101,
                                       0xc0a801fe, 0xac100001, 0x08080808, 0x00000000, 0xffffffff};
      if (Chance(0.9)) return IpAddress::V4(kPool[Below(10)]);
      return IpAddress::V4(uint32_t(rng_()));
    }
    static const char* kPool[] = {"2001:db8::1",
                                  "2001:db8::2",
                                  "2001:db8:1::1",
                                  "fe80::1",
                                  "fe80::abcd",
                                  "::1",
                                  "::",
                                  "::ffff:10.0.0.1",
                                  "ff02::1",
                                  "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"};
    if (Chance(0.9)) return Ip(kPool[Below(10)]);
    uint8_t bytes[16];
    for (uint8_t& b : bytes) b = uint8_t(rng_());
    return IpAddress::V6(bytes);
  }
  uint16_t Port() {
    static const uint16_t kPool[] = {0, 1, 22, 53, 80, 443, 8080, 65535};
    return Chance(0.8) ? kPool[Below(8)] : uint16_t(rng_());
  }
  uint8_t Proto() {
    static const uint8_t kPool[] = {1, 6, 17, 47, 50, 58, 0, 255};
    return Chance(0.9) ? kPool[Below(8)] : uint8_t(rng_());
  }

  // Random letter case, so every keyword is tried in every case.
  std::string Case(absl::string_view word) {
    std::string out(word);
    const int mode = int(Below(4));
    for (char& c : out) {
      if (mode == 1 || (mode == 3 && Chance(0.5))) c = absl::ascii_toupper(c);
    }
    return out;
  }
  std::string Space() {
    static const char* kSpaces[] = {" ", " ", " ", "  ", "\t", " \n "};
    return kSpaces[Below(6)];
  }
  // A symbol operator may go without spaces around it; a word needs them.
  std::string OpText(CompareOp op) {
    static const std::vector<std::vector<const char*>> kSpellings = {
        {"=", "==", "===", "eq", "-eq", "equals"},
        {"!=", "ne", "-ne", "neq", "-neq"},
        {"<", "lt", "-lt", "less"},
        {">", "gt", "-gt", "greater"},
        {"<=", "le", "-le", "leq", "-leq"},
        {">=", "ge", "-ge", "geq", "-geq"},
    };
    const auto& s = kSpellings[int(op)];
    const std::string spelled = Case(s[Below(s.size())]);
    if (!absl::ascii_isalpha(spelled.back()) && Chance(0.3)) return spelled;
    return Space() + spelled + Space();
  }

  std::string Leaf(RefNode* ref) {
    static const std::vector<std::vector<const char*>> kNames = {
        {"sip", "src"}, {"dip", "dst"}, {"host"},          {"snet"},
        {"dnet"},       {"net"},        {"dport", "port"}, {"proto", "protocol", "ipproto"},
    };
    static const char* kCanonical[] = {"sip",  "dip", "host",  "snet",
                                       "dnet", "net", "dport", "proto"};
    const int which = int(Below(8));
    ref->kind = RefNode::kLeaf;
    ref->attribute = kCanonical[which];
    const std::string name = Case(kNames[which][Below(kNames[which].size())]);
    std::string value;
    if (which <= 5) {
      ref->op = Chance(0.5) ? CompareOp::kEq : CompareOp::kNe;
      ref->address = Address(Chance(0.5));
      value = ref->address.ToString();
      if (Chance(0.2)) value = absl::AsciiStrToUpper(value);
      if (which >= 3) {
        const int max = ref->address.is_v4() ? 32 : 128;
        static const int kPrefixes[] = {0, 8, 10, 16, 24, 25, 31, 32, 48, 64, 127, 128};
        ref->prefix = std::min(max, Chance(0.7) ? kPrefixes[Below(12)] : int(Below(max + 1)));
        value = absl::StrCat(value, "/", ref->prefix);
      }
    } else {
      ref->op = CompareOp(Below(6));
      if (which == 6) {
        ref->number = Port();
        value = std::to_string(ref->number);
      } else {
        ref->number = Proto();
        const std::string name_of = flow::ProtoName(uint8_t(ref->number));
        value = Chance(0.5) ? Case(name_of) : std::to_string(ref->number);
      }
    }
    return name + OpText(ref->op) + value;
  }

  // Many equal comparisons on one attribute joined by or (or != by and): the
  // evaluator's set path.
  std::string Chain(RefNode* ref) {
    const bool is_and = Chance(0.5);
    ref->kind = is_and ? RefNode::kAnd : RefNode::kOr;
    static const char* kAttrs[] = {"sip", "dip", "dport", "proto", "host"};
    const char* attr = kAttrs[Below(5)];
    const int n = 3 + int(Below(6));
    std::string text;
    for (int i = 0; i < n; ++i) {
      RefNode leaf;
      leaf.attribute = attr;
      leaf.op = is_and ? CompareOp::kNe : CompareOp::kEq;
      std::string value;
      if (leaf.attribute == "dport") {
        leaf.number = Port();
        value = std::to_string(leaf.number);
      } else if (leaf.attribute == "proto") {
        leaf.number = Proto();
        value = std::to_string(leaf.number);
      } else {
        leaf.address = Address(Chance(0.5));
        value = leaf.address.ToString();
      }
      if (i > 0) text += Space() + Case(is_and ? "and" : "or") + Space();
      text += std::string(attr) + OpText(leaf.op) + value;
      ref->children.push_back(leaf);
    }
    return text;
  }

  // Precedence of what Expr returns, for minimal parentheses: 1 or, 2 and,
  // 3 not/leaf/group.
  std::string Expr(int depth, RefNode* ref, int* precedence = nullptr) {
    int dummy;
    int& prec = precedence ? *precedence : dummy;
    const uint64_t pick = depth <= 0 ? Below(10) : Below(14);
    if (pick < 7) {
      prec = 3;
      return Leaf(ref);
    }
    if (pick < 8) {
      prec = 2;  // a chain of and / or at worst
      std::string text = Chain(ref);
      prec = ref->kind == RefNode::kAnd ? 2 : 1;
      return text;
    }
    if (pick < 10 || depth <= 0) {
      // not: its operand must be a leaf or a group.
      ref->kind = RefNode::kNot;
      ref->children.resize(1);
      int inner;
      std::string operand = Expr(depth - 1, &ref->children[0], &inner);
      if (inner < 3 || Chance(0.2)) operand = Group(operand);
      prec = 3;
      static const char* kNots[] = {"not ", "NOT ", "!", "! ", "Not "};
      std::string not_text = kNots[Below(5)];
      if (operand[0] == '(' && Chance(0.5) && not_text.back() == ' ') not_text.pop_back();
      return not_text + operand;
    }
    const bool is_and = Chance(0.5);
    ref->kind = is_and ? RefNode::kAnd : RefNode::kOr;
    const int n = 2 + int(Below(3));
    const int need = is_and ? 2 : 1;  // children binding looser need parens
    std::string text;
    static const char* kAnds[] = {"and", "AND", "&&", "&"};
    static const char* kOrs[] = {"or", "OR", "||", "|"};
    for (int i = 0; i < n; ++i) {
      RefNode child;
      int inner;
      std::string part = Expr(depth - 1, &child, &inner);
      if (inner < need || Chance(0.15)) part = Group(part);
      if (i > 0) {
        const std::string op = is_and ? kAnds[Below(4)] : kOrs[Below(4)];
        text += absl::ascii_isalpha(op[0]) ? Space() + op + Space()
                                           : (Chance(0.5) ? op : " " + op + " ");
      }
      text += part;
      ref->children.push_back(std::move(child));
    }
    prec = is_and ? 2 : 1;
    return text;
  }

  std::string Group(const std::string& inner) {
    static const char* kOpen[] = {"(", "(", "[", "{", "( "};
    static const char* kClose[] = {")", ")", "]", "}", " )"};
    const int k = int(Below(5));
    return kOpen[k] + inner + kClose[k];
  }

  std::mt19937_64 rng_;
};

// A copy of `b` with only `columns` kept, as the planner would read it.
godb::BlockColumns OnlyColumns(const godb::BlockColumns& b, godb::ColumnSet columns) {
  godb::BlockColumns out;
  out.rows = b.rows;
  out.v4_rows = b.v4_rows;
  if (columns.Has(godb::Column::kSip)) out.sip4 = b.sip4, out.sip6 = b.sip6;
  if (columns.Has(godb::Column::kDip)) out.dip4 = b.dip4, out.dip6 = b.dip6;
  if (columns.Has(godb::Column::kDport)) out.dport = b.dport;
  if (columns.Has(godb::Column::kProto)) out.proto = b.proto;
  return out;
}

TEST(ConditionEvaluatorReferenceTest, RandomConditionsOverRandomBlocks) {
  Generator gen(20240501);
  RowSelection selection;  // reused across every block, as a scanner would
  int evaluated = 0, nonempty = 0, partial = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    static const size_t kSizes[] = {0, 1, 2, 63, 64, 65, 127, 128, 129, 200, 1000};
    const size_t n = trial % 50 == 0 ? 3000 + gen.Below(2000) : kSizes[gen.Below(11)];
    static const double kShares[] = {0, 1, 0.5, 0.1, 0.9};
    const std::vector<flow::FlowRow> rows = gen.Rows(n, kShares[gen.Below(5)]);
    const godb::BlockColumns full = MakeBlock(rows);

    const auto [text, ref] = gen.Condition(int(gen.Below(5)));
    absl::StatusOr<NormalizedCondition> cond = PrepareCondition(text);
    ASSERT_TRUE(cond.ok()) << "trial " << trial << ": " << text << "\n" << cond.status();
    absl::StatusOr<ConditionEvaluator> e = ConditionEvaluator::Compile(*cond);
    ASSERT_TRUE(e.ok()) << text << "\n" << e.status();

    const godb::BlockColumns block = OnlyColumns(full, e->columns());
    ASSERT_TRUE(e->Evaluate(block, &selection).ok()) << text;
    ASSERT_EQ(selection.rows(), n);
    uint32_t expected_count = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const bool expected = RefEval(ref, rows[i].key);
      expected_count += expected;
      ASSERT_EQ(selection.Contains(i), expected)
          << "trial " << trial << ", row " << i << " of " << n << " (v4 rows " << full.v4_rows
          << "): " << rows[i].key.sip.ToString() << " -> " << rows[i].key.dip.ToString() << ":"
          << rows[i].key.dport << "/" << int(rows[i].key.proto) << "\ncondition: " << text
          << "\nnormalised: " << ToString(*cond);
      ASSERT_EQ(e->Matches(rows[i].key), expected) << text << " row " << i;
    }
    ASSERT_EQ(selection.Count(), expected_count) << text;
    // Bits past the last row stay clear.
    if (n % 64 != 0) {
      ASSERT_EQ(selection.words().back() >> (n % 64), 0u) << text;
    }
    ++evaluated;
    nonempty += expected_count > 0;
    partial += expected_count > 0 && expected_count < n;
  }
  // The generator must actually exercise both outcomes.
  EXPECT_GT(nonempty, evaluated / 4);
  EXPECT_GT(partial, evaluated / 5);
}

}  // namespace
}  // namespace goprobe::query
