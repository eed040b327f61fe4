#include "lib/query/condition_normalizer.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/query/condition_error.h"
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

// The normalised condition's canonical text, or the error message.
std::string Norm(absl::string_view text) {
  absl::StatusOr<NormalizedCondition> c = PrepareCondition(text);
  if (!c.ok()) return std::string(c.status().message());
  return ToString(*c);
}

bool HasNot(const Node& n) {
  if (n.kind == Node::Kind::kNot) return true;
  for (const Node& c : n.children) {
    if (HasNot(c)) return true;
  }
  return false;
}

TEST(ConditionNormalizerTest, PushesNotDownToComparisons) {
  EXPECT_EQ(Norm("not dport = 80"), "dport != 80");
  EXPECT_EQ(Norm("not dport != 80"), "dport = 80");
  EXPECT_EQ(Norm("not dport < 80"), "dport >= 80");
  EXPECT_EQ(Norm("not dport > 80"), "dport <= 80");
  EXPECT_EQ(Norm("not dport <= 80"), "dport > 80");
  EXPECT_EQ(Norm("not dport >= 80"), "dport < 80");
  EXPECT_EQ(Norm("not not proto = 6"), "proto = TCP");
  EXPECT_EQ(Norm("not sip = 10.0.0.1"), "sip != 10.0.0.1");
  EXPECT_EQ(Norm("not snet = 10.0.0.0/8"), "snet != 10.0.0.0/8");
}

TEST(ConditionNormalizerTest, DeMorgan) {
  EXPECT_EQ(Norm("not (dport = 80 and proto = 6)"), "dport != 80 or proto != TCP");
  EXPECT_EQ(Norm("not (dport = 80 or proto = 6)"), "dport != 80 and proto != TCP");
  EXPECT_EQ(Norm("not (dport = 80 or not (proto = 6 and dport < 10))"),
            "dport != 80 and proto = TCP and dport < 10");
  EXPECT_EQ(Norm("not (not (dport = 1 or dport = 2) and dport = 3)"),
            "dport = 1 or dport = 2 or dport != 3");
}

TEST(ConditionNormalizerTest, ExpandsHostAndNetToBothSides) {
  EXPECT_EQ(Norm("host = 10.0.0.1"), "sip = 10.0.0.1 or dip = 10.0.0.1");
  EXPECT_EQ(Norm("host != 10.0.0.1"), "sip != 10.0.0.1 and dip != 10.0.0.1");
  EXPECT_EQ(Norm("not host = ::1"), "sip != ::1 and dip != ::1");
  EXPECT_EQ(Norm("not host != ::1"), "sip = ::1 or dip = ::1");
  EXPECT_EQ(Norm("net = 10.0.0.0/8"), "snet = 10.0.0.0/8 or dnet = 10.0.0.0/8");
  EXPECT_EQ(Norm("net != 10.0.0.0/8"), "snet != 10.0.0.0/8 and dnet != 10.0.0.0/8");
  EXPECT_EQ(Norm("dport = 53 and host = 10.0.0.1"),
            "dport = 53 and (sip = 10.0.0.1 or dip = 10.0.0.1)");
  EXPECT_EQ(Norm("host = 10.0.0.1 or host = 10.0.0.2"),
            "sip = 10.0.0.1 or dip = 10.0.0.1 or sip = 10.0.0.2 or dip = 10.0.0.2");
}

TEST(ConditionNormalizerTest, ResultIsFlatAndFreeOfNotHostNetDir) {
  absl::StatusOr<NormalizedCondition> c = PrepareCondition(
      "not (host = 10.0.0.1 and not (net = 10.0.0.0/8 or dport = 1)) and dir = bi");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->rows.has_value());
  EXPECT_FALSE(HasNot(*c->rows));
  EXPECT_EQ(ToString(*c->rows),
            "sip != 10.0.0.1 and dip != 10.0.0.1 or snet = 10.0.0.0/8 or dnet = 10.0.0.0/8 or "
            "dport = 1");
  EXPECT_EQ(c->direction, Direction::kBi);
}

