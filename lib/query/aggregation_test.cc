// ScanAggregator and Aggregate against a map of the same rows: the staging
// area, the combining cache (no address attribute), the narrow tables
// (addresses alone) and the tables' growth must together lose and double
// nothing.

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

// All groups of `aggregate`, by key.
std::map<Key, flow::Counters> Groups(const Aggregate& aggregate) {
  std::map<Key, flow::Counters> got;
  for (size_t p = 0; p < GroupTable::kPartitions; ++p) {
    aggregate.ForEach(p, [&](const GroupEntry& e) {
      EXPECT_TRUE(got.emplace(Key{e.hi, e.lo}, e.counters).second) << "group twice";
    });
  }
  EXPECT_EQ(aggregate.size(), got.size());
  return got;
}

// `labels`: how many labels the blocks take turns with; one (label 0) is
// what a query without iface or time attribute has.
void ExpectSameSums(const char* attributes, uint32_t labels = 3) {
  SCOPED_TRACE(attributes);
  const AttributeSet set = *ParseAttributes(attributes);
  const bool sip = set.Has(Attribute::kSip), dip = set.Has(Attribute::kDip);
  const bool dport = set.Has(Attribute::kDport), proto = set.Has(Attribute::kProto);
  std::mt19937_64 rng(11);
  Aggregate aggregate(set);
  ScanAggregator scan(set, &aggregate);
  std::map<Key, flow::Counters> want;
  const std::vector<uint32_t> no_v6;
  for (int block = 0; block < 40; ++block) {
    const godb::BlockColumns b = RandomBlock(rng, 2000);
    const uint32_t label = uint32_t(block) % labels;  // labels change between blocks
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
  const std::map<Key, flow::Counters> got = Groups(aggregate);
  EXPECT_GT(want.size(), ScanAggregator::kCached);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

TEST(AggregationTest, CachedPathWithoutAddresses) { ExpectSameSums("dport,proto"); }
TEST(AggregationTest, CachedPathOnePort) { ExpectSameSums("dport"); }
TEST(AggregationTest, StagedPathWithAddresses) { ExpectSameSums("sip,dip,dport"); }
TEST(AggregationTest, StagedPathSourceOnly) { ExpectSameSums("sip"); }
// Addresses alone: narrow tables, and with labels (as iface or time would
// give) keys the narrow tables do not hold.
TEST(AggregationTest, NarrowTables) { ExpectSameSums("sip,dip", 1); }
TEST(AggregationTest, NarrowTablesOtherLabels) { ExpectSameSums("sip,dip", 3); }
TEST(AggregationTest, NarrowTablesSourceOnly) { ExpectSameSums("sip", 1); }

// Groups whose packet counts outgrow a narrow entry move to the wide table
// with their sums so far, and later adds follow them there. IPv4 and IPv6
// keys with equal words stay apart.
TEST(AggregationTest, NarrowGroupsSpillToTheWideTable) {
  Aggregate aggregate(*ParseAttributes("sip,dip"));
  std::map<Key, flow::Counters> want;
  const auto add = [&](uint64_t hi, bool v6, flow::Counters c) {
    const GroupEntry e{hi, GroupKey::Lo(v6, 0, 0, 0), c};
    aggregate.Add(GroupTable::PartitionOf(GroupTable::Hash(e.hi, e.lo)), &e, 1);
    want[{e.hi, e.lo}] += c;
  };
  constexpr uint64_t kBig = uint64_t{3} << 30;  // two of them pass 2^32
  for (uint64_t hi = 1; hi <= 300; ++hi) {
    for (bool v6 : {false, true}) {
      add(hi, v6, {hi, 2 * hi, 5, 7});
      if (hi % 3 == 0) add(hi, v6, {1, 1, kBig, 0});  // spills at the second
      if (hi % 3 == 0) add(hi, v6, {1, 1, kBig, 1});
      if (hi % 5 == 0) add(hi, v6, {0, 0, 0, uint64_t{1} << 40});  // spills at once
      add(hi, v6, {10, 10, 1, 1});  // after the spill: to the wide table
    }
  }
  const std::map<Key, flow::Counters> got = Groups(aggregate);
  EXPECT_EQ(got.size(), 600u);
  EXPECT_TRUE(got == want);
  EXPECT_GT(aggregate.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace goprobe::query
