#ifndef GOPROBE_LIB_QUERY_AGGREGATION_H_
#define GOPROBE_LIB_QUERY_AGGREGATION_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "lib/flow/flow.h"
#include "lib/godb/block.h"
#include "lib/query/attributes.h"
#include "lib/query/group_table.h"
#include "lib/query/port_proto_sums.h"
#include "lib/query/v6_address_ids.h"

namespace goprobe::query {

// A group's key, as GroupTable stores it: two words.
//   hi = sip << 32 | dip: IPv4 addresses as their host-order values, IPv6
//        addresses as V6AddressIds numbers; zero for unselected attributes
//   lo = kOccupied | kV6 (IPv6 addresses) | dport << 40 | proto << 32 | label
// The label names the row's (interface, time bucket) and is constant over a
// block. Rows of both families share one key when no address is selected.
struct GroupKey {
  static constexpr uint64_t kOccupied = uint64_t{1} << 63;
  static constexpr uint64_t kV6 = uint64_t{1} << 62;

  static uint64_t Lo(bool v6, uint16_t dport, uint8_t proto, uint32_t label) {
    return kOccupied | (v6 ? kV6 : 0) | uint64_t(dport) << 40 | uint64_t(proto) << 32 | label;
  }
  static bool IsV6(uint64_t lo) { return lo & kV6; }
  static uint32_t Sip(uint64_t hi) { return uint32_t(hi >> 32); }
  static uint32_t Dip(uint64_t hi) { return uint32_t(hi); }
  static uint16_t Dport(uint64_t lo) { return uint16_t(lo >> 40); }
  static uint8_t Proto(uint64_t lo) { return uint8_t(lo >> 32); }
  static uint32_t Label(uint64_t lo) { return uint32_t(lo); }
};

// The grouped sums of one query: tables that every scanning thread adds
// to, a partition at a time under that partition's lock. Shared tables
// instead of one per thread mean each group is inserted, grown and
// page-faulted once, and there is nothing to merge after the scan.
//
// A query grouping by addresses alone (sip and/or dip, no port, protocol,
// interface or time) has keys whose second word is one of two values, by
// family: its groups go to two NarrowGroupTables, a third smaller and
// faster to fill than one GroupTable. Any other key, and any group whose
// packet counts outgrow the narrow entry's 32 bits, goes to the wide table.
class Aggregate {
 public:
  explicit Aggregate(AttributeSet attributes);

  // Adds `n` partial sums, all of partition `partition`. Thread-safe.
  void Add(size_t partition, const GroupEntry* sums, size_t n);

  // Heap bytes held by the tables. Thread-safe.
  uint64_t MemoryBytes() const { return memory_.load(std::memory_order_relaxed); }

  // Calls f(const GroupEntry&) once for every group of one partition, with
  // its full key and sums. Not synchronised with Add: call once the scan
  // is over.
  template <typename F>
  void ForEach(size_t partition, F&& f) const {
    for (const NarrowGroupTable* t : {&narrow4_, &narrow6_}) {
      t->ForEach(partition, [&f, lo = t->lo()](const NarrowGroupEntry& e) {
        if (!e.spilled()) f(GroupEntry{e.hi, lo, e.counters()});
      });
    }
    wide_.ForEach(partition, f);
  }
  // Groups held, counted as ForEach visits them. Not synchronised with Add.
  size_t size() const;

 private:
  void AddNarrow(size_t partition, const GroupEntry* sums, size_t n);
  uint64_t PartitionBytes(size_t partition) const;

  const bool narrow_;
  GroupTable wide_;
  NarrowGroupTable narrow4_, narrow6_;
  std::array<absl::Mutex, GroupTable::kPartitions> mu_;
  std::atomic<uint64_t> memory_{0};
};

// One scanning thread's way into the Aggregate: turns a block's rows into
// group keys and stages their counters per partition, so that the shared
// table is locked once per kStaged sums rather than once per row. A row
// whose key equals the previous staged one of its partition is summed into
// it (blocks are stored sorted by address, so runs are common). Adding a
// block allocates nothing once warm.
//
// Without an address attribute, groups are few and popular ones recur in
// every block (port 443, port 53), but not in runs: rows are sorted by
// address. Then a small direct-mapped cache (kCached entries, within L1)
// sums rows first. What it evicts, the long tail of ports, is summed in a
// PortProtoSums, and a group is staged once per label (for most queries,
// once) when the thread flushes, so rows almost never reach the staging
// area or the shared table.
class ScanAggregator {
 public:
  static constexpr size_t kStaged = 128;
  static constexpr int kCachedBits = 9;
  static constexpr size_t kCached = size_t{1} << kCachedBits;

  ScanAggregator(AttributeSet attributes, Aggregate* into);

  // Adds the rows `rows` of `block` (all rows when rows is null) under
  // `label`. The block must hold the address columns if sip or dip is
  // selected, dport/proto if selected, and all four counters. `v6_ids`
  // numbers the block's day dictionary's IPv6 addresses (V6AddressIds); it
  // is read only when an address is selected.
  void Add(const godb::BlockColumns& block, const std::vector<uint32_t>* rows, uint32_t label,
           const std::vector<uint32_t>& v6_ids);
  // Hands every cached and staged sum to the Aggregate; call once the
  // thread is done.
  void Flush();

 private:
  // Add when no address is selected: through the cache. `rows` (n of
  // them) is read only when kRows.
  template <bool kDport, bool kProto, bool kRows>
  void AddCached(const godb::BlockColumns& block, const uint32_t* rows, size_t n, uint32_t label);
  // Add when an address is selected. `rows` (n of them) is read only when
  // kRows.
  template <bool kSip, bool kDip, bool kRows>
  void AddAddressed(const godb::BlockColumns& block, const uint32_t* rows, size_t n,
                    uint32_t label, const uint32_t* v6_ids);
  // AddAddressed over the rows numbered [begin, end), all of one family.
  template <bool kSip, bool kDip, bool kRows, bool kV6>
  void AddFamily(const godb::BlockColumns& block, const uint32_t* rows, size_t begin, size_t end,
                 uint32_t label, const uint32_t* v6_ids);
  // Takes in a cache entry that another key evicts.
  void TakeEvicted(const GroupEntry& e);
  // Empties the cache and evicted_ into the staging area.
  void FlushCached();
  // Adds one row's key and counters to its partition's staging area.
  void Stage(uint64_t hi, uint64_t lo, uint64_t hash, const flow::Counters& c);

  bool sip_, dip_, dport_, proto_;
  Aggregate* into_;
  std::vector<GroupEntry> staged_;  // kStaged per partition
  std::array<uint32_t, GroupTable::kPartitions> count_{};
  // kCached entries when no address is selected, else empty; lo == 0 marks
  // a free entry.
  std::vector<GroupEntry> cached_;
  // With the cache: the sums it evicted, all under cached_label_.
  std::optional<PortProtoSums> evicted_;
  uint32_t cached_label_ = 0;
};

// Runs f(thread, partition) for every GroupTable partition, on `threads`
// threads (the caller's among them), each taking partitions in turn.
void ForEachPartitionInParallel(int threads,
                                const std::function<void(int thread, size_t partition)>& f);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_AGGREGATION_H_
