#include "lib/query/attributes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

using A = Attribute;

std::vector<Attribute> Parse(absl::string_view text) {
  auto set = ParseAttributes(text);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? set->InDisplayOrder() : std::vector<Attribute>{};
}

TEST(AttributesTest, NamesAliasesAndPresetsInAnyOrder) {
  using testing::ElementsAre;
  EXPECT_THAT(Parse("dip,sip"), ElementsAre(A::kSip, A::kDip));
  EXPECT_THAT(Parse("SRC, dst"), ElementsAre(A::kSip, A::kDip));
  EXPECT_THAT(Parse("port,proto"), ElementsAre(A::kDport, A::kProto));
  EXPECT_THAT(Parse("talk_conv"), ElementsAre(A::kSip, A::kDip));
  EXPECT_THAT(Parse("talk_src"), ElementsAre(A::kSip));
  EXPECT_THAT(Parse("talk_dst"), ElementsAre(A::kDip));
  EXPECT_THAT(Parse("apps_port"), ElementsAre(A::kDport, A::kProto));
  EXPECT_THAT(Parse("agg_talk_port"), ElementsAre(A::kSip, A::kDip, A::kDport, A::kProto));
  EXPECT_THAT(Parse("raw"),
              ElementsAre(A::kTime, A::kIface, A::kSip, A::kDip, A::kDport, A::kProto));
  EXPECT_THAT(Parse("proto,iface,time,host,hostid,sip"),
              ElementsAre(A::kTime, A::kHost, A::kHostId, A::kIface, A::kSip, A::kProto));
  EXPECT_THAT(Parse("hostname,dport"), ElementsAre(A::kHost, A::kDport));
  EXPECT_THAT(Parse("sip,talk_conv"), ElementsAre(A::kSip, A::kDip));  // repeats merge
}

TEST(AttributesTest, UnknownWordsAreNamed) {
  auto bad = ParseAttributes("sip,dstport");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              testing::AllOf(testing::HasSubstr("\"dstport\""), testing::HasSubstr("talk_conv")));
  EXPECT_FALSE(ParseAttributes("sip,,dip").ok());
  EXPECT_FALSE(ParseAttributes("").ok());
}

}  // namespace
}  // namespace goprobe::query
