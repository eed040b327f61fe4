#include "bench/flow_generator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow.h"

namespace goprobe::bench {
namespace {

using flow::FlowKey;
using flow::FlowRow;
using ::testing::Eq;

// Smaller than the default day so the suite stays quick under ASan; the
// model's shape does not depend on the scale.
FlowGeneratorOptions SmallOptions() {
  FlowGeneratorOptions o;
  o.flows_per_block = 4000;
  o.hosts = 40'000;
  return o;
}

int64_t BlockAt(int index) { return kDefaultDayStart + int64_t(index) * kBlockSeconds; }

// Rows of every `step`-th block of one day.
std::vector<FlowRow> SampleDay(const FlowGenerator& g, int step) {
  std::vector<FlowRow> all;
  for (int b = 0; b < kBlocksPerDay; b += step) {
    std::vector<FlowRow> rows = g.Block(BlockAt(b));
    all.insert(all.end(), rows.begin(), rows.end());
  }
  return all;
}

TEST(FlowGeneratorTest, SameSeedSameRows) {
  const FlowGenerator a(SmallOptions());
  const FlowGenerator b(SmallOptions());
  for (int block : {0, 1, 150, 287}) {
    EXPECT_THAT(a.Block(BlockAt(block)), Eq(b.Block(BlockAt(block)))) << "block " << block;
  }
}

TEST(FlowGeneratorTest, BlockIsIndependentOfCallOrder) {
  const FlowGenerator a(SmallOptions());
  const std::vector<FlowRow> first = a.Block(BlockAt(100));
  for (int block = 90; block < 100; ++block) a.Block(BlockAt(block));
  EXPECT_THAT(a.Block(BlockAt(100)), Eq(first));
}

TEST(FlowGeneratorTest, DifferentSeedDifferentRows) {
  FlowGeneratorOptions other = SmallOptions();
  other.seed = 2;
  EXPECT_NE(FlowGenerator(SmallOptions()).Block(BlockAt(0)),
            FlowGenerator(other).Block(BlockAt(0)));
}

TEST(FlowGeneratorTest, KeysUniqueWithinBlockAndCountOnTarget) {
  const FlowGenerator g(SmallOptions());
  for (int block : {0, 60, 170}) {
    const std::vector<FlowRow> rows = g.Block(BlockAt(block));
    absl::flat_hash_set<FlowKey> keys;
    for (const FlowRow& r : rows) EXPECT_TRUE(keys.insert(r.key).second);
    EXPECT_EQ(rows.size(), g.TargetRows(BlockAt(block)));
  }
}

TEST(FlowGeneratorTest, RowsAreWellFormed) {
  const FlowGenerator g(SmallOptions());
  const std::vector<FlowRow> rows = SampleDay(g, 24);
  ASSERT_FALSE(rows.empty());
  for (const FlowRow& r : rows) {
    const FlowKey& k = r.key;
    const flow::Counters& c = r.counters;
    ASSERT_EQ(k.sip.is_v4(), k.dip.is_v4()) << k.sip.ToString() << " " << k.dip.ToString();
    if (k.proto != flow::kProtoTcp && k.proto != flow::kProtoUdp) {
      ASSERT_EQ(k.dport, 0) << "proto " << int(k.proto);
    } else {
      ASSERT_NE(k.dport, 0);
    }
    if (k.proto == flow::kProtoIcmp) {
      ASSERT_TRUE(k.is_v4());
    }
    if (k.proto == flow::kProtoIcmpV6) {
      ASSERT_FALSE(k.is_v4());
    }
    ASSERT_GT(c.pkts_rcvd + c.pkts_sent, 0u);
    ASSERT_EQ(c.pkts_rcvd > 0, c.bytes_rcvd > 0);
    ASSERT_EQ(c.pkts_sent > 0, c.bytes_sent > 0);
    ASSERT_GE(c.bytes_rcvd, c.pkts_rcvd * 60);
    ASSERT_GE(c.bytes_sent, c.pkts_sent * 60);
    ASSERT_LE(c.bytes_rcvd, c.pkts_rcvd * 1514);
    ASSERT_LE(c.bytes_sent, c.pkts_sent * 1514);
  }
}

TEST(FlowGeneratorTest, Ipv6ShareFollowsOption) {
  for (double fraction : {0.0, 0.3, 0.6}) {
    FlowGeneratorOptions o = SmallOptions();
    o.ipv6_fraction = fraction;
    const std::vector<FlowRow> rows = SampleDay(FlowGenerator(o), 36);
    const double v6 = double(std::count_if(rows.begin(), rows.end(),
                                           [](const FlowRow& r) { return !r.key.is_v4(); })) /
                      double(rows.size());
    // At 0 the v6-only services (ICMPv6, DHCPv6) remain.
    EXPECT_NEAR(v6, std::max(fraction, 0.01), 0.03) << "ipv6_fraction " << fraction;
  }
}

TEST(FlowGeneratorTest, ServiceAndProtocolMix) {
  const std::vector<FlowRow> rows = SampleDay(FlowGenerator(SmallOptions()), 24);
  const double n = double(rows.size());
  absl::flat_hash_map<uint32_t, size_t> by_service;
  absl::flat_hash_map<uint8_t, size_t> by_proto;
  size_t one_way = 0;
  for (const FlowRow& r : rows) {
    ++by_service[uint32_t(r.key.proto) << 16 | r.key.dport];
    ++by_proto[r.key.proto];
    if (r.counters.pkts_rcvd == 0 || r.counters.pkts_sent == 0) ++one_way;
  }
  const uint32_t tcp443 = uint32_t(flow::kProtoTcp) << 16 | 443;
  size_t top_count = 0;
  uint32_t top = 0;
  for (const auto& [service, count] : by_service) {
    if (count > top_count) std::tie(top, top_count) = std::tie(service, count);
  }
  EXPECT_EQ(top, tcp443);
  EXPECT_GT(double(top_count) / n, 0.25);
  EXPECT_LT(double(top_count) / n, 0.50);
  // A tail of ports: far more distinct services than the catalogue holds.
  EXPECT_GT(by_service.size(), 1000u);

  EXPECT_GT(by_proto[flow::kProtoTcp] / n, 0.5);
  EXPECT_GT(by_proto[flow::kProtoUdp] / n, 0.2);
  EXPECT_GT(by_proto[flow::kProtoIcmp] / n, 0.003);
  EXPECT_GT(by_proto[flow::kProtoIcmpV6] / n, 0.002);
  EXPECT_GT(by_proto[flow::kProtoTcp], by_proto[flow::kProtoUdp]);

  EXPECT_GT(one_way / n, 0.03);
  EXPECT_LT(one_way / n, 0.2);
}

TEST(FlowGeneratorTest, CountersAreHeavyTailed) {
  std::vector<FlowRow> rows = SampleDay(FlowGenerator(SmallOptions()), 24);
  std::vector<uint64_t> pkts, bytes;
  for (const FlowRow& r : rows) {
    pkts.push_back(r.counters.pkts_rcvd + r.counters.pkts_sent);
    bytes.push_back(r.counters.bytes_rcvd + r.counters.bytes_sent);
  }
  std::sort(pkts.begin(), pkts.end());
  std::sort(bytes.begin(), bytes.end());
  const auto quantile = [](const std::vector<uint64_t>& v, double q) {
    return v[size_t(q * double(v.size() - 1))];
  };
  // Most flows are small; a few carry millions of bytes.
  EXPECT_LE(quantile(pkts, 0.5), 10u);
  EXPECT_GE(quantile(bytes, 0.99), 1'000'000u);
  EXPECT_GE(bytes.back(), 100'000'000u);
  const double big =
      double(std::count_if(bytes.begin(), bytes.end(), [](uint64_t b) { return b > 1'000'000; }));
  EXPECT_LT(big / double(bytes.size()), 0.05);
}

TEST(FlowGeneratorTest, DiurnalCurve) {
  const FlowGenerator g(SmallOptions());
  double sum = 0;
  for (int b = 0; b < kBlocksPerDay; ++b) sum += g.LoadFactor(BlockAt(b) + kBlockSeconds / 2);
  EXPECT_NEAR(sum / kBlocksPerDay, 1.0, 1e-9);
  // 03:00 and 14:00 local (UTC+1).
  const int64_t night = kDefaultDayStart + 2 * 3600, afternoon = kDefaultDayStart + 13 * 3600;
  EXPECT_GT(g.LoadFactor(afternoon), 3 * g.LoadFactor(night));
  EXPECT_GT(g.TargetRows(afternoon), 3 * g.TargetRows(night));
}

TEST(FlowGeneratorTest, ConnectionsPersistAcrossBlocks) {
  const FlowGenerator g(SmallOptions());
  std::vector<absl::flat_hash_set<FlowKey>> blocks;
  for (int b = 120; b < 132; ++b) {
    absl::flat_hash_set<FlowKey> keys;
    for (const FlowRow& r : g.Block(BlockAt(b))) keys.insert(r.key);
    blocks.push_back(std::move(keys));
  }
  // A share of each block continues into the next one...
  for (size_t i = 1; i < blocks.size(); ++i) {
    size_t carried = 0;
    for (const FlowKey& k : blocks[i]) carried += blocks[i - 1].contains(k);
    EXPECT_GT(double(carried) / double(blocks[i].size()), 0.15) << "block " << i;
  }
  // ...and some keys are there the whole hour.
  size_t whole_hour = 0;
  for (const FlowKey& k : blocks[0]) {
    whole_hour +=
        std::all_of(blocks.begin(), blocks.end(),
                    [&k](const absl::flat_hash_set<FlowKey>& s) { return s.contains(k); });
  }
  EXPECT_GT(whole_hour, 50u);
}

TEST(FlowGeneratorTest, TinyPopulationStillWorks) {
  FlowGeneratorOptions o;
  o.hosts = 10;
  o.flows_per_block = 50'000;
  const FlowGenerator g(o);
  const std::vector<FlowRow> rows = g.Block(BlockAt(150));
  absl::flat_hash_set<FlowKey> keys;
  for (const FlowRow& r : rows) EXPECT_TRUE(keys.insert(r.key).second);
  EXPECT_GT(rows.size(), 1000u);
}

}  // namespace
}  // namespace goprobe::bench
