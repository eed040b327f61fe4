#include "lib/godb/coding.h"

#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace goprobe::godb {
namespace {

TEST(CodingTest, FixedRoundTrip) {
  std::string s;
  PutFixed16(&s, 0xbeef);
  PutFixed32(&s, 0xdeadbeef);
  PutFixed64(&s, 0x0123456789abcdefULL);
  ASSERT_EQ(s.size(), 14u);
  EXPECT_EQ(s[0], '\xef');  // little-endian
  EXPECT_EQ(DecodeFixed16(s.data()), 0xbeef);
  EXPECT_EQ(DecodeFixed32(s.data() + 2), 0xdeadbeefu);
  EXPECT_EQ(DecodeFixed64(s.data() + 6), 0x0123456789abcdefULL);
}

TEST(CodingTest, VarintRoundTripsAcrossMagnitudes) {
  std::string s;
  std::vector<uint64_t> values;
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back(uint64_t{1} << shift);
    values.push_back((uint64_t{1} << shift) - 1);
  }
  values.push_back(std::numeric_limits<uint64_t>::max());
  for (uint64_t v : values) {
    const size_t before = s.size();
    PutVarint(&s, v);
    EXPECT_EQ(int(s.size() - before), VarintLength(v));
  }
  absl::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint128RoundTrip) {
  const absl::uint128 v = absl::MakeUint128(0x20010db800000000ULL, 0x1234);
  std::string s;
  PutVarint(&s, v);
  absl::string_view in = s;
  absl::uint128 got;
  ASSERT_TRUE(GetVarint(&in, &got));
  EXPECT_EQ(got, v);
}

TEST(CodingTest, VarintRejectsTruncationAndOverflow) {
  std::string s;
  PutVarint(&s, uint64_t{1} << 40);
  absl::string_view truncated(s.data(), s.size() - 1);
  uint64_t v;
  EXPECT_FALSE(GetVarint(&truncated, &v));

  std::string big;
  PutVarint(&big, uint64_t{300});
  absl::string_view in = big;
  uint8_t small;
  EXPECT_FALSE(GetVarint(&in, &small));  // 300 does not fit in 8 bits

  const std::string endless(20, '\x80');
  in = endless;
  EXPECT_FALSE(GetVarint(&in, &v));
}

}  // namespace
}  // namespace goprobe::godb
