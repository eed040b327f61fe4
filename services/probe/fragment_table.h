#ifndef GOPROBE_SERVICES_PROBE_FRAGMENT_TABLE_H_
#define GOPROBE_SERVICES_PROBE_FRAGMENT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace goprobe::probe {

// Remembers the transport ports of recent first fragments so the later
// fragments of the same datagram (which carry no transport header) count
// in the same flow.
//
// A datagram is identified as the kernel does it: (source, destination,
// identification, protocol). The table is bounded: a fixed number of
// entries in 4-way sets, the oldest entry of a set giving way to a new one,
// and an entry older than `timeout_ns` of packet time never matching. So
// memory is constant whatever an attacker sends, and a later fragment whose
// first fragment was evicted, expired or never seen is simply not found.
//
// Not thread-safe: one per capture thread.
class FragmentTable {
 public:
  struct Ports {
    uint16_t sport = 0;
    uint16_t dport = 0;
  };

  // `capacity` is rounded up to a multiple of the set size (at least one set).
  explicit FragmentTable(size_t capacity = 4096, int64_t timeout_ns = 30'000'000'000);

  // Records the ports of a first fragment seen at `now_ns`. `addr_len` is 4
  // or 16; `src` and `dst` point at that many bytes.
  void Insert(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id, uint8_t proto,
              Ports ports, int64_t now_ns);

  // The ports of the datagram's first fragment, if it was seen within the
  // timeout and is still remembered.
  bool Lookup(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id, uint8_t proto,
              int64_t now_ns, Ports* ports) const;

  size_t capacity() const { return entries_.size(); }

 private:
  static constexpr size_t kWays = 4;

  struct Entry {
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t id;
    uint8_t proto;
    uint8_t addr_len;  // 0: empty
    Ports ports;
    int64_t seen_ns;
  };

  size_t SetOf(int addr_len, const uint8_t* src, const uint8_t* dst, uint32_t id,
               uint8_t proto) const;
  static bool Matches(const Entry& e, int addr_len, const uint8_t* src, const uint8_t* dst,
                      uint32_t id, uint8_t proto);

  std::vector<Entry> entries_;
  size_t sets_;
  int64_t timeout_ns_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_FRAGMENT_TABLE_H_
