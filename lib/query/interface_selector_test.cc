#include "lib/query/interface_selector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

const std::vector<std::string> kIfaces = {"eth0", "eth1", "veth3", "wlan0", "lo"};

std::vector<std::string> Select(absl::string_view text) {
  auto sel = InterfaceSelector::Parse(text);
  EXPECT_TRUE(sel.ok()) << sel.status();
  return sel.ok() ? sel->Select(kIfaces) : std::vector<std::string>{};
}

TEST(InterfaceSelectorTest, NamesAnyRegexesAndExclusions) {
  using testing::ElementsAre;
  EXPECT_THAT(Select("eth0,wlan0"), ElementsAre("eth0", "wlan0"));
  EXPECT_THAT(Select("any"), ElementsAre("eth0", "eth1", "veth3", "wlan0", "lo"));
  EXPECT_THAT(Select(""), ElementsAre("eth0", "eth1", "veth3", "wlan0", "lo"));
  EXPECT_THAT(Select("/eth/"), ElementsAre("eth0", "eth1", "veth3"));  // anywhere, as goQuery
  EXPECT_THAT(Select("/^eth/"), ElementsAre("eth0", "eth1"));
  EXPECT_THAT(Select("any,!lo,!/^v/"), ElementsAre("eth0", "eth1", "wlan0"));
  EXPECT_THAT(Select("!eth0"), ElementsAre("eth1", "veth3", "wlan0", "lo"));
  EXPECT_THAT(Select(" eth1 , lo "), ElementsAre("eth1", "lo"));
}

TEST(InterfaceSelectorTest, BadItemsAreNamed) {
  auto bad = InterfaceSelector::Parse("eth0,/(unclosed/");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), testing::HasSubstr("/(unclosed/"));
  EXPECT_FALSE(InterfaceSelector::Parse("/").ok());
  EXPECT_FALSE(InterfaceSelector::Parse("!").ok());
}

TEST(InterfaceSelectorTest, ProtoRoundTrip) {
  auto sel = InterfaceSelector::Parse("eth0,/^w/,!/x/,!lo");
  ASSERT_TRUE(sel.ok());
  auto again = InterfaceSelector::FromProto(sel->ToProto());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Select(kIfaces), sel->Select(kIfaces));
}

}  // namespace
}  // namespace goprobe::query
