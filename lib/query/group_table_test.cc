// GroupTable against a map: every key found with its exact sums after any
// number of in-place doublings, including the awkward clusters the doubling
// must set aside (those wrapping round a partition's end).

#include "lib/query/group_table.h"

#include <map>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

constexpr uint64_t kLo = uint64_t{1} << 63 | 7;

using Reference = std::map<std::pair<uint64_t, uint64_t>, flow::Counters>;

void Add(GroupTable* table, Reference* ref, uint64_t hi, uint64_t lo, uint64_t n) {
  const flow::Counters c{n, 2 * n, 3, 1};
  const uint64_t hash = GroupTable::Hash(hi, lo);
  table->PrefetchTag(hash);
  table->PrefetchSlot(hash);
  *table->FindOrInsert(hi, lo, hash) += c;
  (*ref)[{hi, lo}] += c;
}

// The table holds exactly the reference's groups and sums.
void ExpectSame(const GroupTable& table, const Reference& ref) {
  ASSERT_EQ(table.size(), ref.size());
  size_t seen = 0;
  for (size_t p = 0; p < GroupTable::kPartitions; ++p) {
    table.ForEach(p, [&](const GroupEntry& e) {
      ++seen;
      EXPECT_EQ(GroupTable::PartitionOf(GroupTable::Hash(e.hi, e.lo)), p);
      auto it = ref.find({e.hi, e.lo});
      ASSERT_NE(it, ref.end()) << e.hi << " " << e.lo;
      EXPECT_EQ(e.counters.bytes_rcvd, it->second.bytes_rcvd);
      EXPECT_EQ(e.counters.bytes_sent, it->second.bytes_sent);
      EXPECT_EQ(e.counters.pkts_rcvd, it->second.pkts_rcvd);
      EXPECT_EQ(e.counters.pkts_sent, it->second.pkts_sent);
    });
  }
  EXPECT_EQ(seen, ref.size());
}

TEST(GroupTableTest, RandomKeysAcrossManyDoublings) {
  std::mt19937_64 rng(5);
  GroupTable table;
  Reference ref;
  std::vector<uint64_t> keys;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 40000; ++i) {
      // Half new keys, half repeats of earlier ones.
      const uint64_t hi = keys.empty() || rng() % 2 ? rng() : keys[rng() % keys.size()];
      keys.push_back(hi);
      Add(&table, &ref, hi, kLo | (hi & 1) << 40, rng() % 1000);
    }
    ExpectSame(table, ref);
  }
  EXPECT_GT(table.MemoryBytes(), table.size() * sizeof(GroupEntry));
  EXPECT_LE(table.MemoryBytes(), 4 * table.size() * sizeof(GroupEntry));
}

// Keys of one partition whose homes sit in the partition's last slots for
// every capacity up to 4096: their clusters wrap round the end, and when
// the partition doubles they either stay at the top of the lower half or
// move to the top of the upper half, where a probe would wrap into slots
// not yet moved. Mixed with keys homed anywhere, so the wrapping clusters
// meet ordinary ones.
TEST(GroupTableTest, ClustersWrappingRoundThePartitionEnd) {
  std::vector<uint64_t> top, anywhere;
  for (uint64_t hi = 1; top.size() < 2000 || anywhere.size() < 2000; ++hi) {
    const uint64_t hash = GroupTable::Hash(hi, kLo);
    if (GroupTable::PartitionOf(hash) != 0) continue;
    if ((hash & 0xfff) >= 0xfc0) {
      if (top.size() < 2000) top.push_back(hi);
    } else if (anywhere.size() < 2000) {
      anywhere.push_back(hi);
    }
  }
  std::mt19937_64 rng(11);
  GroupTable table;
  Reference ref;
  for (size_t i = 0; i < 2000; ++i) {
    Add(&table, &ref, top[i], kLo, i + 1);
    Add(&table, &ref, anywhere[i], kLo, i + 1);
    // Earlier keys again, so lookups cross the moved clusters.
    Add(&table, &ref, top[rng() % (i + 1)], kLo, 1);
    if (i % 97 == 0) ExpectSame(table, ref);
  }
  ExpectSame(table, ref);
  EXPECT_EQ(table.partition_size(0), 4000u);
}

TEST(GroupTableTest, MovedTableKeepsItsGroups) {
  GroupTable table;
  Reference ref;
  for (uint64_t hi = 1; hi <= 5000; ++hi) Add(&table, &ref, hi, kLo, hi);
  GroupTable moved(std::move(table));
  EXPECT_EQ(table.size(), 0u);
  ExpectSame(moved, ref);
  GroupTable assigned;
  assigned = std::move(moved);
  ExpectSame(assigned, ref);
}

}  // namespace
}  // namespace goprobe::query
