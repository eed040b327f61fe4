#ifndef GOPROBE_LIB_QUERY_GROUP_TABLE_H_
#define GOPROBE_LIB_QUERY_GROUP_TABLE_H_

// The hash table a scanning thread sums its groups in: open addressing with
// linear probing over entries that hold the key and the four counters
// inline, split by the hash's top bits into kPartitions independent tables.
// Two entry layouts: GroupEntry (48 bytes, a two-word key) and
// NarrowGroupEntry (32 bytes) for tables whose keys all share their second
// word, as the keys of a query grouping by addresses alone do.
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
// Entries are the unit of memory traffic: an insert into a large table
// fetches a line of tags and the entry's line or lines. A 48-byte entry
// straddles two lines half the time, a 32-byte one never; on the
// benchmark's address queries the narrow layout took 15% (cond443) and 22%
// (talkers) off the whole query (docs/BENCHMARKS.md, fourth round).
//
// Not thread-safe; distinct partitions may be used from distinct threads.

#include <cstddef>
#include <cstdint>
#include <type_traits>

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

// The entry of a table whose keys all have the same second word (the
// table's `lo`): the first word and the counters, packet counters in 32
// bits. Add refuses what would take a packet counter to kSpilled or past
// it; the caller then keeps the group elsewhere (in a table of GroupEntry)
// and marks the entry spilled, which makes every later Add refuse too.
struct NarrowGroupEntry {
  static constexpr uint32_t kSpilled = UINT32_MAX;

  uint64_t hi;
  uint64_t bytes_rcvd;
  uint64_t bytes_sent;
  uint32_t pkts_rcvd;
  uint32_t pkts_sent;

  // Adds c, or returns false and changes nothing.
  bool Add(const flow::Counters& c) {
    const uint64_t r = uint64_t{pkts_rcvd} + c.pkts_rcvd;
    const uint64_t s = uint64_t{pkts_sent} + c.pkts_sent;
    // A spilled entry fails here too: its pkts_rcvd is already kSpilled.
    if (r >= kSpilled || s >= kSpilled) return false;
    bytes_rcvd += c.bytes_rcvd;
    bytes_sent += c.bytes_sent;
    pkts_rcvd = uint32_t(r);
    pkts_sent = uint32_t(s);
    return true;
  }
  bool spilled() const { return pkts_rcvd == kSpilled; }
  void MarkSpilled() { pkts_rcvd = kSpilled; }
  flow::Counters counters() const { return {bytes_rcvd, bytes_sent, pkts_rcvd, pkts_sent}; }
};
static_assert(sizeof(NarrowGroupEntry) == 32, "two narrow entries to a cache line");

// Partitioning and hashing, the same for both layouts.
struct GroupPartitioning {
  // 64 partitions: few enough that a partition reaches huge-page size early
  // in a large query, enough that scanning threads rarely wait on the same
  // partition's lock.
  static constexpr int kPartitionBits = 6;
  static constexpr size_t kPartitions = size_t{1} << kPartitionBits;

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
};

// Entry is GroupEntry, keyed by (hi, lo), or NarrowGroupEntry, keyed by hi
// alone: the table's `lo` is every key's second word, and callers pass it
// (and hash with it) as for a two-word key.
template <typename Entry>
class BasicGroupTable : public GroupPartitioning {
 public:
  static constexpr bool kNarrow = std::is_same_v<Entry, NarrowGroupEntry>;

  // `lo`: the second word of every key of a narrow table; unused otherwise.
  explicit BasicGroupTable(uint64_t lo = 0) : lo_(lo) {}
  ~BasicGroupTable();
  BasicGroupTable(BasicGroupTable&& other) noexcept;
  BasicGroupTable& operator=(BasicGroupTable&& other) noexcept;
  BasicGroupTable(const BasicGroupTable&) = delete;
  BasicGroupTable& operator=(const BasicGroupTable&) = delete;

  // The second word of every key of a narrow table.
  uint64_t lo() const { return lo_; }

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
    // Wide entries are 48 bytes, so half of them straddle two cache lines.
    const char* e = reinterpret_cast<const char*>(&p.slots[i]);
    __builtin_prefetch(e, 1);
    if (!kNarrow) __builtin_prefetch(e + sizeof(Entry) - 1, 1);
  }

  // The entry of key (hi, lo), its counters zero when it is new. `hash` is
  // Hash(hi, lo); in a narrow table, lo must be lo().
  Entry* FindOrInsert(uint64_t hi, uint64_t lo, uint64_t hash) {
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
        Entry& e = p.slots[i + size_t(__builtin_ctz(match))];
        if (Matches(e, hi, lo)) return &e;
      }
      if (empty != 0) return Insert(&p, i + size_t(__builtin_ctz(empty)), tag, hi, lo);
      i = (i + kGroup) & p.mask;
    }
    // The last slots of the partition, one by one, wrapping to its start.
    for (;; i = (i + 1) & p.mask) {
      const uint8_t t = p.tags[i];
      if (t == tag) {
        Entry& e = p.slots[i];
        if (Matches(e, hi, lo)) return &e;
      } else if (t == 0) {
        return Insert(&p, i, tag, hi, lo);
      }
    }
  }

  size_t size() const;
  size_t partition_size(size_t partition) const { return parts_[partition].size; }
  uint64_t partition_bytes(size_t partition) const {
    return parts_[partition].capacity * (sizeof(Entry) + 1);
  }
  // Bytes held by the slots and their tags.
  uint64_t MemoryBytes() const;

  // Calls f(const Entry&) for every entry of one partition.
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
    Entry* slots = nullptr;
    size_t mask = 0;
    size_t capacity = 0;
    size_t size = 0;
    size_t grow_at = 0;  // size at which the next insert grows the partition
  };

  static bool Matches(const Entry& e, uint64_t hi, uint64_t lo) {
    if constexpr (kNarrow) {
      return e.hi == hi;
    } else {
      return e.lo == lo && e.hi == hi;
    }
  }
  uint64_t HashOf(const Entry& e) const {
    if constexpr (kNarrow) {
      return Hash(e.hi, lo_);
    } else {
      return Hash(e.hi, e.lo);
    }
  }

  // Takes the empty slot i for key (hi, lo).
  static Entry* Insert(Partition* p, size_t i, uint8_t tag, uint64_t hi, uint64_t lo) {
    p->tags[i] = tag;
    Entry& e = p->slots[i];
    e.hi = hi;
    if constexpr (!kNarrow) e.lo = lo;
    ++p->size;
    return &e;
  }

  // Doubles the partition's capacity (or maps its first slots) and moves
  // its entries to their homes in the doubled table.
  void Grow(Partition* p);
  static void Free(Partition* p);

  uint64_t lo_;
  Partition parts_[kPartitions];
};

using GroupTable = BasicGroupTable<GroupEntry>;
using NarrowGroupTable = BasicGroupTable<NarrowGroupEntry>;

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_GROUP_TABLE_H_
