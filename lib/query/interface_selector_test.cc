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
  using testing::HasSubstr;
  auto bad = InterfaceSelector::Parse("eth0,/(unclosed/");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("/(unclosed/"));
  EXPECT_FALSE(InterfaceSelector::Parse("/").ok());
  EXPECT_THAT(std::string(InterfaceSelector::Parse("!").status().message()),
              HasSubstr("has an empty entry"));
  EXPECT_THAT(std::string(InterfaceSelector::Parse("eth0,,eth1").status().message()),
              HasSubstr("has an empty entry"));
  EXPECT_THAT(std::string(InterfaceSelector::Parse("eth 0").status().message()),
              HasSubstr("has a character other than"));
}

TEST(InterfaceSelectorTest, HugeSelectorsAreRefusedWithShortMessages) {
  using testing::HasSubstr;
  v1::InterfaceSelector msg;
  msg.add_regexes(std::string(1 << 20, 'a'));
  auto long_regex = InterfaceSelector::FromProto(msg);
  ASSERT_FALSE(long_regex.ok());
  EXPECT_THAT(std::string(long_regex.status().message()),
              HasSubstr("1048576 characters, more than the 1024 allowed"));
  EXPECT_LT(long_regex.status().message().size(), 200u);

  v1::InterfaceSelector many;
  for (int i = 0; i < 5000; ++i) many.add_regexes("^eth");
  auto too_many = InterfaceSelector::FromProto(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().message(),
            "interface selector: 5000 names and regexes, more than the 1024 allowed");
}

TEST(InterfaceSelectorTest, NamedInterfaceWithoutDataIsNotFoundWhenAskedForAll) {
  auto sel = InterfaceSelector::Parse("eth0,eht1,eth9");
  ASSERT_TRUE(sel.ok());
  auto out = sel->SelectAll(kIfaces);
  ASSERT_TRUE(absl::IsNotFound(out.status()));
  EXPECT_EQ(out.status().message(),
            "interfaces eht1, eth9 have no data (there is data for eth0, eth1, veth3, wlan0, lo)");
  // Excluding an absent interface is harmless; lenient Select just skips.
  EXPECT_TRUE(InterfaceSelector::Parse("!eth9")->SelectAll(kIfaces).ok());
  EXPECT_THAT(sel->Select(kIfaces), testing::ElementsAre("eth0"));
  EXPECT_EQ(InterfaceSelector::Parse("eth0")->SelectAll({}).status().message(),
            "interface eth0 has no data (there is data for no interface)");
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
