// Random input for the condition pipeline: garbage bytes, and near-miss
// conditions made of the grammar's own tokens. Whatever comes in, parsing
// must not crash, must fail with a position inside the text (at most its
// length), and whatever it accepts must normalise, compile, evaluate and
// print back to text that parses to the same tree.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/block.h"
#include "lib/query/condition_error.h"
#include "lib/query/condition_evaluator.h"
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

class Fuzzer {
 public:
  explicit Fuzzer(uint64_t seed) : rng_(seed) {}

  std::string Garbage() {
    std::string s(Below(80), '\0');
    for (char& c : s) c = char(rng_());
    return s;
  }

  std::string PrintableGarbage() {
    static const std::string kAlphabet = "()[]{}!=<>&|-/.: \t0123456789abcdefipnotrsdhgqluxABCDEF";
    std::string s(Below(80), ' ');
    for (char& c : s) c = kAlphabet[Below(kAlphabet.size())];
    return s;
  }

  // Tokens of the grammar in random order: mostly wrong, sometimes right.
  std::string TokenSoup() {
    static const std::vector<std::string> kTokens = {
        "sip",        "dip",         "src",   "dst",   "host",  "snet",     "dnet", "net",
        "dport",      "port",        "proto", "dir",   "=",     "!=",       "<",    ">",
        "<=",         ">=",          "==",    "eq",    "-ne",   "lt",       "ge",   "and",
        "or",         "not",         "&&",    "||",    "!",     "&",        "|",    "(",
        ")",          "[",           "]",     "{",     "}",     "10.0.0.1", "::1",  "fe80::/10",
        "10.0.0.0/8", "10.0.0.0/33", "443",   "65536", "tcp",   "udp",      "300",  "in",
        "out",        "uni",         "bi",    "foo",   "1.2.3", ":::",      "/",    "",
        " "};
    std::string s;
    const size_t n = Below(25);
    for (size_t i = 0; i < n; ++i) {
      s += kTokens[Below(kTokens.size())];
      if (Below(3) != 0) s += ' ';
    }
    return s;
  }

  // A valid condition with one byte changed, removed or inserted.
  std::string Mutated() {
    static const std::vector<std::string> kValid = {
        "dport = 443 and snet = 10.0.0.0/8",
        "not (host = 10.0.0.1 or net = 2001:db8::/32) and proto != udp",
        "dir = in and (dport < 1024 or dport >= 49152)",
        "!(sip=::1)&&{dip!=10.1.2.3}||[proto eq 6]",
    };
    std::string s = kValid[Below(kValid.size())];
    const size_t at = Below(s.size() + 1);
    switch (Below(3)) {
      case 0:
        if (at < s.size()) s[at] = char(rng_());
        break;
      case 1:
        if (at < s.size()) s.erase(at, 1);
        break;
      default: s.insert(at, 1, char(rng_())); break;
    }
    return s;
  }

  uint64_t Below(uint64_t n) { return rng_() % n; }

 private:
  std::mt19937_64 rng_;
};

godb::BlockColumns SmallBlock() {
  godb::BlockColumns b;
  b.rows = 3;
  b.v4_rows = 2;
  b.sip4 = {0x0a000001, 0xc0a80101};
  b.dip4 = {0x08080808, 0x0a000001};
  b.sip6 = {absl::uint128(1)};
  b.dip6 = {absl::MakeUint128(0xfe80000000000000, 1)};
  b.dport = {443, 53, 22};
  b.proto = {6, 17, 6};
  return b;
}

void Check(const std::string& text, int* accepted) {
  absl::StatusOr<Node> parsed = ParseCondition(text);
  if (!parsed.ok()) {
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
    const std::optional<size_t> position = ConditionErrorPosition(parsed.status());
    ASSERT_TRUE(position.has_value()) << parsed.status();
    ASSERT_LE(*position, text.size()) << parsed.status();
    // The caret always renders.
    EXPECT_FALSE(FormatConditionError(text, parsed.status()).empty());
    return;
  }
  ++*accepted;
  const std::string canon = ToString(*parsed);
  absl::StatusOr<Node> again = ParseCondition(canon);
  ASSERT_TRUE(again.ok()) << text << " -> " << canon << ": " << again.status();
  ASSERT_EQ(*parsed, *again) << text << " -> " << canon;

  absl::StatusOr<NormalizedCondition> normal = NormalizeCondition(*parsed);
  if (!normal.ok()) {
    // Only a misplaced or repeated dir is refused after parsing.
    const std::optional<size_t> position = ConditionErrorPosition(normal.status());
    ASSERT_TRUE(position.has_value()) << normal.status();
    ASSERT_LE(*position, text.size());
    return;
  }
  absl::StatusOr<ConditionEvaluator> e = ConditionEvaluator::Compile(*normal);
  ASSERT_TRUE(e.ok()) << text << ": " << e.status();
  RowSelection s;
  ASSERT_TRUE(e->Evaluate(SmallBlock(), &s).ok()) << text;
}

TEST(ConditionFuzzTest, NeverCrashesAndAlwaysPointsIntoTheInput) {
  Fuzzer f(7);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    switch (i % 4) {
      case 0: text = f.Garbage(); break;
      case 1: text = f.PrintableGarbage(); break;
      case 2: text = f.TokenSoup(); break;
      default: text = f.Mutated(); break;
    }
    ASSERT_NO_FATAL_FAILURE(Check(text, &accepted)) << "input " << i;
  }
  // Some of the noise must be valid, or the round-trip checks ran on nothing.
  EXPECT_GT(accepted, 200);
}

TEST(ConditionFuzzTest, PathologicalShapes) {
  int accepted = 0;
  for (const std::string& text : {
           std::string(kMaxConditionLength, '('),
           std::string(kMaxConditionLength, '!'),
           std::string(kMaxConditionLength, ')'),
           std::string(kMaxConditionLength, 'a'),
           std::string(kMaxConditionLength, '='),
           std::string(kMaxConditionLength + 1, 'a'),
           std::string(5000, '\0'),
       }) {
    ASSERT_NO_FATAL_FAILURE(Check(text, &accepted));
  }
  EXPECT_EQ(accepted, 0);
}

}  // namespace
}  // namespace goprobe::query
