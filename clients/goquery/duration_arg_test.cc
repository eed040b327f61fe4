#include "clients/goquery/duration_arg.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::HasSubstr;

TEST(DurationArgTest, GoSyntaxAndPlainSeconds) {
  EXPECT_EQ(*ParseDurationArg("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDurationArg("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseDurationArg("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDurationArg("30"), absl::Seconds(30));
  EXPECT_EQ(*ParseDurationArg("0.5"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseDurationArg("2d"), absl::Hours(48));
  EXPECT_EQ(*ParseDurationArg("0"), absl::ZeroDuration());
  for (const char* bad : {"", "abc", "-5s", "5 apples", "1e3", "-1"}) {
    absl::StatusOr<absl::Duration> d = ParseDurationArg(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("is not a duration")) << bad;
  }
}

TEST(DurationArgTest, ResolutionsAreWholeBlocks) {
  EXPECT_EQ(*ParseResolutionArg("auto"), 0);
  EXPECT_EQ(*ParseResolutionArg("AUTO"), 0);
  EXPECT_EQ(*ParseResolutionArg("5m"), 300);
  EXPECT_EQ(*ParseResolutionArg("1h"), 3600);
  EXPECT_EQ(*ParseResolutionArg("1d"), 86400);
  EXPECT_EQ(*ParseResolutionArg("900"), 900);
  for (const char* bad : {"1m", "7m", "0", "90s", "5m30s"}) {
    absl::StatusOr<int64_t> r = ParseResolutionArg(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("multiple of 5m")) << bad;
  }
}

TEST(DurationArgTest, HumanDurations) {
  EXPECT_EQ(HumanDuration(absl::Microseconds(460)), "0.46ms");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(17)), "17ms");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(2500)), "2.50s");
  EXPECT_EQ(HumanDuration(absl::Seconds(123)), "2m3s");
  EXPECT_EQ(HumanDuration(absl::Seconds(3723)), "1h2m3s");
}

}  // namespace
}  // namespace goprobe::goquery
