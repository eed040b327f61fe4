#ifndef GOPROBE_LIB_QUERY_GROUP_TABLE_H_
#define GOPROBE_LIB_QUERY_GROUP_TABLE_H_

// The hash table a scanning thread sums its groups in: open addressing with
// linear probing over 48-byte entries (a 16-byte key and the four counters
// inline), split by the hash's top bits into kPartitions independent tables.
//
// Why not absl::flat_hash_map: a query over days has tens of millions of
// groups, so nearly every insert misses the caches. Here a probe walks
// one-byte tags and reads only the entry whose tag matches, the caller can
// prefetch a batch's tags and then the entries they point at (PrefetchTag,
// PrefetchSlot), large partitions sit on transparent huge pages (fewer TLB
// misses and page faults), and growth doubles one partition at a time in
// place: its mappings grow with mremap, so only the new half is fresh
// memory and entries move along two sequential streams. Partitions also let
// threads share one table, each locking only the partition it adds to, and
// finalise it in parallel.
//
// Keys are two words. Not thread-safe; distinct partitions may be used from
// distinct threads.

#include <cstddef>
#include <cstdint>

#include "lib/flow/flow.h"

namespace goprobe::query {

struct GroupEntry {
  uint64_t hi;
  uint64_t lo;
  flow::Counters counters;
};

class GroupTable {
 public:
  // 64 partitions: few enough that a partition reaches huge-page size early
  // in a large query, enough that scanning threads rarely wait on the same
  // partition's lock.
  static constexpr int kPartitionBits = 6;
  static constexpr size_t kPartitions = size_t{1} << kPartitionBits;

  GroupTable() = default;
  ~GroupTable();
  GroupTable(GroupTable&& other) noexcept;
  GroupTable& operator=(GroupTable&& other) noexcept;
  GroupTable(const GroupTable&) = delete;
  GroupTable& operator=(const GroupTable&) = delete;

  static uint64_t Hash(uint64_t hi, uint64_t lo) {
    // murmur3's 64-bit finaliser over both words: the top bits choose the
    // partition, the low bits the slot, so both must be well mixed.
    uint64_t x = hi ^ (lo * 0x9e3779b97f4a7c15ull);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
  }
  static size_t PartitionOf(uint64_t hash) { return size_t(hash >> (64 - kPartitionBits)); }

  // Looking a key up costs a cache miss or two in a large table. Callers
  // with a batch of keys hide them by calling, for each key in turn,
  // PrefetchTag, then PrefetchSlot, then FindOrInsert: the first fetches
  // the line of tags the probe starts in; the second reads those tags,
  // finds the slot the key sits in or will take, and fetches that entry;
  // by the third, both are in cache. Without the middle step a key found
  // past its home slot (a third of them, at the table's usual load) would
  // still wait for its entry's line.
  //
  // always_inline: GCC otherwise judges a function whose only effect is a
  // prefetch to be pure, and deletes its calls (seen in -O2 builds).
  __attribute__((always_inline)) void PrefetchTag(uint64_t hash) const {
    const Partition& p = parts_[PartitionOf(hash)];
    if (p.tags != nullptr) __builtin_prefetch(&p.tags[hash & p.mask], 1);
  }
  __attribute__((always_inline)) void PrefetchSlot(uint64_t hash) const {
    const Partition& p = parts_[PartitionOf(hash)];
    if (p.tags == nullptr) return;
    const uint8_t tag = TagOf(hash);
    size_t i = hash & p.mask;
    while (p.tags[i] != 0 && p.tags[i] != tag) i = (i + 1) & p.mask;
    // Entries are 48 bytes, so half of them straddle two cache lines.
    const char* e = reinterpret_cast<const char*>(&p.slots[i]);
    __builtin_prefetch(e, 1);
    __builtin_prefetch(e + sizeof(GroupEntry) - 1, 1);
  }

  // The counters of key (hi, lo), zero when it is new. `hash` is Hash(hi, lo).
  flow::Counters* FindOrInsert(uint64_t hi, uint64_t lo, uint64_t hash) {
    Partition& p = parts_[PartitionOf(hash)];
    if (p.size >= p.grow_at) Grow(&p);
    const uint8_t tag = TagOf(hash);
    for (size_t i = hash & p.mask;; i = (i + 1) & p.mask) {
      const uint8_t t = p.tags[i];
      if (t == tag) {
        GroupEntry& e = p.slots[i];
        if (e.lo == lo && e.hi == hi) return &e.counters;
      } else if (t == 0) {
        p.tags[i] = tag;
        GroupEntry& e = p.slots[i];
        e.hi = hi;
        e.lo = lo;
        ++p.size;
        return &e.counters;
      }
    }
  }

  size_t size() const;
  size_t partition_size(size_t partition) const { return parts_[partition].size; }
  uint64_t partition_bytes(size_t partition) const {
    return parts_[partition].capacity * (sizeof(GroupEntry) + 1);
  }
  // Bytes held by the slots and their tags.
  uint64_t MemoryBytes() const;

  // Calls f(const GroupEntry&) for every group of one partition.
  template <typename F>
  void ForEach(size_t partition, F&& f) const {
    const Partition& p = parts_[partition];
    for (size_t i = 0; i < p.capacity; ++i) {
      if (p.tags[i] != 0) f(p.slots[i]);
    }
  }

 private:
  // A slot's tag: 0 when the slot is empty, else seven bits of its key's
  // hash (bits neither the partition nor, below 2^50 slots, the home slot
  // use) with the top bit set. A probe compares tags, one byte a slot, and
  // reads an entry only when its tag matches.
  static uint8_t TagOf(uint64_t hash) { return uint8_t(0x80 | (hash >> 50 & 0x7f)); }

  struct Partition {
    uint8_t* tags = nullptr;  // capacity tags, a mapping of their own
    GroupEntry* slots = nullptr;
    size_t mask = 0;
    size_t capacity = 0;
    size_t size = 0;
    size_t grow_at = 0;  // size at which the next insert grows the partition
  };

  // Doubles the partition's capacity (or maps its first slots) and moves
  // its entries to their homes in the doubled table.
  static void Grow(Partition* p);
  static void Free(Partition* p);

  Partition parts_[kPartitions];
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_GROUP_TABLE_H_
