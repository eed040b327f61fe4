// GroupTable and NarrowGroupTable against a map: every key found with its
// exact sums after any number of in-place doublings, including the awkward
// clusters the doubling must set aside (those wrapping round a partition's
// end).

#include "lib/query/group_table.h"

#include <map>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

constexpr uint64_t kLo = uint64_t{1} << 63 | 7;

using Reference = std::map<std::pair<uint64_t, uint64_t>, flow::Counters>;

template <typename Table>
void Add(Table* table, Reference* ref, uint64_t hi, uint64_t lo, uint64_t n) {
  const flow::Counters c{n, 2 * n, 3, 1};
  const uint64_t hash = Table::Hash(hi, lo);
  table->PrefetchTag(hash);
  table->PrefetchSlot(hash);
  if constexpr (Table::kNarrow) {
    ASSERT_TRUE(table->FindOrInsert(hi, lo, hash)->Add(c));
  } else {
    table->FindOrInsert(hi, lo, hash)->counters += c;
  }
  (*ref)[{hi, lo}] += c;
}

// The table holds exactly the reference's groups and sums.
template <typename Table>
void ExpectSame(const Table& table, const Reference& ref) {
  ASSERT_EQ(table.size(), ref.size());
  size_t seen = 0;
  for (size_t p = 0; p < Table::kPartitions; ++p) {
    table.ForEach(p, [&](const auto& e) {
      ++seen;
      uint64_t lo;
      flow::Counters c;
      if constexpr (Table::kNarrow) {
        lo = table.lo();
        c = e.counters();
      } else {
        lo = e.lo;
        c = e.counters;
      }
      EXPECT_EQ(Table::PartitionOf(Table::Hash(e.hi, lo)), p);
      auto it = ref.find({e.hi, lo});
      ASSERT_NE(it, ref.end()) << e.hi << " " << lo;
      EXPECT_EQ(c, it->second);
    });
  }
  EXPECT_EQ(seen, ref.size());
}

template <typename Table>
class GroupTableTest : public testing::Test {
 protected:
  // A key's second word: varied in a wide table, the table's own in a
  // narrow one.
  static uint64_t LoFor(uint64_t hi) { return Table::kNarrow ? kLo : kLo | (hi & 1) << 40; }
};
using Layouts = testing::Types<GroupTable, NarrowGroupTable>;
TYPED_TEST_SUITE(GroupTableTest, Layouts);

TYPED_TEST(GroupTableTest, RandomKeysAcrossManyDoublings) {
  using Entry = std::remove_pointer_t<decltype(TypeParam().FindOrInsert(0, 0, 0))>;
  std::mt19937_64 rng(5);
  TypeParam table(kLo);
  Reference ref;
  std::vector<uint64_t> keys;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 40000; ++i) {
      // Half new keys, half repeats of earlier ones.
      const uint64_t hi = keys.empty() || rng() % 2 ? rng() : keys[rng() % keys.size()];
      keys.push_back(hi);
      Add(&table, &ref, hi, this->LoFor(hi), rng() % 1000);
    }
    ExpectSame(table, ref);
  }
  EXPECT_GT(table.MemoryBytes(), table.size() * sizeof(Entry));
  EXPECT_LE(table.MemoryBytes(), 4 * table.size() * sizeof(Entry));
}

// Keys of one partition whose homes sit in the partition's last slots for
// every capacity up to 4096: their clusters wrap round the end, and when
// the partition doubles they either stay at the top of the lower half or
// move to the top of the upper half, where a probe would wrap into slots
// not yet moved. Mixed with keys homed anywhere, so the wrapping clusters
// meet ordinary ones.
TYPED_TEST(GroupTableTest, ClustersWrappingRoundThePartitionEnd) {
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
  TypeParam table(kLo);
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

TYPED_TEST(GroupTableTest, MovedTableKeepsItsGroups) {
  TypeParam table(kLo);
  Reference ref;
  for (uint64_t hi = 1; hi <= 5000; ++hi) Add(&table, &ref, hi, kLo, hi);
  TypeParam moved(std::move(table));
  EXPECT_EQ(table.size(), 0u);
  ExpectSame(moved, ref);
  TypeParam assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.lo(), kLo);
  ExpectSame(assigned, ref);
}

// A narrow entry's packet counters hold up to 2^32 - 2: an add that would
// reach further is refused whole, and so is every add once the entry is
// marked spilled.
TEST(NarrowGroupEntryTest, RefusesWhatItCannotHold) {
  NarrowGroupEntry e{};
  EXPECT_TRUE(e.Add({10, 20, 0xfffffffd, 1}));
  EXPECT_TRUE(e.Add({0, 0, 1, 0}));
  EXPECT_EQ(e.counters(), (flow::Counters{10, 20, 0xfffffffe, 1}));
  EXPECT_FALSE(e.Add({1, 1, 1, 1}));  // pkts_rcvd would reach 2^32 - 1
  EXPECT_FALSE(e.Add({1, 1, 0, uint64_t{1} << 32}));
  EXPECT_EQ(e.counters(), (flow::Counters{10, 20, 0xfffffffe, 1}));
  EXPECT_TRUE(e.Add({5, 5, 0, 7}));
  EXPECT_FALSE(e.spilled());
  e.MarkSpilled();
  EXPECT_TRUE(e.spilled());
  EXPECT_FALSE(e.Add({0, 0, 0, 0}));
}

}  // namespace
}  // namespace goprobe::query
