#include "gtest/gtest.h"
#include "lib/flow/flow.h"

namespace goprobe::flow {
namespace {

TEST(ParseProtoTest, AcceptsNamesInAnyCase) {
  EXPECT_EQ(*ParseProto("tcp"), kProtoTcp);
  EXPECT_EQ(*ParseProto("TCP"), kProtoTcp);
  EXPECT_EQ(*ParseProto("Udp"), kProtoUdp);
  EXPECT_EQ(*ParseProto("icmp"), kProtoIcmp);
  EXPECT_EQ(*ParseProto("ICMPv6"), kProtoIcmpV6);
  EXPECT_EQ(*ParseProto("ipv6-icmp"), kProtoIcmpV6);
  EXPECT_EQ(*ParseProto("gre"), 47);
  EXPECT_EQ(*ParseProto("ESP"), 50);
  EXPECT_EQ(*ParseProto("ah"), 51);
  EXPECT_EQ(*ParseProto("sctp"), 132);
  EXPECT_EQ(*ParseProto("l2tp"), 115);
  EXPECT_EQ(*ParseProto("udplite"), 136);
}

TEST(ParseProtoTest, AcceptsEveryNumber) {
  for (int p = 0; p <= 255; ++p) {
    auto parsed = ParseProto(std::to_string(p));
    ASSERT_TRUE(parsed.ok()) << p << ": " << parsed.status();
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(*ParseProto("006"), kProtoTcp);
}

TEST(ParseProtoTest, RoundTripsEveryProtoName) {
  for (int p = 0; p <= 255; ++p) {
    const std::string name = ProtoName(uint8_t(p));
    auto parsed = ParseProto(name);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
    EXPECT_EQ(*parsed, p) << name;
  }
}

TEST(ParseProtoTest, RejectsOutOfRangeNumbers) {
  for (const char* text : {"256", "1000", "99999999999999999999"}) {
    auto parsed = ParseProto(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("out of range (0..255)"), std::string::npos)
        << parsed.status();
  }
}

TEST(ParseProtoTest, RejectsUnknownNamesNamingThem) {
  for (const char* text : {"", "tcpp", "-6", "+6", "6 ", " 6", "0x06", "http"}) {
    auto parsed = ParseProto(text);
    ASSERT_FALSE(parsed.ok()) << '"' << text << '"';
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string("\"") + text + "\""), std::string::npos)
        << parsed.status();
  }
}

}  // namespace
}  // namespace goprobe::flow
