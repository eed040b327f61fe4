#include "lib/godb/column_codec.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/godb/bit_packing.h"

namespace goprobe::godb {
namespace {

template <typename T>
std::vector<T> RoundTrip(const std::vector<T>& values, bool sorted, ColumnEncoding* used) {
  std::string enc;
  EncodeKeyColumn<T>(values, sorted, &enc);
  *used = ColumnEncoding(uint8_t(enc[0]));
  enc.append(kUnpackPadding, '\0');
  absl::string_view in(enc.data(), enc.size() - kUnpackPadding);
  std::vector<T> out(values.size());
  DecodeScratch scratch;
  EXPECT_TRUE(DecodeKeyColumn<T>(&in, values.size(), out.data(), &scratch));
  EXPECT_TRUE(in.empty());
  return out;
}

TEST(ColumnCodecTest, FewDistinctValuesUseADictionary) {
  std::mt19937 rng(1);
  std::vector<uint16_t> ports(5000);
  for (auto& p : ports) p = std::vector<uint16_t>{443, 80, 53, 22}[rng() % 4];
  ColumnEncoding used;
  EXPECT_EQ(RoundTrip(ports, false, &used), ports);
  EXPECT_EQ(used, ColumnEncoding::kDictPacked);
}

TEST(ColumnCodecTest, SortedColumnsUseRuns) {
  std::vector<uint32_t> sips;
  for (uint32_t host = 0; host < 100; ++host) sips.insert(sips.end(), host % 7 + 1, 0x0a000000 + host);
  ColumnEncoding used;
  EXPECT_EQ(RoundTrip(sips, true, &used), sips);
  EXPECT_EQ(used, ColumnEncoding::kDictSorted);
}

TEST(ColumnCodecTest, AllDistinctWideValuesStayPlain) {
  std::mt19937_64 rng(2);
  std::vector<absl::uint128> v6(300);
  for (auto& v : v6) v = absl::MakeUint128(rng(), rng());
  ColumnEncoding used;
  EXPECT_EQ(RoundTrip(v6, false, &used), v6);
  EXPECT_EQ(used, ColumnEncoding::kPlain);
}

TEST(ColumnCodecTest, RoundTripsEveryTypeAndExtremes) {
  ColumnEncoding used;
  std::vector<uint8_t> protos = {0, 255, 6, 17, 6, 6};
  EXPECT_EQ(RoundTrip(protos, false, &used), protos);
  std::vector<uint32_t> v4 = {0, 0xffffffffu, 1, 0xffffffffu};
  EXPECT_EQ(RoundTrip(v4, false, &used), v4);
  std::vector<absl::uint128> v6 = {0, absl::Uint128Max(), absl::Uint128Max()};
  EXPECT_EQ(RoundTrip(v6, true, &used), v6);
  std::vector<uint16_t> empty;
  EXPECT_EQ(RoundTrip(empty, false, &used), empty);
  std::vector<uint16_t> one = {65535};
  EXPECT_EQ(RoundTrip(one, true, &used), one);
}

std::vector<uint64_t> CounterRoundTrip(const std::vector<uint64_t>& values, size_t* size) {
  std::string enc;
  EncodeCounterColumn(values, &enc);
  *size = enc.size();
  enc.append(kUnpackPadding, '\0');
  absl::string_view in(enc.data(), enc.size() - kUnpackPadding);
  std::vector<uint64_t> out(values.size());
  EXPECT_TRUE(DecodeCounterColumn(&in, values.size(), out.data()));
  EXPECT_TRUE(in.empty());
  return out;
}

TEST(ColumnCodecTest, CountersRoundTripHeavyTails) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> values(10000);
  for (auto& v : values) v = rng() % 100 == 0 ? rng() >> (rng() % 40) : rng() % 200;
  values[17] = ~uint64_t{0};
  values[0] = 0;
  size_t size;
  EXPECT_EQ(CounterRoundTrip(values, &size), values);
  // Mostly-small values pack near 8 bits each, not 8 bytes.
  EXPECT_LT(size, values.size() * 2);
}

// Decoding chosen rows gives those rows' values, patches included.
TEST(ColumnCodecTest, CountersDecodeAtChosenRows) {
  std::mt19937_64 rng(8);
  std::vector<uint64_t> values(5000);
  for (auto& v : values) v = rng() % 50 == 0 ? rng() >> (rng() % 30) : rng() % 300;
  std::string enc;
  EncodeCounterColumn(values, &enc);
  enc.append(kUnpackPadding, '\0');
  // Sparse and dense choices (the decoder unpacks them differently).
  for (int one_in : {2, 10}) {
    std::vector<uint32_t> rows;
    for (uint32_t i = 0; i < values.size(); ++i) {
      if (rng() % one_in == 0 || values[i] > 300) rows.push_back(i);
    }
    absl::string_view in(enc.data(), enc.size() - kUnpackPadding);
    std::vector<uint64_t> out(values.size());
    ASSERT_TRUE(DecodeCounterColumn(&in, values.size(), out.data(), &rows));
    EXPECT_TRUE(in.empty());
    for (uint32_t i : rows) ASSERT_EQ(out[i], values[i]) << i;
  }
}

TEST(ColumnCodecTest, CountersEdgeCases) {
  size_t size;
  for (const std::vector<uint64_t>& v :
       {std::vector<uint64_t>{}, std::vector<uint64_t>(100, 0),
        std::vector<uint64_t>(100, ~uint64_t{0}), std::vector<uint64_t>{1, 2, 3}}) {
    EXPECT_EQ(CounterRoundTrip(v, &size), v);
  }
}

// Corrupt input must be rejected or decoded to something, never read out of
// bounds (ASan checks this) or crash.
TEST(ColumnCodecTest, CorruptInputNeverCrashes) {
  std::mt19937_64 rng(4);
  std::vector<uint32_t> v4(500);
  for (auto& v : v4) v = uint32_t(rng() % 50);
  std::vector<uint64_t> counters(500);
  for (auto& v : counters) v = rng() >> (rng() % 64);
  std::string key_enc, counter_enc;
  EncodeKeyColumn<uint32_t>(v4, false, &key_enc);
  EncodeCounterColumn(counters, &counter_enc);
  DecodeScratch scratch;
  std::vector<uint32_t> out32(v4.size());
  std::vector<uint64_t> out64(counters.size());
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string k = key_enc, c = counter_enc;
    const int flips = 1 + int(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      k[rng() % k.size()] ^= char(1 << (rng() % 8));
      c[rng() % c.size()] ^= char(1 << (rng() % 8));
    }
    if (trial % 5 == 0) k.resize(rng() % k.size());
    if (trial % 7 == 0) c.resize(rng() % c.size());
    const size_t klen = k.size(), clen = c.size();
    k.append(kUnpackPadding, '\0');
    c.append(kUnpackPadding, '\0');
    absl::string_view kin(k.data(), klen), cin(c.data(), clen);
    rejected += !DecodeKeyColumn<uint32_t>(&kin, v4.size(), out32.data(), &scratch);
    rejected += !DecodeCounterColumn(&cin, counters.size(), out64.data());
  }
  EXPECT_GT(rejected, 1000);  // structural damage is mostly caught even without checksums
}

}  // namespace
}  // namespace goprobe::godb
