#include "lib/query/condition_lexer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace goprobe::query::condition {
namespace {

// "kind:text@position" per token, kEnd included.
std::string Describe(absl::string_view text) {
  std::string out;
  for (const Token& t : LexCondition(text)) {
    const char* kind = "?";
    switch (t.kind) {
      case Token::Kind::kOpen: kind = "open"; break;
      case Token::Kind::kClose: kind = "close"; break;
      case Token::Kind::kAnd: kind = "and"; break;
      case Token::Kind::kOr: kind = "or"; break;
      case Token::Kind::kNot: kind = "not"; break;
      case Token::Kind::kCompare: kind = "cmp"; break;
      case Token::Kind::kWord: kind = "word"; break;
      case Token::Kind::kEnd: kind = "end"; break;
    }
    if (!out.empty()) out += " ";
    out += std::string(kind) + ":" + std::string(t.text) + "@" + std::to_string(t.position);
  }
  return out;
}

TEST(ConditionLexerTest, SplitsWordsAtDelimitersWithOrWithoutSpaces) {
  EXPECT_EQ(Describe("dport=443"), "word:dport@0 cmp:=@5 word:443@6 end:@9");
  EXPECT_EQ(Describe("  dport =  443 "), "word:dport@2 cmp:=@8 word:443@11 end:@15");
  EXPECT_EQ(Describe("sip!=2001:db8::1"), "word:sip@0 cmp:!=@3 word:2001:db8::1@5 end:@16");
  EXPECT_EQ(Describe("snet=10.0.0.0/8"), "word:snet@0 cmp:=@4 word:10.0.0.0/8@5 end:@15");
}

TEST(ConditionLexerTest, SymbolOperators) {
  EXPECT_EQ(Describe("< <= > >= = == === !="),
            "cmp:<@0 cmp:<=@2 cmp:>@5 cmp:>=@7 cmp:=@10 cmp:==@12 cmp:===@15 cmp:!=@19 end:@21");
  for (auto [text, op] : std::vector<std::pair<const char*, CompareOp>>{{"=", CompareOp::kEq},
                                                                        {"==", CompareOp::kEq},
                                                                        {"!=", CompareOp::kNe},
                                                                        {"<", CompareOp::kLt},
                                                                        {">", CompareOp::kGt},
                                                                        {"<=", CompareOp::kLe},
                                                                        {">=", CompareOp::kGe}}) {
    const std::vector<Token> t = LexCondition(text);
    ASSERT_EQ(t.size(), 2u) << text;
    EXPECT_EQ(t[0].kind, Token::Kind::kCompare) << text;
    EXPECT_EQ(t[0].op, op) << text;
  }
}

TEST(ConditionLexerTest, WordOperatorsIgnoreCase) {
  const std::vector<std::pair<const char*, CompareOp>> cases = {
      {"eq", CompareOp::kEq},      {"-eq", CompareOp::kEq},  {"EQUALS", CompareOp::kEq},
      {"ne", CompareOp::kNe},      {"-NE", CompareOp::kNe},  {"neq", CompareOp::kNe},
      {"-neq", CompareOp::kNe},    {"lt", CompareOp::kLt},   {"-lt", CompareOp::kLt},
      {"Less", CompareOp::kLt},    {"gt", CompareOp::kGt},   {"-gt", CompareOp::kGt},
      {"greater", CompareOp::kGt}, {"le", CompareOp::kLe},   {"-le", CompareOp::kLe},
      {"leq", CompareOp::kLe},     {"-leq", CompareOp::kLe}, {"GE", CompareOp::kGe},
      {"-ge", CompareOp::kGe},     {"geq", CompareOp::kGe},  {"-geq", CompareOp::kGe},
  };
  for (auto [text, op] : cases) {
    const std::vector<Token> t = LexCondition(text);
    ASSERT_EQ(t.size(), 2u) << text;
    EXPECT_EQ(t[0].kind, Token::Kind::kCompare) << text;
    EXPECT_EQ(t[0].op, op) << text;
  }
  // Neither goQuery's single letters nor look-alikes are operators.
  for (const char* text : {"l", "g", "eqq", "-e", "e-q"}) {
    EXPECT_EQ(LexCondition(text)[0].kind, Token::Kind::kWord) << text;
  }
}

TEST(ConditionLexerTest, BooleanKeywordsAndSymbols) {
  EXPECT_EQ(Describe("and AND && & or Or || | not NOT !"),
            "and:and@0 and:AND@4 and:&&@8 and:&@11 or:or@13 or:Or@16 or:||@19 or:|@22 "
            "not:not@24 not:NOT@28 not:!@32 end:@33");
  // "!" before "=" is "not equal"; before anything else it is "not".
  EXPECT_EQ(Describe("!(a)"), "not:!@0 open:(@1 word:a@2 close:)@3 end:@4");
  EXPECT_EQ(Describe("!!="), "not:!@0 cmp:!=@1 end:@3");
  // Keywords are whole words only.
  EXPECT_EQ(Describe("android notes"), "word:android@0 word:notes@8 end:@13");
}

TEST(ConditionLexerTest, GroupsOfEveryBracketKind) {
  EXPECT_EQ(Describe("([{}])"), "open:(@0 open:[@1 open:{@2 close:}@3 close:]@4 close:)@5 end:@6");
}

TEST(ConditionLexerTest, EmptyAndBlankTextIsJustTheEnd) {
  EXPECT_EQ(Describe(""), "end:@0");
  EXPECT_EQ(Describe(" \t\n"), "end:@3");
}

TEST(ConditionLexerTest, AnyOtherByteIsPartOfAWord) {
  const std::string text = std::string("a\x01\xff", 3) + "b=c";
  const std::vector<Token> t = LexCondition(text);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].kind, Token::Kind::kWord);
  EXPECT_EQ(t[0].text, absl::string_view(text.data(), 4));
  EXPECT_EQ(t[2].text, "c");
}

}  // namespace
}  // namespace goprobe::query::condition
