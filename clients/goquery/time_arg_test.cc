#include "clients/goquery/time_arg.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::HasSubstr;

// 2024-03-01 12:05:00 UTC.
constexpr int64_t kT = 1709294700;

absl::TimeZone Zurich() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Zurich", &tz));
  return tz;
}

int64_t Parse(absl::string_view text, absl::TimeZone tz = absl::UTCTimeZone()) {
  absl::StatusOr<int64_t> t = ParseTimeArg(text, absl::FromUnixSeconds(kT), tz);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : -1;
}

TEST(TimeArgTest, UnixSeconds) {
  EXPECT_EQ(Parse("1709294700"), kT);
  EXPECT_EQ(Parse(" 0 "), 0);
}

TEST(TimeArgTest, Rfc3339) {
  EXPECT_EQ(Parse("2024-03-01T12:05:00Z"), kT);
  EXPECT_EQ(Parse("2024-03-01T13:05:00+01:00"), kT);
  EXPECT_EQ(Parse("2024-03-01T12:05:00.75Z"), kT);
}

// goQuery's layouts; without a zone they are local time (here Zurich, UTC+1).
TEST(TimeArgTest, GoQueryLayouts) {
  const absl::TimeZone zh = Zurich();
  for (const char* text : {
           "2024-03-01 13:05:00",
           "2024-03-01 13:05",
           "2024-03-01 12:05 +0000",
           "2024-03-01 14:05:00 +0200",
           "24-03-01 13:05",
           "24-03-01 13:05:00 +0100",
           "01-03-2024 13:05",
           "01-03-2024 13:05:00 +0100",
           "01.03.2024 13:05",
           "01.03.2024 13:05:00",
           "1.3.2024 13:05",
           "01.03.24 13:05",
           "1.3.24 13:05:00",
           "01.03.2024 12:05 +0000",
           "1.03.24 13:05 +0100",
           "Fri Mar  1 13:05:00 2024",
           "Fri Mar 01 13:05:00 +0100 2024",
           "01 Mar 24 13:05 +0100",
           "Fri, 01 Mar 2024 13:05:00 +0100",
       }) {
    EXPECT_EQ(Parse(text, zh), kT) << text;
  }
  // The seed README's stored query.
  EXPECT_EQ(Parse("01.03.2019 00:00"), 1551398400);
  EXPECT_EQ(Parse("31.03.2019 23:59"), 1554076740);
  // A date alone is its midnight.
  EXPECT_EQ(Parse("2024-03-01"), 1709251200);
  EXPECT_EQ(Parse("01.03.2024", zh), 1709251200 - 3600);
}

TEST(TimeArgTest, RelativeToNow) {
  EXPECT_EQ(Parse("-7d"), kT - 7 * 86400);
  EXPECT_EQ(Parse("-4h"), kT - 4 * 3600);
  EXPECT_EQ(Parse("-30m"), kT - 30 * 60);
  EXPECT_EQ(Parse("-15d:04h:05m"), kT - (15 * 86400 + 4 * 3600 + 5 * 60));
  EXPECT_EQ(Parse("-15d4h5m"), kT - (15 * 86400 + 4 * 3600 + 5 * 60));
  EXPECT_EQ(Parse("-15d:5m"), kT - (15 * 86400 + 5 * 60));
  EXPECT_EQ(Parse("-4h:05m"), kT - (4 * 3600 + 5 * 60));
  EXPECT_EQ(Parse("-1D"), kT - 86400);
}

TEST(TimeArgTest, RelativeMistakesSayWhat) {
  const auto error = [](absl::string_view text) {
    absl::StatusOr<int64_t> t = ParseTimeArg(text, absl::FromUnixSeconds(kT), absl::UTCTimeZone());
    EXPECT_FALSE(t.ok()) << text;
    return t.ok() ? std::string() : std::string(t.status().message());
  };
  EXPECT_THAT(error("-7"), HasSubstr("7 needs a unit: d, h or m"));
  EXPECT_THAT(error("-7w"), HasSubstr("unknown unit \"w\""));
  EXPECT_THAT(error("-5m4h"), HasSubstr("units out of order or repeated"));
  EXPECT_THAT(error("-1d1d"), HasSubstr("units out of order or repeated"));
  EXPECT_THAT(error("-"), HasSubstr("nothing after the dash"));
  EXPECT_THAT(error("-1d:"), HasSubstr("nothing after the last ':'"));
  EXPECT_THAT(error("-9999999999d"), HasSubstr("too far back"));
  EXPECT_THAT(error("-d"), HasSubstr("a number is missing"));
}

TEST(TimeArgTest, RejectsEverythingElseListingTheForms) {
  for (const char* bad : {"", "yesterday", "12:05", "1709294700.5", "1e9", "2024-13-01 00:00",
                          "32.01.2024 00:00", "99999999999999999999"}) {
    absl::StatusOr<int64_t> t = ParseTimeArg(bad, absl::FromUnixSeconds(kT), absl::UTCTimeZone());
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(t.status()));
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("is not a time")) << bad;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("-15d:04h:05m")) << bad;
  }
}

}  // namespace
}  // namespace goprobe::goquery