TEST(ConditionNormalizerTest, SplitsOffTheDirectionFilter) {
  absl::StatusOr<NormalizedCondition> alone = PrepareCondition("dir = in");
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_FALSE(alone->rows.has_value());
  EXPECT_EQ(alone->direction, Direction::kIn);

  absl::StatusOr<NormalizedCondition> first = PrepareCondition("dir = out and dport = 443");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(ToString(*first->rows), "dport = 443");
  EXPECT_EQ(first->direction, Direction::kOut);

  absl::StatusOr<NormalizedCondition> middle =
      PrepareCondition("dport = 443 and (dir = uni and proto = 6) and sip = 10.0.0.1");
  ASSERT_TRUE(middle.ok()) << middle.status();
  EXPECT_EQ(ToString(*middle->rows), "dport = 443 and proto = TCP and sip = 10.0.0.1");
  EXPECT_EQ(middle->direction, Direction::kUni);

  absl::StatusOr<NormalizedCondition> none = PrepareCondition("dport = 443");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->direction, std::nullopt);

  EXPECT_EQ(Norm("(dport = 1 or dport = 2) and dir = bi"), "(dport = 1 or dport = 2) and dir = bi");
}

TEST(ConditionNormalizerTest, RejectsMisplacedOrRepeatedDirections) {
  const std::string misplaced =
      ": dir must be the whole condition or joined to the rest by a top-level \"and\": it "
      "filters aggregated results, not single flows";
  EXPECT_EQ(Norm("dir = in or dport = 1"), absl::StrCat("condition: position 0", misplaced));
  EXPECT_EQ(Norm("not dir = in"), absl::StrCat("condition: position 4", misplaced));
  EXPECT_EQ(Norm("dport = 1 and (dir = in or dport = 2)"),
            absl::StrCat("condition: position 15", misplaced));
  EXPECT_EQ(Norm("dport = 1 and not (dport = 2 and dir = in)"),
            absl::StrCat("condition: position 33", misplaced));
  EXPECT_EQ(Norm("dir = in and dport = 1 and dir = out"),
            "condition: position 27: only one dir filter may be given: a row is in one direction");
}

TEST(ConditionNormalizerTest, NormalisingTwiceChangesNothing) {
  for (const char* text : {
           "not (host = 10.0.0.1 and not (net = 10.0.0.0/8 or dport = 1))",
           "dir = in and not (proto = 6 or dport > 1000) and host != ::1",
           "dport = 1 or dport = 2 and not dport = 3",
           "dir = out",
       }) {
    absl::StatusOr<NormalizedCondition> once = PrepareCondition(text);
    ASSERT_TRUE(once.ok()) << text << ": " << once.status();
    const std::string canon = ToString(*once);
    absl::StatusOr<NormalizedCondition> twice = PrepareCondition(canon);
    ASSERT_TRUE(twice.ok()) << canon << ": " << twice.status();
    EXPECT_EQ(once->rows, twice->rows) << text << " -> " << canon;
    EXPECT_EQ(once->direction, twice->direction);
    EXPECT_EQ(ToString(*twice), canon);
  }
}

TEST(ConditionNormalizerTest, RechecksHandBuiltTrees) {
  Comparison c;
  c.attribute = Attribute::kSip;
  c.op = CompareOp::kLt;
  c.value = flow::IpAddress::V4(0x0a000001u);
  c.op_position = 4;
  absl::StatusOr<NormalizedCondition> ordered = NormalizeCondition(Node::Leaf(c));
  ASSERT_FALSE(ordered.ok());
  EXPECT_EQ(ordered.status().message(),
            "condition: position 4: operator \"<\" does not apply to sip: use = or !=");

  c.op = CompareOp::kEq;
  c.value = Port{80};
  c.value_position = 6;
  absl::StatusOr<NormalizedCondition> wrong_value = NormalizeCondition(Node::Leaf(c));
  ASSERT_FALSE(wrong_value.ok());
  EXPECT_EQ(ConditionErrorPosition(wrong_value.status()), 6u);

  c.attribute = Attribute::kSnet;
  c.value = Network{flow::IpAddress::V4(0x0a000000u), 40};
  EXPECT_FALSE(NormalizeCondition(Node::Leaf(c)).ok());

  Node empty_not;
  empty_not.kind = Node::Kind::kNot;
  EXPECT_FALSE(NormalizeCondition(empty_not).ok());
}

}  // namespace
}  // namespace goprobe::query
