#include "services/probe/fragment_table.h"

#include <cstring>

#include "services/probe/hash.h"

namespace goprobe::probe {

FragmentTable::FragmentTable(size_t capacity, int64_t timeout_ns)
    : sets_(capacity < kWays ? 1 : (capacity + kWays - 1) / kWays), timeout_ns_(timeout_ns) {
  entries_.resize(sets_ * kWays);
  for (Entry& e : entries_) e.addr_len = 0;
}

size_t FragmentTable::SetOf(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id,
                            uint8_t proto) const {
  uint64_t h = HashBytes(src, addr_len, id);
  h = HashBytes(dst, addr_len, h ^ proto);
  return static_cast<size_t>(Mix64(h) % sets_);
}

bool FragmentTable::Matches(const Entry& e, int addr_len, const uint8_t* src, const uint8_t* dst,
                            uint32_t id, uint8_t proto) {
  return e.addr_len == addr_len && e.id == id && e.proto == proto &&
         std::memcmp(e.src, src, addr_len) == 0 && std::memcmp(e.dst, dst, addr_len) == 0;
}

void FragmentTable::Insert(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id,
                           uint8_t proto, Ports ports, int64_t now_ns) {
  Entry* set = &entries_[SetOf(addr_len, src, dst, id, proto) * kWays];
  // The same datagram again (a retransmitted first fragment), else a free
  // way, else the way seen longest ago.
  Entry* victim = nullptr;
  for (size_t w = 0; w < kWays && victim == nullptr; ++w) {
    if (Matches(set[w], addr_len, src, dst, id, proto)) victim = &set[w];
  }
  for (size_t w = 0; w < kWays && victim == nullptr; ++w) {
    if (set[w].addr_len == 0) victim = &set[w];
  }
  if (victim == nullptr) {
    victim = &set[0];
    for (size_t w = 1; w < kWays; ++w) {
      if (set[w].seen_ns < victim->seen_ns) victim = &set[w];
    }
  }
  std::memcpy(victim->src, src, addr_len);
  std::memcpy(victim->dst, dst, addr_len);
  victim->id = id;
  victim->proto = proto;
  victim->addr_len = static_cast<uint8_t>(addr_len);
  victim->ports = ports;
  victim->seen_ns = now_ns;
}

bool FragmentTable::Lookup(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id,
                           uint8_t proto, int64_t now_ns, Ports* ports) const {
  const Entry* set = &entries_[SetOf(addr_len, src, dst, id, proto) * kWays];
  for (size_t w = 0; w < kWays; ++w) {
    const Entry& e = set[w];
    if (!Matches(e, addr_len, src, dst, id, proto)) continue;
    // Packet time may step backwards in a capture file; only age counts.
    if (now_ns - e.seen_ns > timeout_ns_) return false;
    *ports = e.ports;
    return true;
  }
  return false;
}

}  // namespace goprobe::probe
