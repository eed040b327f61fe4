#include "lib/godb/day_metadata.h"

#include "gtest/gtest.h"

namespace goprobe::godb {
namespace {

constexpr int64_t kDayStart = 1699920000;  // 2023-11-14 00:00:00 UTC

BlockInfo Block(int64_t time, uint32_t rows, uint32_t v4, uint64_t offset) {
  BlockInfo b;
  b.time = time;
  b.rows = rows;
  b.v4_rows = v4;
  b.totals.flows_v4 = v4;
  b.totals.flows_v6 = rows - v4;
  b.totals.traffic = {rows * 100ull, rows * 50ull, rows * 2ull, rows * 1ull};
  b.totals.capture = {rows * 3ull, 1, 2, 3};
  for (int c = 0; c < kNumFiles; ++c) b.extents[c] = {offset + 10 * c, 64 + uint32_t(c)};
  return b;
}

DayMetadata Sample() {
  DayMetadata m;
  m.day_start = kDayStart;
  m.Add(Block(kDayStart + 600, 10, 7, 1000));
  m.Add(Block(kDayStart + 300, 20, 20, 0));
  m.Add(Block(kDayStart + 86100, 0, 0, 5000));
  return m;
}

TEST(DayMetadataTest, RoundTripsAndKeepsTimeOrder) {
  const DayMetadata m = Sample();
  ASSERT_EQ(m.blocks.size(), 3u);
  EXPECT_EQ(m.blocks[0].time, kDayStart + 300);
  EXPECT_EQ(m.Find(kDayStart + 600), 1);
  EXPECT_EQ(m.Find(kDayStart + 900), -1);
  EXPECT_EQ(m.totals.flows_v4, 27u);
  auto decoded = DecodeDayMetadata(EncodeDayMetadata(m));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->blocks.size(), 3u);
  EXPECT_EQ(decoded->totals, m.totals);
  EXPECT_EQ(decoded->file_sizes, m.file_sizes);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(decoded->blocks[i].time, m.blocks[i].time);
    EXPECT_EQ(decoded->blocks[i].totals, m.blocks[i].totals);
    EXPECT_EQ(decoded->blocks[i].extents[5].offset, m.blocks[i].extents[5].offset);
  }
}

// Found by fuzz/godb_day_fuzzer: a dictionary size near 2^32 made the reader
// allocate 16 GiB for the dictionary's hole.
TEST(DayMetadataTest, DictionaryLargerThanTheRowsCanFillIsRejected) {
  DayMetadata m;
  m.day_start = kDayStart;
  BlockInfo b = Block(kDayStart + 300, 10, 7, 0);
  b.dict_v4_size = 14;  // 7 IPv4 rows: at most 14 addresses
  b.dict_v6_size = 6;   // 3 IPv6 rows: at most 6
  m.Add(b);
  ASSERT_TRUE(DecodeDayMetadata(EncodeDayMetadata(m)).ok());

  m.blocks[0].dict_v4_size = 4294967209u;
  auto decoded = DecodeDayMetadata(EncodeDayMetadata(m));
  EXPECT_TRUE(absl::IsDataLoss(decoded.status()));
  EXPECT_EQ(decoded.status().message(),
            "address dictionary of 4294967209 IPv4 and 6 IPv6 addresses for 7 IPv4 and 3 IPv6 "
            "rows");

  m.blocks[0].dict_v4_size = 14;
  m.blocks[0].dict_v6_size = 7;
  EXPECT_TRUE(absl::IsDataLoss(DecodeDayMetadata(EncodeDayMetadata(m)).status()));
}

TEST(DayMetadataTest, EmptyDayRoundTrips) {
  DayMetadata m;
  m.day_start = kDayStart;
  auto decoded = DecodeDayMetadata(EncodeDayMetadata(m));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->blocks.empty());
}

TEST(DayMetadataTest, EveryFlippedBitIsDetected) {
  const std::string good = EncodeDayMetadata(Sample());
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= char(1 << (i % 8));
    auto decoded = DecodeDayMetadata(bad);
    EXPECT_TRUE(absl::IsDataLoss(decoded.status())) << "byte " << i;
  }
}

TEST(DayMetadataTest, EveryTruncationIsDetected) {
  const std::string good = EncodeDayMetadata(Sample());
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_TRUE(absl::IsDataLoss(DecodeDayMetadata(good.substr(0, n)).status())) << n;
  }
}

}  // namespace
}  // namespace goprobe::godb
