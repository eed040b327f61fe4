#include "lib/query/group_table.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <utility>

namespace goprobe::query {
namespace {

constexpr size_t kFirstCapacity = 64;
// Partitions from this many bytes are mapped directly and offered
// transparent huge pages; smaller ones come from malloc.
constexpr size_t kMapBytes = size_t{2} << 20;

// Grows at a load of 5/8: linear probing stays short, and entries are
// large, so a probe usually stays within the line already fetched.
size_t GrowAt(size_t capacity) { return capacity / 8 * 5; }

// Zeroed slots: from mmap, zero pages are free until touched.
GroupEntry* AllocateSlots(size_t capacity) {
  const size_t bytes = capacity * sizeof(GroupEntry);
  if (bytes < kMapBytes) {
    void* p = std::calloc(capacity, sizeof(GroupEntry));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<GroupEntry*>(p);
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);  // advice only: ignored where THP is off
  return static_cast<GroupEntry*>(p);
}

void FreeSlots(GroupEntry* slots, size_t capacity) {
  if (slots == nullptr) return;
  const size_t bytes = capacity * sizeof(GroupEntry);
  if (bytes < kMapBytes) {
    std::free(slots);
  } else {
    munmap(slots, bytes);
  }
}

}  // namespace

GroupTable::~GroupTable() {
  for (Partition& p : parts_) Free(&p);
}

GroupTable::GroupTable(GroupTable&& other) noexcept {
  for (size_t i = 0; i < kPartitions; ++i) std::swap(parts_[i], other.parts_[i]);
}

GroupTable& GroupTable::operator=(GroupTable&& other) noexcept {
  for (size_t i = 0; i < kPartitions; ++i) std::swap(parts_[i], other.parts_[i]);
  return *this;
}

size_t GroupTable::size() const {
  size_t n = 0;
  for (const Partition& p : parts_) n += p.size;
  return n;
}

uint64_t GroupTable::MemoryBytes() const {
  uint64_t n = 0;
  for (const Partition& p : parts_) n += p.capacity * sizeof(GroupEntry);
  return n;
}

void GroupTable::Free(Partition* p) {
  FreeSlots(p->slots, p->capacity);
  *p = Partition();
}

void GroupTable::Reserve(Partition* p, size_t groups) {
  size_t capacity = p->capacity == 0 ? kFirstCapacity : p->capacity;
  while (GrowAt(capacity) <= groups) capacity *= 2;
  if (capacity == p->capacity) return;
  Partition grown;
  grown.slots = AllocateSlots(capacity);
  grown.capacity = capacity;
  grown.mask = capacity - 1;
  grown.grow_at = GrowAt(capacity);
  grown.size = p->size;
  for (size_t i = 0; i < p->capacity; ++i) {
    const GroupEntry& e = p->slots[i];
    if (e.lo == 0) continue;
    size_t j = Hash(e.hi, e.lo) & grown.mask;
    while (grown.slots[j].lo != 0) j = (j + 1) & grown.mask;
    grown.slots[j] = e;
  }
  Free(p);
  *p = grown;
}

void GroupTable::Grow(Partition* p) { Reserve(p, p->size + 1); }

}  // namespace goprobe::query
