#include "clients/goconvert/field_parsers.h"

#include <string>

#include "gmock/gmock.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace goprobe::goconvert {
namespace {

using ::testing::HasSubstr;

template <typename T>
std::string Error(const absl::StatusOr<T>& v) {
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(v.status())) << v.status();
  return std::string(v.status().message());
}

TEST(FieldParsersTest, Counters) {
  EXPECT_EQ(*ParseCounter("0"), 0u);
  EXPECT_EQ(*ParseCounter("18446744073709551615"), 18446744073709551615u);
  EXPECT_THAT(Error(ParseCounter("18446744073709551616")), HasSubstr("larger than a counter"));
  for (const char* bad : {"-1", "1.0", "1e3", "0x10", "12 k", "+5", "abc"}) {
    EXPECT_THAT(Error(ParseCounter(bad)), HasSubstr(absl::StrCat("\"", bad, "\" is not a count")))
        << bad;
  }
  EXPECT_THAT(Error(ParseCounter("")), HasSubstr("empty"));
}

TEST(FieldParsersTest, Ports) {
  EXPECT_EQ(*ParsePort("0"), 0);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  EXPECT_THAT(Error(ParsePort("65536")), HasSubstr("65536 is not a port (0-65535)"));
  EXPECT_THAT(Error(ParsePort("99999999999999999999999")), HasSubstr("is not a port"));
  EXPECT_THAT(Error(ParsePort("http")), HasSubstr("\"http\" is not a port number"));
}

TEST(FieldParsersTest, ProtocolsByNumberAndName) {
  EXPECT_EQ(*ParseProto("6"), 6);
  EXPECT_EQ(*ParseProto("255"), 255);
  EXPECT_EQ(*ParseProto("tcp"), 6);
  EXPECT_EQ(*ParseProto("UDP"), 17);
  EXPECT_EQ(*ParseProto("icmp"), 1);
  EXPECT_EQ(*ParseProto("ICMPv6"), 58);
  EXPECT_EQ(*ParseProto("IPv6-ICMP"), 58);
  EXPECT_EQ(*ParseProto("gre"), 47);
  EXPECT_THAT(Error(ParseProto("256")), HasSubstr("256 is not an IP protocol number (0-255)"));
  EXPECT_THAT(Error(ParseProto("tcpx")), HasSubstr("\"tcpx\" is not an IP protocol"));
}

TEST(FieldParsersTest, Addresses) {
  EXPECT_EQ(ParseIp("10.0.0.1")->ToString(), "10.0.0.1");
  EXPECT_FALSE(ParseIp("2001:db8::1")->is_v4());
  EXPECT_THAT(Error(ParseIp("10.0.0.256")), HasSubstr("\"10.0.0.256\" is not an IPv4 or IPv6"));
  EXPECT_THAT(Error(ParseIp("")), HasSubstr("empty"));
}

TEST(FieldParsersTest, TimesAsUnixSecondsOrRfc3339) {
  EXPECT_EQ(*ParseBlockTime("1392997558"), 1392997558);
  EXPECT_EQ(*ParseBlockTime("2014-02-21T15:45:58Z"), 1392997558);
  EXPECT_EQ(*ParseBlockTime("2014-02-21T16:45:58+01:00"), 1392997558);
  EXPECT_EQ(*ParseBlockTime("253402300799"), 253402300799);
  EXPECT_THAT(Error(ParseBlockTime("0")), HasSubstr("0 is outside 1970-01-01T00:00:01Z"));
  EXPECT_THAT(Error(ParseBlockTime("-5")), HasSubstr("-5 is outside"));
  EXPECT_THAT(Error(ParseBlockTime("253402300800")), HasSubstr("is outside"));
  EXPECT_THAT(Error(ParseBlockTime("2014-02-21T15:45:58.5Z")), HasSubstr("fractional seconds"));
  EXPECT_THAT(Error(ParseBlockTime("yesterday")), HasSubstr("\"yesterday\" is not a time"));
  EXPECT_THAT(Error(ParseBlockTime("1392997558.0")), HasSubstr("is not a time"));
}

}  // namespace
}  // namespace goprobe::goconvert
