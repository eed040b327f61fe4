#include "services/probe/link_type.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

TEST(LinkTypeTest, KnownDlts) {
  EXPECT_EQ(*LinkTypeFromDlt(1), LinkType::kEthernet);
  EXPECT_EQ(*LinkTypeFromDlt(113), LinkType::kLinuxSll);
  EXPECT_EQ(*LinkTypeFromDlt(276), LinkType::kLinuxSll2);
  for (int raw : {12, 14, 101}) EXPECT_EQ(*LinkTypeFromDlt(raw), LinkType::kRawIp) << raw;
  EXPECT_EQ(*LinkTypeFromDlt(228), LinkType::kIpv4);
  EXPECT_EQ(*LinkTypeFromDlt(229), LinkType::kIpv6);
  EXPECT_EQ(*LinkTypeFromDlt(0), LinkType::kNull);
  EXPECT_EQ(*LinkTypeFromDlt(108), LinkType::kLoop);
  EXPECT_EQ(*LinkTypeFromDlt(239), LinkType::kNflog);
}

TEST(LinkTypeTest, UnknownDltNamesItself) {
  absl::StatusOr<LinkType> t = LinkTypeFromDlt(105);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), ::testing::HasSubstr("link type 105 (IEEE802_11)"));
  EXPECT_THAT(LinkTypeFromDlt(99999).status().message(), ::testing::HasSubstr("link type 99999"));
}

}  // namespace
}  // namespace goprobe::probe
