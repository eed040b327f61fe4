#ifndef GOPROBE_SERVICES_PROBE_FLOW_TABLE_H_
#define GOPROBE_SERVICES_PROBE_FLOW_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "lib/flow/flow.h"
#include "services/probe/packet.h"

namespace goprobe::probe {

struct FlowTableOptions {
  // Conversations tracked at once (IPv4 and IPv6 together). A packet that
  // would start one more is counted as untracked instead. Memory grows with
  // the conversations actually seen, not with this cap.
  size_t max_flows = size_t{1} << 22;
};

class WindowSnapshot;
struct V4Key;  // conversation keys, defined in flow_table.cc
struct V6Key;

// One interface's flows of the current five-minute window.
//
// The table tracks conversations: (client, server, client port, server port,
// protocol), oriented when first seen by ShouldFlip (classify.h) and counting
// the packets of both directions. A window's rows merge the conversations
// that share a goProbe flow key (sip = client, dip = server, dport = server
// port, proto), so sport never reaches the rows but each connection is still
// oriented on its own.
//
// Counters: a packet the capture saw leave is "sent", one it saw arrive
// "received"; where the capture cannot tell (Direction::kUnknown), packets
// from the client count as sent and packets from the server as received.
//
// Windows and hand-off: EndWindow() closes the window in O(1) and counting
// goes on immediately; the closed window is drained by a WindowSnapshot on
// another thread while packets keep arriving. A conversation keeps its
// orientation while it has packets in every window; one that was idle for a
// whole window leaves the table (its memory is reclaimed gradually), and if it
// comes back it is oriented afresh, exactly as if it had been removed at the
// window's end. So results depend only on the packets and the window
// boundaries, never on thread timing.
//
// Threads: Add, EndWindow and the accessors belong to one capture thread. A
// snapshot may be drained on any one other thread. EndWindow blocks while the
// previous window's snapshot is neither drained nor destroyed (a writer a
// whole window behind). Snapshots must be gone before the table is destroyed
// (the destructor waits for them).
//
// No allocation per packet: memory is taken in chunks of 16384
// conversations, and for the open-addressing index when it doubles.
class FlowTable {
 public:
  enum class AddResult { kCounted, kUntracked };

  explicit FlowTable(FlowTableOptions options = {});
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Counts one packet of `wire_len` bytes. kUntracked when it would start a
  // new conversation and max_flows are tracked already.
  AddResult Add(const PacketInfo& packet, uint32_t wire_len) {
    return Add(packet, wire_len, Hash(packet));
  }

  // For callers that pipeline packets to hide memory latency: the hash of
  // the packet's conversation (the same for both directions), hints that
  // bring its index slot and then its entry into the cache, and Add with the
  // hash already computed. The hints have no effect on results.
  uint64_t Hash(const PacketInfo& packet) const;
  void PrefetchSlot(const PacketInfo& packet, uint64_t hash) const;
  void PrefetchEntry(const PacketInfo& packet, uint64_t hash) const;
  AddResult Add(const PacketInfo& packet, uint32_t wire_len, uint64_t hash);

  // Closes the current window; everything counted since the previous call
  // is in the returned snapshot.
  std::unique_ptr<WindowSnapshot> EndWindow();

  // The current window so far, without closing it: appends its flows to
  // *rows when `rows` is not null (one per conversation, unsorted: use
  // SortAndMergeRows), and returns the sum of their counters and how many
  // conversations have packets in it. Capture thread only; reads the table
  // in O(conversations), allocating only what *rows grows by.
  struct WindowSoFar {
    flow::Counters traffic;
    size_t conversations = 0;
  };
  WindowSoFar CurrentWindow(std::vector<flow::FlowRow>* rows) const;

  // Conversations held now (including idle ones not yet reclaimed).
  size_t conversations() const;
  const FlowTableOptions& options() const { return options_; }

  // The per-family tables; defined in flow_table.cc.
  template <typename Key>
  class Family;

 private:
  friend class WindowSnapshot;

  void Release();
  bool HaveRoom();

  FlowTableOptions options_;
  std::unique_ptr<Family<V4Key>> v4_;
  std::unique_ptr<Family<V6Key>> v6_;
  // Window number: 1 for the first window. A conversation is idle when its
  // last packet came before the previous window.
  uint32_t epoch_ = 1;

  absl::Mutex mu_;
  bool snapshot_outstanding_ ABSL_GUARDED_BY(mu_) = false;
};

// The counts of one closed window, readable on another thread.
class WindowSnapshot {
 public:
  ~WindowSnapshot();
  WindowSnapshot(const WindowSnapshot&) = delete;
  WindowSnapshot& operator=(const WindowSnapshot&) = delete;

  // Appends the window's flows to *rows in goDB order (IPv4 first, then by
  // sip, dip, dport, proto), one row per flow key, and gives the window's
  // storage back to the table. Call at most once.
  void Drain(std::vector<flow::FlowRow>* rows);

 private:
  friend class FlowTable;
  WindowSnapshot(FlowTable* table, int parity, size_t v4_size, size_t v6_size)
      : table_(table), parity_(parity), v4_size_(v4_size), v6_size_(v6_size) {}

  FlowTable* table_;
  int parity_;
  size_t v4_size_;
  size_t v6_size_;
  bool drained_ = false;
};

// Sorts rows into goDB order and merges rows with equal keys.
void SortAndMergeRows(std::vector<flow::FlowRow>* rows, size_t from = 0);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_FLOW_TABLE_H_
