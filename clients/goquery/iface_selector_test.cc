#include "clients/goquery/iface_selector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kAvailable = {"eth0", "eth1", "lo", "veth12", "wlan0"};

std::vector<std::string> Select(absl::string_view spec) {
  auto sel = IfaceSelector::Parse(spec);
  EXPECT_TRUE(sel.ok()) << sel.status();
  if (!sel.ok()) return {};
  auto out = sel->Select(kAvailable);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<std::string>{};
}

TEST(IfaceSelectorTest, EverythingByDefault) {
  EXPECT_EQ(Select(""), kAvailable);
  EXPECT_EQ(Select("any"), kAvailable);
  EXPECT_EQ(IfaceSelector().Select(kAvailable).value(), kAvailable);
}

TEST(IfaceSelectorTest, NamesKeepTheAvailableOrder) {
  EXPECT_THAT(Select("wlan0, eth0"), ElementsAre("eth0", "wlan0"));
}

TEST(IfaceSelectorTest, RegexesMatchAnywhere) {
  EXPECT_THAT(Select("/eth/"), ElementsAre("eth0", "eth1", "veth12"));
  EXPECT_THAT(Select("/^eth/,lo"), ElementsAre("eth0", "eth1", "lo"));
}

TEST(IfaceSelectorTest, ExclusionsApplyLast) {
  EXPECT_THAT(Select("!lo,!/^veth/"), ElementsAre("eth0", "eth1", "wlan0"));
  EXPECT_THAT(Select("/eth/,!eth1"), ElementsAre("eth0", "veth12"));
  EXPECT_THAT(Select("/^x/"), IsEmpty());
}

TEST(IfaceSelectorTest, NamedInterfaceWithoutDataIsAnError) {
  auto sel = IfaceSelector::Parse("eth0,eht1,eth9");
  ASSERT_TRUE(sel.ok());
  auto out = sel->Select(kAvailable);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::IsNotFound(out.status()));
  EXPECT_EQ(out.status().message(),
            "interfaces eht1, eth9 have no data (there is data for eth0, eth1, lo, veth12, wlan0)");
  // Excluding an absent interface is harmless.
  EXPECT_THAT(Select("!eth9"), ElementsAre("eth0", "eth1", "lo", "veth12", "wlan0"));
  auto none = IfaceSelector::Parse("eth0")->Select({});
  EXPECT_EQ(none.status().message(), "interface eth0 has no data (there is data for no interface)");
}

TEST(IfaceSelectorTest, RejectsBadTerms) {
  EXPECT_THAT(std::string(IfaceSelector::Parse("eth0,,eth1").status().message()),
              HasSubstr("has an empty entry"));
  EXPECT_THAT(std::string(IfaceSelector::Parse("!").status().message()),
              HasSubstr("has an empty entry"));
  EXPECT_THAT(std::string(IfaceSelector::Parse("/eth(/").status().message()),
              HasSubstr("interface pattern /eth(/ is not a valid regular expression"));
  EXPECT_THAT(std::string(IfaceSelector::Parse("eth 0").status().message()),
              HasSubstr("has a character other than"));
}

}  // namespace
}  // namespace goprobe::goquery
