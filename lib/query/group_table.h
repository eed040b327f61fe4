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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    if (p.tags == nullptr) return;
    // A probe reads a group of kGroup tags, which may reach the next line.
    const uint8_t* t = &p.tags[hash & p.mask];
    __builtin_prefetch(t, 1);
    __builtin_prefetch(t + kGroup - 1, 1);
  }
  __attribute__((always_inline)) void PrefetchSlot(uint64_t hash) const {
    const Partition& p = parts_[PartitionOf(hash)];
    if (p.tags == nullptr) return;
    const uint8_t tag = TagOf(hash);
    size_t i = hash & p.mask;
    const uint32_t stop =
        i + kGroup <= p.capacity ? MatchTag(p.tags + i, tag) | MatchTag(p.tags + i, 0) : 0;
    if (stop != 0) {
      i += size_t(__builtin_ctz(stop));
    } else {
      while (p.tags[i] != 0 && p.tags[i] != tag) i = (i + 1) & p.mask;
    }
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
    size_t i = hash & p.mask;
    // A group of tags at a time: which match and which are empty, as bit
    // masks, instead of a branch per slot. Only matches before the first
    // empty slot are on the probe's path.
    while (i + kGroup <= p.capacity) {
      const uint32_t empty = MatchTag(p.tags + i, 0);
      uint32_t match = MatchTag(p.tags + i, tag);
      if (empty != 0) match &= (empty & (0 - empty)) - 1;
      for (; match != 0; match &= match - 1) {
        GroupEntry& e = p.slots[i + size_t(__builtin_ctz(match))];
        if (e.lo == lo && e.hi == hi) return &e.counters;
      }
      if (empty != 0) return Insert(&p, i + size_t(__builtin_ctz(empty)), tag, hi, lo);
      i = (i + kGroup) & p.mask;
    }
    // The last slots of the partition, one by one, wrapping to its start.
    for (;; i = (i + 1) & p.mask) {
      const uint8_t t = p.tags[i];
      if (t == tag) {
        GroupEntry& e = p.slots[i];
        if (e.lo == lo && e.hi == hi) return &e.counters;
      } else if (t == 0) {
        return Insert(&p, i, tag, hi, lo);
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
    // Capacities are multiples of kGroup; a branch per slot would
    // mispredict at every other occupied slot.
    for (size_t i = 0; i < p.capacity; i += kGroup) {
      for (uint32_t used = ~MatchTag(p.tags + i, 0) & kGroupMask; used != 0;
           used &= used - 1) {
        f(p.slots[i + size_t(__builtin_ctz(used))]);
      }
    }
  }

 private:
  // Tags a probe examines at once.
  static constexpr size_t kGroup = 16;
  static constexpr uint32_t kGroupMask = (uint32_t{1} << kGroup) - 1;

  // Bit k set where tags[k] == tag, for k < kGroup.
  static uint32_t MatchTag(const uint8_t* tags, uint8_t tag) {
#if defined(__SSE2__)
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tags));
    return uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(t, _mm_set1_epi8(char(tag)))));
#else
    uint32_t m = 0;
    for (size_t k = 0; k < kGroup; ++k) m |= uint32_t(tags[k] == tag) << k;
    return m;
#endif
  }

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

  // Takes the empty slot i for key (hi, lo).
  static flow::Counters* Insert(Partition* p, size_t i, uint8_t tag, uint64_t hi, uint64_t lo) {
    p->tags[i] = tag;
    GroupEntry& e = p->slots[i];
    e.hi = hi;
    e.lo = lo;
    ++p->size;
    return &e.counters;
  }

  // Doubles the partition's capacity (or maps its first slots) and moves
  // its entries to their homes in the doubled table.
  static void Grow(Partition* p);
  static void Free(Partition* p);

  Partition parts_[kPartitions];
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_GROUP_TABLE_H_
