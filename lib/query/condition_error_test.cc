#include "lib/query/condition_error.h"

#include <string>

#include "gtest/gtest.h"
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

TEST(ConditionErrorTest, MessageCarriesThePosition) {
  const absl::Status s = ConditionError(12, "expected something");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "condition: position 12: expected something");
  EXPECT_EQ(ConditionErrorPosition(s), 12u);
}

TEST(ConditionErrorTest, PositionSurvivesAPrefixedMessage) {
  // As a server might wrap it before it reaches the client.
  const absl::Status s =
      absl::InvalidArgumentError("query rejected: condition: position 7: expected an IP address");
  EXPECT_EQ(ConditionErrorPosition(s), 7u);
}

TEST(ConditionErrorTest, OtherStatusesHaveNoPosition) {
  EXPECT_EQ(ConditionErrorPosition(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(ConditionErrorPosition(absl::InvalidArgumentError("bad interface")), std::nullopt);
  EXPECT_EQ(ConditionErrorPosition(absl::InternalError("condition: position 3: x")), std::nullopt);
  EXPECT_EQ(ConditionErrorPosition(absl::InvalidArgumentError("condition: position x: y")),
            std::nullopt);
  EXPECT_EQ(ConditionErrorPosition(absl::InvalidArgumentError("condition: position 3")),
            std::nullopt);
}

TEST(ConditionErrorTest, QuotesEscapeAndCut) {
  EXPECT_EQ(QuoteForError("foo"), "\"foo\"");
  EXPECT_EQ(QuoteForError("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(QuoteForError(std::string(50, 'x')), "\"" + std::string(40, 'x') + "...\"");
}

TEST(ConditionErrorTest, CaretSitsUnderThePosition) {
  EXPECT_EQ(RenderCaret("sip = foo and dport = 443", 6),
            "sip = foo and dport = 443\n"
            "      ^\n");
  EXPECT_EQ(RenderCaret("dport =", 7),
            "dport =\n"
            "       ^\n");
  EXPECT_EQ(RenderCaret("dport =", 99),
            "dport =\n"
            "       ^\n");
  EXPECT_EQ(RenderCaret("", 0), "\n^\n");
}

TEST(ConditionErrorTest, CaretStaysAlignedPastTabsAndOddBytes) {
  EXPECT_EQ(RenderCaret("\tsip\x01= x", 6),
            " sip?= x\n"
            "      ^\n");
}

TEST(ConditionErrorTest, LongTextIsWindowedAroundThePosition) {
  std::string text(300, 'a');
  text[150] = 'X';
  const std::string out = RenderCaret(text, 150, 60);
  const size_t newline = out.find('\n');
  const std::string line = out.substr(0, newline);
  const std::string caret = out.substr(newline + 1, out.size() - newline - 2);
  EXPECT_LE(line.size(), 60u);
  EXPECT_EQ(line.substr(0, 3), "...");
  EXPECT_EQ(line.substr(line.size() - 3), "...");
  EXPECT_EQ(caret.back(), '^');
  EXPECT_EQ(line[caret.size() - 1], 'X');

  // At either end only the other end is cut.
  const std::string head = RenderCaret(text, 0, 60);
  EXPECT_EQ(head.substr(0, 3), "aaa");
  EXPECT_EQ(head.substr(head.find('\n') + 1), "^\n");
  const std::string tail = RenderCaret(text, 300, 60);
  const std::string tail_line = tail.substr(0, tail.find('\n'));
  EXPECT_EQ(tail_line.substr(0, 3), "...");
  EXPECT_EQ(tail.substr(tail.find('\n') + 1), std::string(tail_line.size(), ' ') + "^\n");
}

TEST(ConditionErrorTest, FormatsAParseErrorForTheTerminal) {
  const std::string text = "dport = 443 and sip = foo";
  absl::StatusOr<Node> n = ParseCondition(text);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(FormatConditionError(text, n.status()),
            "condition: position 22: expected an IP address after \"sip =\", found \"foo\"\n"
            "\n"
            "dport = 443 and sip = foo\n"
            "                      ^\n");
  EXPECT_EQ(FormatConditionError(text, absl::UnavailableError("no server")), "no server\n");
}

}  // namespace
}  // namespace goprobe::query
