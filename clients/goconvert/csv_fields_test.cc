#include "clients/goconvert/csv_fields.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goconvert {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Split(absl::string_view line) {
  std::vector<std::string> fields;
  size_t bad = 99;
  absl::Status s = SplitCsvLine(line, &fields, &bad);
  EXPECT_TRUE(s.ok()) << s;
  return fields;
}

TEST(CsvFieldsTest, PlainFields) {
  EXPECT_THAT(Split("40,72,172.23.34.171,8080"), ElementsAre("40", "72", "172.23.34.171", "8080"));
}

TEST(CsvFieldsTest, EmptyFieldsAreKept) {
  EXPECT_THAT(Split(""), ElementsAre(""));
  EXPECT_THAT(Split(",a,"), ElementsAre("", "a", ""));
}

TEST(CsvFieldsTest, QuotedFieldsMayHoldCommasAndQuotes) {
  EXPECT_THAT(Split(R"("a,b",c,"say ""hi""")"), ElementsAre("a,b", "c", R"(say "hi")"));
  EXPECT_THAT(Split(R"( "eth0" ,1)"), ElementsAre("eth0", "1"));
  EXPECT_THAT(Split(R"("",x)"), ElementsAre("", "x"));
}

TEST(CsvFieldsTest, IPv6AddressesNeedNoQuotes) {
  EXPECT_THAT(Split("2001:db8::1,fe80::1"), ElementsAre("2001:db8::1", "fe80::1"));
}

TEST(CsvFieldsTest, UnterminatedQuoteNamesTheField) {
  std::vector<std::string> fields;
  size_t bad = 99;
  absl::Status s = SplitCsvLine(R"(a,"b,c)", &fields, &bad);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("not closed"));
  EXPECT_EQ(bad, 1u);
}

TEST(CsvFieldsTest, TextAfterClosingQuoteNamesTheField) {
  std::vector<std::string> fields;
  size_t bad = 99;
  absl::Status s = SplitCsvLine(R"(a,b,"c"d,e)", &fields, &bad);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("after the closing quote"));
  EXPECT_EQ(bad, 2u);
}

TEST(CsvFieldsTest, ReusedVectorShrinksToTheLine) {
  std::vector<std::string> fields;
  size_t bad;
  ASSERT_TRUE(SplitCsvLine("a,b,c,d", &fields, &bad).ok());
  ASSERT_TRUE(SplitCsvLine("x,y", &fields, &bad).ok());
  EXPECT_THAT(fields, ElementsAre("x", "y"));
}

}  // namespace
}  // namespace goprobe::goconvert
