#include "lib/godb/address_dictionary.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace goprobe::godb {
namespace {

TEST(AddressDictionaryTest, NumbersNewAddressesInAscendingOrderOnce) {
  AddressDictionary dict;
  std::vector<uint32_t> added;
  const uint32_t first[] = {30, 10, 20, 10};
  dict.AddMissing(first, &added);
  EXPECT_EQ(added, (std::vector<uint32_t>{10, 20, 30}));
  EXPECT_EQ(dict.Index(10u), 0u);
  EXPECT_EQ(dict.Index(30u), 2u);
  added.clear();
  const uint32_t second[] = {20, 5, 40};
  dict.AddMissing(second, &added);
  EXPECT_EQ(added, (std::vector<uint32_t>{5, 40}));
  EXPECT_EQ(dict.Index(5u), 3u);
  EXPECT_EQ(dict.Index(40u), 4u);
  EXPECT_EQ(dict.v4_size(), 5u);
}

TEST(AddressDictionaryTest, TruncateForgetsABlocksAdditions) {
  AddressDictionary dict;
  std::vector<uint32_t> added;
  const uint32_t a[] = {1, 2};
  dict.AddMissing(a, &added);
  const uint32_t b[] = {3, 1};
  dict.AddMissing(b, &added);
  dict.Truncate(2, 0);
  EXPECT_EQ(dict.v4_size(), 2u);
  added.clear();
  dict.AddMissing(b, &added);
  EXPECT_EQ(added, (std::vector<uint32_t>{3}));
  EXPECT_EQ(dict.Index(3u), 2u);
}

TEST(AddressDictionaryTest, ChunksRoundTripBothFamilies) {
  std::mt19937_64 rng(5);
  std::vector<uint32_t> v4;
  std::vector<absl::uint128> v6;
  for (int i = 0; i < 1000; ++i) v4.push_back(uint32_t(rng()));
  for (int i = 0; i < 500; ++i) {
    // Shared /64 prefixes with random and small interface ids, and extremes.
    const uint64_t hi = 0x20010db800000000ULL | (rng() % 8);
    v6.push_back(absl::MakeUint128(hi, i % 2 ? rng() : rng() % 300));
  }
  v6.push_back(0);
  v6.push_back(absl::Uint128Max());
  v4.push_back(0);
  v4.push_back(UINT32_MAX);
  std::sort(v4.begin(), v4.end());
  v4.erase(std::unique(v4.begin(), v4.end()), v4.end());
  std::sort(v6.begin(), v6.end());
  v6.erase(std::unique(v6.begin(), v6.end()), v6.end());

  std::string chunk;
  AddressDictionary::EncodeChunk(v4, v6, &chunk);
  AddressDictionary dict;
  ASSERT_TRUE(dict.AppendChunk(chunk, uint32_t(v4.size()), uint32_t(v6.size())));
  ASSERT_EQ(dict.v4_size(), v4.size());
  ASSERT_EQ(dict.v6_size(), v6.size());
  for (size_t i = 0; i < v4.size(); ++i) EXPECT_EQ(dict.v4_values()[i], v4[i]);
  for (size_t i = 0; i < v6.size(); ++i) EXPECT_EQ(dict.v6_values()[i], v6[i]);
  EXPECT_TRUE(dict.BuildIndex());
  EXPECT_EQ(dict.Index(v6.back()), uint32_t(v6.size() - 1));
}

TEST(AddressDictionaryTest, DamagedChunksAreRejectedAndLeaveNoTrace) {
  std::vector<uint32_t> v4 = {1, 2, 300, 70000};
  std::vector<absl::uint128> v6 = {absl::MakeUint128(1, 1), absl::MakeUint128(1, 2)};
  std::string chunk;
  AddressDictionary::EncodeChunk(v4, v6, &chunk);
  AddressDictionary dict;
  EXPECT_FALSE(dict.AppendChunk(chunk, 5, 2));  // more than it holds
  EXPECT_FALSE(dict.AppendChunk(chunk, 3, 2));  // less than it holds
  EXPECT_FALSE(dict.AppendChunk(chunk.substr(0, chunk.size() - 1), 4, 2));
  std::string repeated;
  const uint32_t twice[] = {7, 7};
  AddressDictionary::EncodeChunk(twice, {}, &repeated);  // not strictly ascending
  EXPECT_FALSE(dict.AppendChunk(repeated, 2, 0));
  EXPECT_EQ(dict.v4_size(), 0u);
  EXPECT_EQ(dict.v6_size(), 0u);
}

TEST(AddressDictionaryTest, HolesAreDetectedAndBlockWriting) {
  AddressDictionary dict;
  std::string chunk;
  const uint32_t a[] = {1, 2};
  AddressDictionary::EncodeChunk(a, {}, &chunk);
  ASSERT_TRUE(dict.AppendChunk(chunk, 2, 0));
  dict.AppendHole(3, 1);
  const uint32_t ok[] = {0, 1, 1};
  const uint32_t bad[] = {0, 3};
  EXPECT_FALSE(dict.TouchesHole4(ok, 3));
  EXPECT_TRUE(dict.TouchesHole4(bad, 2));
  const uint32_t v6_index[] = {0};
  EXPECT_TRUE(dict.TouchesHole6(v6_index, 1));
  EXPECT_EQ(dict.v4_size(), 5u);
  EXPECT_FALSE(dict.BuildIndex());
}

}  // namespace
}  // namespace goprobe::godb
