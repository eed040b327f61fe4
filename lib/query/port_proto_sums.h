#ifndef GOPROBE_LIB_QUERY_PORT_PROTO_SUMS_H_
#define GOPROBE_LIB_QUERY_PORT_PROTO_SUMS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/functional/function_ref.h"
#include "lib/flow/flow.h"

namespace goprobe::query {

// Sums keyed by (dport, proto) alone, each key at a fixed slot of one dense
// array (4 MiB): at most 2 x 65536 TCP and UDP ports, and one key per other
// protocol, whose port is 0. Adding costs no hashing, probing or locking,
// which is what a scanning thread needs for the long tail of ports (every
// ephemeral port of every client) that its small cache keeps evicting.
// About 5 MiB whatever the data, not counted in a query's memory limit
// (which bounds what grows with the data). One thread's; not thread-safe.
class PortProtoSums {
 public:
  // Slots: a port range each for TCP and UDP, one slot each for the rest.
  static constexpr uint32_t kPortSlots = 65536;
  static constexpr uint32_t kSlots = 2 * kPortSlots + 256;

  // Receives drained sums, one call per key.
  using Drain =
      absl::FunctionRef<void(uint16_t dport, uint8_t proto, const flow::Counters& sums)>;

  // With `proto` false, keys never hold a protocol (every proto is 0), and
  // the port range belongs to protocol 0.
  explicit PortProtoSums(bool proto);

  // Adds c to key (dport, proto), or returns false, adding nothing, for a
  // key without a slot: a port on a protocol other than TCP and UDP (SCTP,
  // say). The slot is prefetched now and summed kPending calls later, by
  // when it is in cache: a random slot of 4 MiB is a cache miss, and the
  // scan goes on meanwhile.
  bool Add(uint16_t dport, uint8_t proto, const flow::Counters& c) {
    const Range range = ranges_[proto];
    if (ABSL_PREDICT_FALSE(dport > range.span)) return false;
    const uint32_t slot = range.base + dport;
    __builtin_prefetch(&sums_[slot], 1);
    Pending& next = pending_[added_ % kPending];
    if (added_ >= kPending) Sum(next);
    next = {slot, c};
    ++added_;
    return true;
  }

  // Hands every held key's sums to drain, once per key and in the order the
  // keys were first added, and holds none after. A key added only with
  // all-zero counters is drained too: its rows count as hits.
  void DrainAll(Drain drain);

 private:
  // A protocol's keys live at slots base + dport, for dport <= span.
  struct Range {
    uint32_t base = 0;
    uint32_t span = 0;
  };
  static constexpr uint64_t kPending = 16;
  struct Pending {
    uint32_t slot;
    flow::Counters c;
  };

  void Sum(const Pending& p) {
    flow::Counters& s = sums_[p.slot];
    // A slot with all-zero sums may still hold a key (rows with zero
    // counters); Touch keeps used_ free of repeats.
    if (ABSL_PREDICT_FALSE((s.bytes_rcvd | s.bytes_sent | s.pkts_rcvd | s.pkts_sent) == 0)) {
      Touch(p.slot);
    }
    s += p.c;
  }
  void Touch(uint32_t slot);
  static flow::Counters* MapSlots();

  // The protocols that own a whole port range: TCP and UDP, or 0 alone.
  uint8_t wide_[2];
  Range ranges_[256];
  // kSlots, on transparent huge pages where the system offers them: with
  // 4 KiB pages nearly every slot of the tail is also a TLB miss.
  struct Unmap {
    void operator()(flow::Counters* p) const;
  };
  std::unique_ptr<flow::Counters[], Unmap> sums_;
  std::vector<uint8_t> touched_;  // kSlots; whether the slot is in used_
  std::vector<uint32_t> used_;    // slots holding a key; capacity kSlots
  // Adds not yet summed: the last min(added_, kPending), a ring.
  Pending pending_[kPending];
  uint64_t added_ = 0;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_PORT_PROTO_SUMS_H_
