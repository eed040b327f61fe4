#include "lib/godb/bit_packing.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace goprobe::godb {
namespace {

TEST(BitPackingTest, RoundTripsEveryWidthAndLength) {
  std::mt19937_64 rng(7);
  for (int bits = 0; bits <= 64; ++bits) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1000}) {
      std::vector<uint64_t> values(n);
      for (auto& v : values) v = bits == 64 ? rng() : rng() & ((uint64_t{1} << bits) - 1);
      std::string packed;
      PackBits(values.data(), n, bits, &packed);
      ASSERT_EQ(packed.size(), PackedSize(n, bits));
      packed.append(kUnpackPadding, '\xff');  // padding must not leak into values
      std::vector<uint64_t> out(n, 12345);
      UnpackBits(packed.data(), n, bits, out.data());
      ASSERT_EQ(out, values) << "bits=" << bits << " n=" << n;
    }
  }
}

TEST(BitPackingTest, UnpacksChosenPositionsOfEveryWidth) {
  std::mt19937_64 rng(9);
  for (int bits = 0; bits <= 64; ++bits) {
    const size_t n = 1000;
    std::vector<uint64_t> values(n);
    for (auto& v : values) v = bits == 64 ? rng() : rng() & ((uint64_t{1} << bits) - 1);
    std::string packed;
    PackBits(values.data(), n, bits, &packed);
    packed.append(kUnpackPadding, '\xff');
    // Every seventh position, plus the first and the last.
    std::vector<uint32_t> rows = {0};
    for (uint32_t i = 3; i < n - 1; i += 7) rows.push_back(i);
    rows.push_back(uint32_t(n - 1));
    std::vector<uint64_t> out(n, 12345);
    UnpackBitsAt(packed.data(), bits, rows.data(), rows.size(), out.data());
    size_t k = 0;
    for (uint32_t i = 0; i < n; ++i) {
      if (k < rows.size() && rows[k] == i) {
        ASSERT_EQ(out[i], values[i]) << "bits=" << bits << " i=" << i;
        ++k;
      } else {
        ASSERT_EQ(out[i], 12345u) << "bits=" << bits << " i=" << i << " was written";
      }
    }
  }
}

TEST(BitPackingTest, Unpacks32BitOutputs) {
  std::mt19937 rng(3);
  for (int bits = 0; bits <= 32; ++bits) {
    std::vector<uint32_t> values(333);
    for (auto& v : values) v = bits == 32 ? rng() : rng() & ((uint32_t{1} << bits) - 1);
    std::string packed;
    PackBits(values.data(), values.size(), bits, &packed);
    packed.append(kUnpackPadding, '\0');
    std::vector<uint32_t> out(values.size());
    UnpackBits(packed.data(), values.size(), bits, out.data());
    ASSERT_EQ(out, values) << bits;
  }
}

// UnpackGather at every index width it serves for key columns, with
// lengths that end inside and on a group of eight.
template <typename T>
void CheckGatherAtEveryWidth(int max_bits) {
  std::mt19937 rng(11);
  for (int bits = 0; bits <= max_bits; ++bits) {
    std::vector<T> dict(size_t{1} << bits);
    for (auto& v : dict) v = T(rng());
    for (size_t n : {0, 1, 8, 333}) {
      std::vector<uint32_t> indices(n);
      for (auto& i : indices) i = bits == 0 ? 0 : rng() & ((uint32_t{1} << bits) - 1);
      std::string packed;
      PackBits(indices.data(), n, bits, &packed);
      packed.append(kUnpackPadding, '\0');
      std::vector<T> out(n), want(n);
      for (size_t i = 0; i < n; ++i) want[i] = dict[indices[i]];
      UnpackGather(packed.data(), n, bits, dict.data(), out.data());
      ASSERT_EQ(out, want) << "bits " << bits << " n " << n;
    }
  }
}

TEST(BitPackingTest, GathersDictionaryValuesAtEveryWidth) {
  CheckGatherAtEveryWidth<uint8_t>(8);
  CheckGatherAtEveryWidth<uint16_t>(16);
}

TEST(BitPackingTest, PackingKeepsOnlyLowBits) {
  const uint64_t values[3] = {0xff, 0x1f0, 0x3};
  std::string packed;
  PackBits(values, 3, 4, &packed);
  packed.append(kUnpackPadding, '\0');
  uint64_t out[3];
  UnpackBits(packed.data(), 3, 4, out);
  EXPECT_EQ(out[0], 0xfu);
  EXPECT_EQ(out[1], 0x0u);
  EXPECT_EQ(out[2], 0x3u);
}

TEST(BitPackingTest, BitLength) {
  EXPECT_EQ(BitLength(0), 0);
  EXPECT_EQ(BitLength(1), 1);
  EXPECT_EQ(BitLength(255), 8);
  EXPECT_EQ(BitLength(256), 9);
  EXPECT_EQ(BitLength(~uint64_t{0}), 64);
}

}  // namespace
}  // namespace goprobe::godb
