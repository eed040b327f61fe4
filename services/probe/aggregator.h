#ifndef GOPROBE_SERVICES_PROBE_AGGREGATOR_H_
#define GOPROBE_SERVICES_PROBE_AGGREGATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "services/probe/flow_table.h"
#include "services/probe/link_type.h"
#include "services/probe/packet_parser.h"

namespace goprobe::probe {

// What one interface's capture saw during one window, beyond its flows.
struct WindowStats {
  uint64_t packets = 0;          // handed over by the capture
  uint64_t bytes = 0;            // their wire lengths
  uint64_t not_ip = 0;           // well-formed frames without IP (ARP, LLDP, ...)
  uint64_t malformed = 0;        // cut off or invalid before the IP addresses
  uint64_t untracked = 0;        // IP packets of conversations over the flow cap
  uint64_t ports_missing = 0;    // TCP/UDP counted under port 0 (truncated, orphan fragment)
  uint64_t dropped_kernel = 0;   // live capture: lost in the kernel's buffer
  uint64_t dropped_iface = 0;    // live capture: lost by the interface/driver

  WindowStats& operator+=(const WindowStats& o);
  // Packets that are in no flow: what goDB and the wire call "malformed"
  // (captured but not placeable in any flow).
  uint64_t unplaced() const { return not_ip + malformed; }
};

struct AggregatorOptions {
  FlowTableOptions table;
  size_t fragment_capacity = 4096;
};

// One closed window of one interface: the block to store or ship.
struct ClosedWindow {
  int64_t block_time = 0;
  WindowStats stats;
  std::unique_ptr<WindowSnapshot> flows;
};

// Everything between captured frames and five-minute windows for one
// interface: parser, fragment table, flow table and the window's counters.
// The capture thread calls Add and EndWindow; the ClosedWindow it gets may be
// drained on another thread (FlowTable's rules).
class Aggregator {
 public:
  Aggregator(LinkType link_type, AggregatorOptions options = {});

  // Counts one captured frame: `caplen` bytes at `data` of a `wire_len`-byte
  // packet captured at `ts_ns` (unix nanoseconds). `data` need not outlive
  // the call. Parsing happens at once; the flow table is updated a few
  // packets later (in order), so that the table's memory can be fetched
  // ahead: Flush() or EndWindow() completes every pending update.
  //
  // `direction` is what the capture knows beyond the frame (a live capture
  // split by direction); kUnknown leaves it to the framing.
  void Add(int64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t wire_len,
           Direction direction = Direction::kUnknown) {
    ++stats_.packets;
    stats_.bytes += wire_len;
    if (pending_ == kDepth) Retire();
    Pending& e = ring_[(head_ + pending_) & (kDepth - 1)];
    switch (parser_.Parse(data, caplen, ts_ns, &e.info)) {
      case ParseResult::kFlow:
        break;
      case ParseResult::kNotIp:
        ++stats_.not_ip;
        return;
      case ParseResult::kMalformed:
        ++stats_.malformed;
        return;
    }
    if (e.info.ports_missing) ++stats_.ports_missing;
    if (direction != Direction::kUnknown) e.info.direction = direction;
    e.wire_len = wire_len;
    e.hash = table_.Hash(e.info);
    table_.PrefetchSlot(e.info, e.hash);
    // Half the ring behind, the slot should be in cache: fetch the entry.
    if (pending_ >= kDepth / 2) {
      const Pending& m = ring_[(head_ + pending_ - kDepth / 2) & (kDepth - 1)];
      table_.PrefetchEntry(m.info, m.hash);
    }
    ++pending_;
  }

  // Completes the flow table updates of every packet added so far.
  void Flush() {
    while (pending_ > 0) Retire();
  }

  // Counts a frame the capture could not frame at all (a pcapng interface of
  // a link type the parser does not read): not placeable, like non-IP.
  void AddUnframed(uint32_t wire_len) {
    ++stats_.packets;
    stats_.bytes += wire_len;
    ++stats_.not_ip;
  }

  // Switches framing (offline input reading files of different link types);
  // flows and fragment state carry on.
  void set_link_type(LinkType link_type) { parser_.set_link_type(link_type); }
  LinkType link_type() const { return parser_.link_type(); }

  // Adds live capture drop counts to the current window.
  void AddDrops(uint64_t kernel, uint64_t iface) {
    stats_.dropped_kernel += kernel;
    stats_.dropped_iface += iface;
  }

  // Closes the current window as the block at `block_time` (flushing first).
  ClosedWindow EndWindow(int64_t block_time);

  // The current window so far (FlowTable::CurrentWindow), after completing
  // pending updates; the window stays open.
  FlowTable::WindowSoFar CurrentWindow(std::vector<flow::FlowRow>* rows) {
    Flush();
    return table_.CurrentWindow(rows);
  }

  const WindowStats& current() const { return stats_; }
  size_t conversations() const { return table_.conversations(); }

 private:
  // Packets parsed but not yet in the table. A power of two.
  static constexpr size_t kDepth = 16;
  struct Pending {
    PacketInfo info;
    uint32_t wire_len = 0;
    uint64_t hash = 0;
  };

  void Retire() {
    const Pending& e = ring_[head_];
    if (table_.Add(e.info, e.wire_len, e.hash) == FlowTable::AddResult::kUntracked) {
      ++stats_.untracked;
    }
    head_ = (head_ + 1) & (kDepth - 1);
    --pending_;
  }

  PacketParser parser_;
  FlowTable table_;
  Pending ring_[kDepth];
  size_t head_ = 0;
  size_t pending_ = 0;
  WindowStats stats_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_AGGREGATOR_H_
