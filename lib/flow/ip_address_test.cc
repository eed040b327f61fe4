#include "lib/flow/ip_address.h"

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace goprobe::flow {
namespace {

TEST(IpAddressTest, ParsesAndFormatsIpv4) {
  auto a = IpAddress::Parse("10.1.2.3");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->size(), 4);
  EXPECT_EQ(a->v4_value(), 0x0a010203u);
  EXPECT_EQ(a->ToString(), "10.1.2.3");
  EXPECT_EQ(*a, IpAddress::V4(0x0a010203u));
}

TEST(IpAddressTest, ParsesAndFormatsIpv6Canonically) {
  auto a = IpAddress::Parse("2001:0db8:0000:0000:0000:0000:0000:0001");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->is_v4());
  EXPECT_EQ(a->size(), 16);
  EXPECT_EQ(a->ToString(), "2001:db8::1");
}

TEST(IpAddressTest, MappedIpv4StaysIpv6) {
  auto a = IpAddress::Parse("::ffff:1.2.3.4");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->is_v4());
  EXPECT_NE(*a, IpAddress::V4(0x01020304u));
}

TEST(IpAddressTest, RejectsGarbageNamingIt) {
  for (const char* bad : {"", "1.2.3", "1.2.3.256", "fe80::1::2", "hello", " 1.2.3.4"}) {
    auto a = IpAddress::Parse(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_NE(a.status().message().find(bad), std::string::npos) << a.status();
  }
  EXPECT_FALSE(IpAddress::Parse(std::string(100, '1')).ok());
}

TEST(IpAddressTest, OrdersIpv4BeforeIpv6ThenBytewise) {
  const IpAddress v4a = IpAddress::V4(0x01000000u);
  const IpAddress v4b = IpAddress::V4(0xff000000u);
  const IpAddress v6 = *IpAddress::Parse("::1");
  EXPECT_LT(v4a, v4b);
  EXPECT_LT(v4b, v6);
  EXPECT_FALSE(v6 < v4a);
}

TEST(IpAddressTest, HashesByValue) {
  absl::flat_hash_set<IpAddress> set;
  set.insert(*IpAddress::Parse("10.0.0.1"));
  set.insert(*IpAddress::Parse("10.0.0.1"));
  set.insert(*IpAddress::Parse("::a00:1"));
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace goprobe::flow
