#include "lib/query/group_table.h"

#include <sys/mman.h>

#include <cstring>
#include <new>
#include <utility>
#include <vector>

namespace goprobe::query {
namespace {

constexpr size_t kFirstCapacity = 64;
constexpr size_t kPageBytes = 4096;
// From this size a partition's mapping is offered transparent huge pages:
// fewer TLB misses for random inserts, and fewer page faults.
constexpr size_t kHugePageBytes = size_t{2} << 20;

// Grows at a load of 5/8: linear probes stay short, so a new key usually
// finds its free slot within the line of tags already fetched.
size_t GrowAt(size_t capacity) { return capacity / 8 * 5; }

template <typename T>
size_t MappedBytes(size_t capacity) {
  return (capacity * sizeof(T) + kPageBytes - 1) / kPageBytes * kPageBytes;
}

// Prepares a partition's mapping of `bytes` whose pages from `fresh` on are
// new. The huge-page advice covers the whole mapping: advice on part of it
// would split it into two kernel mappings, and mremap moves only one.
// Populating makes the fresh pages writable in one call instead of at each
// first touch: a first touch that reads (a probe) would map the shared zero
// page, and the write after it would fault again and flush the TLBs of
// every scanning thread. Both are advice only: they are ignored where THP
// is off, and kernels before 5.14 fault the pages in on use.
void PrepareMapping(char* begin, size_t bytes, size_t fresh) {
  if (bytes >= kHugePageBytes) madvise(begin, bytes, MADV_HUGEPAGE);
  madvise(begin + fresh, bytes - fresh, MADV_POPULATE_WRITE);
}

// A fresh private mapping of zero pages, or MAP_FAILED.
void* MapZeroed(size_t bytes) {
  return mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

// Extends a mapping of old_bytes to bytes, keeping its contents; it may
// move. ThreadSanitizer does not follow mremap: memory it moves keeps the
// shadow state of whatever was mapped at the new address before (another
// partition's slots, guarded by another lock), which TSan then reports as
// races. Under TSan the mapping is therefore copied.
void* GrowMapping(void* old, size_t old_bytes, size_t bytes) {
#if defined(__SANITIZE_THREAD__)
  void* m = MapZeroed(bytes);
  if (m == MAP_FAILED) return m;
  std::memcpy(m, old, old_bytes);
  munmap(old, old_bytes);
  return m;
#else
  return mremap(old, old_bytes, bytes, MREMAP_MAYMOVE);
#endif
}

// An array of `capacity` T in a mapping of its own, grown from `old` (null,
// or `old_capacity` T) with its contents kept. The slots' and tags'
// mappings grow this way (and may move, pages and all), so the old part is
// neither copied nor freed, and only the new part is fresh, zero memory.
template <typename T>
T* GrowArray(T* old, size_t old_capacity, size_t capacity) {
  const size_t old_bytes = old == nullptr ? 0 : MappedBytes<T>(old_capacity);
  const size_t bytes = MappedBytes<T>(capacity);
  void* m = old == nullptr ? MapZeroed(bytes) : GrowMapping(old, old_bytes, bytes);
  if (m == MAP_FAILED) throw std::bad_alloc();
  PrepareMapping(static_cast<char*>(m), bytes, old_bytes);
  return static_cast<T*>(m);
}

}  // namespace

template <typename Entry>
BasicGroupTable<Entry>::~BasicGroupTable() {
  for (Partition& p : parts_) Free(&p);
}

template <typename Entry>
BasicGroupTable<Entry>::BasicGroupTable(BasicGroupTable&& other) noexcept : lo_(other.lo_) {
  for (size_t i = 0; i < kPartitions; ++i) std::swap(parts_[i], other.parts_[i]);
}

template <typename Entry>
BasicGroupTable<Entry>& BasicGroupTable<Entry>::operator=(BasicGroupTable&& other) noexcept {
  std::swap(lo_, other.lo_);
  for (size_t i = 0; i < kPartitions; ++i) std::swap(parts_[i], other.parts_[i]);
  return *this;
}

template <typename Entry>
size_t BasicGroupTable<Entry>::size() const {
  size_t n = 0;
  for (const Partition& p : parts_) n += p.size;
  return n;
}

template <typename Entry>
uint64_t BasicGroupTable<Entry>::MemoryBytes() const {
  uint64_t n = 0;
  for (const Partition& p : parts_) n += p.capacity * (sizeof(Entry) + 1);
  return n;
}

template <typename Entry>
void BasicGroupTable<Entry>::Free(Partition* p) {
  if (p->slots != nullptr) munmap(p->slots, MappedBytes<Entry>(p->capacity));
  if (p->tags != nullptr) munmap(p->tags, MappedBytes<uint8_t>(p->capacity));
  *p = Partition();
}

template <typename Entry>
void BasicGroupTable<Entry>::Grow(Partition* p) {
  static_assert(kFirstCapacity % kGroup == 0, "probes and ForEach read whole groups of tags");
  const size_t old_capacity = p->capacity;
  const size_t capacity = old_capacity == 0 ? kFirstCapacity : old_capacity * 2;
  uint8_t* const tags = GrowArray(p->tags, old_capacity, capacity);
  p->tags = tags;
  Entry* const slots = GrowArray(p->slots, old_capacity, capacity);
  p->slots = slots;
  p->capacity = capacity;
  p->mask = capacity - 1;
  p->grow_at = GrowAt(capacity);
  if (old_capacity == 0) return;

  // Rehash in place. A key's home in the doubled table is its old home h or
  // h + old_capacity, so walking the old slots upwards and reinserting each
  // entry writes along two sequential streams. Walking upwards keeps the
  // probe sequences valid: an entry that stays in the lower half lands at or
  // below the slot it left, among entries already moved, and the upper half
  // holds only moved entries. Two kinds of entry are set aside and inserted
  // once the walk is done: those of the cluster wrapping round the old
  // table's end (they sit below the first free slot, homes near the end),
  // and those whose probe in the upper half would wrap to the bottom, where
  // entries not yet moved still sit.
  std::vector<Entry> later;
  size_t first_free = 0;
  while (tags[first_free] != 0) ++first_free;
  for (size_t i = 0; i < first_free; ++i) {
    later.push_back(slots[i]);
    slots[i] = Entry();
    tags[i] = 0;
  }
  for (size_t i = first_free; i < old_capacity; ++i) {
    const uint8_t tag = tags[i];
    if (tag == 0) continue;
    tags[i] = 0;
    size_t j = HashOf(slots[i]) & p->mask;
    while (j < capacity && tags[j] != 0) ++j;
    if (j == i) {
      tags[i] = tag;
      continue;
    }
    if (j == capacity) {
      later.push_back(slots[i]);
    } else {
      slots[j] = slots[i];
      tags[j] = tag;
    }
    slots[i] = Entry();
  }
  for (const Entry& e : later) {
    const uint64_t hash = HashOf(e);
    size_t j = hash & p->mask;
    while (tags[j] != 0) j = (j + 1) & p->mask;
    slots[j] = e;
    tags[j] = TagOf(hash);
  }
}

template class BasicGroupTable<GroupEntry>;
template class BasicGroupTable<NarrowGroupEntry>;

}  // namespace goprobe::query
