// ScanAggregator and Aggregate against a map of the same rows: the staging
// area, the combining cache (no address attribute) and the table's growth
// must together lose and double nothing.

#include "lib/query/aggregation.h"

#include <map>
#include <random>
#include <tuple>

#include "gtest/gtest.h"
#include "lib/query/attributes.h"

namespace goprobe::query {
namespace {

using Key = std::tuple<uint64_t, uint64_t>;

// A block of `rows` IPv4 rows with keys drawn from few addresses and many
// ports, so groups repeat within and across blocks and the cache's slots
// collide.
godb::BlockColumns RandomBlock(std::mt19937_64& rng, uint32_t rows) {
  godb::BlockColumns b;
  b.rows = b.v4_rows = rows;
  for (uint32_t i = 0; i < rows; ++i) {
    b.sip4.push_back(0x0a000000u + uint32_t(rng() % 1024));
    b.dip4.push_back(0xc0a80000u + uint32_t(rng() % 8));
    b.dport.push_back(uint16_t(rng() % 4000));
    b.proto.push_back(uint8_t(rng() % 2 ? 6 : 17));
    b.bytes_rcvd.push_back(rng() % 100000);
    b.bytes_sent.push_back(rng() % 100000);
    b.pkts_rcvd.push_back(rng() % 100);
    b.pkts_sent.push_back(rng() % 100);
  }
  return b;
}

void ExpectSameSums(const char* attributes) {
  SCOPED_TRACE(attributes);
  const AttributeSet set = *ParseAttributes(attributes);
  const bool sip = set.Has(Attribute::kSip), dip = set.Has(Attribute::kDip);
  const bool dport = set.Has(Attribute::kDport), proto = set.Has(Attribute::kProto);
  std::mt19937_64 rng(11);
  Aggregate aggregate;
  ScanAggregator scan(set, &aggregate);
  std::map<Key, flow::Counters> want;
  const std::vector<uint32_t> no_v6;
  for (int block = 0; block < 40; ++block) {
    const godb::BlockColumns b = RandomBlock(rng, 2000);
    const uint32_t label = uint32_t(block % 3);  // labels change between blocks
    // Every other block through a row list that skips every third row.
    std::vector<uint32_t> rows;
    for (uint32_t i = 0; i < b.rows; ++i) {
      if (i % 3 != 0) rows.push_back(i);
    }
    const bool listed = block % 2 == 1;
    scan.Add(b, listed ? &rows : nullptr, label, no_v6);
    for (uint32_t i = 0; i < b.rows; ++i) {
      if (listed && i % 3 == 0) continue;
      const uint64_t hi = uint64_t(sip ? b.sip4[i] : 0) << 32 | (dip ? b.dip4[i] : 0);
      const uint64_t lo =
          GroupKey::Lo(false, dport ? b.dport[i] : 0, proto ? b.proto[i] : 0, label);
      want[{hi, lo}] += flow::Counters{b.bytes_rcvd[i], b.bytes_sent[i], b.pkts_rcvd[i],
                                       b.pkts_sent[i]};
    }
  }
  scan.Flush();
  std::map<Key, flow::Counters> got;
  for (size_t p = 0; p < GroupTable::kPartitions; ++p) {
    aggregate.table().ForEach(p, [&](const GroupEntry& e) {
      EXPECT_TRUE(got.emplace(Key{e.hi, e.lo}, e.counters).second) << "group twice";
    });
  }
  EXPECT_GT(want.size(), ScanAggregator::kCached);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
  EXPECT_EQ(aggregate.MemoryBytes(), aggregate.table().MemoryBytes());
}

TEST(AggregationTest, CachedPathWithoutAddresses) { ExpectSameSums("dport,proto"); }
TEST(AggregationTest, CachedPathOnePort) { ExpectSameSums("dport"); }
TEST(AggregationTest, StagedPathWithAddresses) { ExpectSameSums("sip,dip,dport"); }
TEST(AggregationTest, StagedPathSourceOnly) { ExpectSameSums("sip"); }

}  // namespace
}  // namespace goprobe::query
