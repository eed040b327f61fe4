#include "lib/query/port_proto_sums.h"

#include <sys/mman.h>

#include <new>

namespace goprobe::query {

namespace {
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr size_t kSlotBytes = PortProtoSums::kSlots * sizeof(flow::Counters);
}  // namespace

flow::Counters* PortProtoSums::MapSlots() {
  void* m = mmap(nullptr, kSlotBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  madvise(m, kSlotBytes, MADV_HUGEPAGE);
  return static_cast<flow::Counters*>(m);  // zero pages: all sums 0
}

void PortProtoSums::Unmap::operator()(flow::Counters* p) const { munmap(p, kSlotBytes); }

PortProtoSums::PortProtoSums(bool proto)
    : wide_{proto ? kTcp : uint8_t{0}, kUdp}, sums_(MapSlots()), touched_(kSlots) {
  for (uint32_t p = 0; p < 256; ++p) ranges_[p] = {2 * kPortSlots + p, 0};
  ranges_[wide_[0]] = {0, kPortSlots - 1};
  if (proto) ranges_[kUdp] = {kPortSlots, kPortSlots - 1};
  used_.reserve(kSlots);
}

void PortProtoSums::Touch(uint32_t slot) {
  if (touched_[slot]) return;
  touched_[slot] = 1;
  used_.push_back(slot);
}

void PortProtoSums::DrainAll(Drain drain) {
  for (uint64_t k = added_ > kPending ? added_ - kPending : 0; k < added_; ++k) {
    Sum(pending_[k % kPending]);
  }
  added_ = 0;
  for (uint32_t slot : used_) {
    uint16_t dport = 0;
    uint8_t proto;
    if (slot < 2 * kPortSlots) {
      dport = uint16_t(slot % kPortSlots);
      proto = wide_[slot / kPortSlots];
    } else {
      proto = uint8_t(slot - 2 * kPortSlots);
    }
    drain(dport, proto, sums_[slot]);
    sums_[slot] = flow::Counters{};
    touched_[slot] = 0;
  }
  used_.clear();
}

}  // namespace goprobe::query
