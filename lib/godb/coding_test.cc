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

// ReadVarint64 decodes what GetVarint decodes, at every length (its one-
// and two-byte paths are separate code), also when the varint ends exactly
// at the limit.
TEST(CodingTest, ReadVarint64AgreesWithGetVarint) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 300, 16383, 16384, 1 << 21,
                                  std::numeric_limits<uint64_t>::max()};
  for (int shift = 0; shift < 64; shift += 5) values.push_back((uint64_t{1} << shift) + 3);
  for (uint64_t v : values) {
    std::string s;
    PutVarint(&s, v);
    const VarintRead at_end = ReadVarint64(s.data(), s.data() + s.size());
    ASSERT_EQ(at_end.next, s.data() + s.size()) << v;
    EXPECT_EQ(at_end.value, v);
    s.push_back('\x05');
    const VarintRead followed = ReadVarint64(s.data(), s.data() + s.size());
    EXPECT_EQ(followed.next, s.data() + s.size() - 1) << v;
    EXPECT_EQ(followed.value, v);
  }
}

TEST(CodingTest, ReadVarint64RejectsTruncationAndOverflow) {
  std::string s;
  PutVarint(&s, uint64_t{300});  // two bytes
  EXPECT_EQ(ReadVarint64(s.data(), s.data() + 1).next, nullptr);
  EXPECT_EQ(ReadVarint64(s.data(), s.data()).next, nullptr);
  const std::string endless(20, '\x80');
  EXPECT_EQ(ReadVarint64(endless.data(), endless.data() + endless.size()).next, nullptr);
  // Ten bytes whose last carries bits beyond 64.
  const std::string too_wide = std::string(9, '\xff') + '\x7f';
  EXPECT_EQ(ReadVarint64(too_wide.data(), too_wide.data() + too_wide.size()).next, nullptr);
}

}  // namespace
}  // namespace goprobe::godb
