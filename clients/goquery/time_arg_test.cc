#include "clients/goquery/time_arg.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::HasSubstr;

TEST(TimeArgTest, UnixSeconds) {
  EXPECT_EQ(*ParseTimeArg("1709294700"), 1709294700);
  EXPECT_EQ(*ParseTimeArg(" 0 "), 0);
}

TEST(TimeArgTest, Rfc3339) {
  EXPECT_EQ(*ParseTimeArg("2024-03-01T12:05:00Z"), 1709294700);
  EXPECT_EQ(*ParseTimeArg("2024-03-01T13:05:00+01:00"), 1709294700);
  EXPECT_EQ(*ParseTimeArg("2024-03-01T12:05:00.75Z"), 1709294700);
}

TEST(TimeArgTest, RejectsEverythingElseShowingBothForms) {
  for (const char* bad : {"", "yesterday", "2024-03-01", "12:05", "1709294700.5", "1e9",
                          "99999999999999999999"}) {
    absl::StatusOr<int64_t> t = ParseTimeArg(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(t.status()));
    EXPECT_THAT(std::string(t.status().message()),
                HasSubstr("is not a time: use unix seconds (1709294700) or RFC 3339"))
        << bad;
  }
}

}  // namespace
}  // namespace goprobe::goquery
