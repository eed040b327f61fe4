#include "clients/goquery/dash_values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;

TEST(DashValuesTest, RelativeTimesBecomeValues) {
  EXPECT_THAT(AttachDashValues({"-f", "-7d", "-l", "-1h", "sip"}),
              ElementsAre("--first=-7d", "--last=-1h", "sip"));
  EXPECT_THAT(AttachDashValues({"--first", "-15d:04h:05m", "--last", "-5m"}),
              ElementsAre("--first=-15d:04h:05m", "--last=-5m"));
}

TEST(DashValuesTest, EverythingElseIsLeftAlone) {
  EXPECT_THAT(AttachDashValues({"-f", "1709294700", "-i", "eth0", "-l", "-f", "-1d"}),
              ElementsAre("-f", "1709294700", "-i", "eth0", "-l", "--first=-1d"));
  EXPECT_THAT(AttachDashValues({"-c", "-7d", "-f"}), ElementsAre("-c", "-7d", "-f"));
  EXPECT_THAT(AttachDashValues({"--", "-f", "-7d"}), ElementsAre("--", "-f", "-7d"));
}

}  // namespace
}  // namespace goprobe::goquery
