#include "lib/query/aggregation.h"

#include <algorithm>
#include <thread>

#include "absl/base/optimization.h"

namespace goprobe::query {

Aggregate::Aggregate(AttributeSet attributes)
    : narrow_((attributes.Has(Attribute::kSip) || attributes.Has(Attribute::kDip)) &&
              !attributes.Has(Attribute::kDport) && !attributes.Has(Attribute::kProto) &&
              !attributes.Has(Attribute::kIface) && !attributes.Has(Attribute::kTime)),
      narrow4_(GroupKey::Lo(false, 0, 0, 0)),
      narrow6_(GroupKey::Lo(true, 0, 0, 0)) {}

uint64_t Aggregate::PartitionBytes(size_t partition) const {
  return wide_.partition_bytes(partition) + narrow4_.partition_bytes(partition) +
         narrow6_.partition_bytes(partition);
}

size_t Aggregate::size() const {
  size_t n = 0;
  for (size_t p = 0; p < GroupTable::kPartitions; ++p) ForEach(p, [&n](const GroupEntry&) { ++n; });
  return n;
}

void Aggregate::Add(size_t partition, const GroupEntry* sums, size_t n) {
  absl::MutexLock lock(&mu_[partition]);
  const uint64_t bytes_before = PartitionBytes(partition);
  if (narrow_) {
    AddNarrow(partition, sums, n);
  } else {
    // The whole batch's tags, then its entries, are prefetched before the
    // first insert, so the batch's cache misses overlap instead of queueing.
    uint64_t hash[ScanAggregator::kStaged];
    for (size_t begin = 0; begin < n; begin += ScanAggregator::kStaged) {
      const size_t m = std::min(n - begin, ScanAggregator::kStaged);
      for (size_t j = 0; j < m; ++j) {
        hash[j] = GroupTable::Hash(sums[begin + j].hi, sums[begin + j].lo);
        wide_.PrefetchTag(hash[j]);
      }
      for (size_t j = 0; j < m; ++j) wide_.PrefetchSlot(hash[j]);
      for (size_t j = 0; j < m; ++j) {
        const GroupEntry& s = sums[begin + j];
        wide_.FindOrInsert(s.hi, s.lo, hash[j])->counters += s.counters;
      }
    }
  }
  const uint64_t bytes_after = PartitionBytes(partition);
  if (bytes_after != bytes_before) memory_ += bytes_after - bytes_before;
}

// Add for a query keyed by addresses alone, prefetching as Add does.
void Aggregate::AddNarrow(size_t partition, const GroupEntry* sums, size_t n) {
  uint64_t hash[ScanAggregator::kStaged];
  // The narrow table of each sum; null for a key neither holds.
  NarrowGroupTable* table[ScanAggregator::kStaged];
  for (size_t begin = 0; begin < n; begin += ScanAggregator::kStaged) {
    const size_t m = std::min(n - begin, ScanAggregator::kStaged);
    for (size_t j = 0; j < m; ++j) {
      const GroupEntry& s = sums[begin + j];
      hash[j] = GroupTable::Hash(s.hi, s.lo);
      table[j] = s.lo == narrow4_.lo() ? &narrow4_ : s.lo == narrow6_.lo() ? &narrow6_ : nullptr;
      if (table[j] != nullptr) table[j]->PrefetchTag(hash[j]);
    }
    for (size_t j = 0; j < m; ++j) {
      if (table[j] != nullptr) table[j]->PrefetchSlot(hash[j]);
    }
    for (size_t j = 0; j < m; ++j) {
      const GroupEntry& s = sums[begin + j];
      NarrowGroupEntry* e =
          table[j] == nullptr ? nullptr : table[j]->FindOrInsert(s.hi, s.lo, hash[j]);
      if (ABSL_PREDICT_TRUE(e != nullptr && e->Add(s.counters))) continue;
      // The group moves to the wide table, its sums so far with it, and
      // stays there; its narrow entry is left marked.
      flow::Counters& wide = wide_.FindOrInsert(s.hi, s.lo, hash[j])->counters;
      if (e != nullptr && !e->spilled()) {
        wide += e->counters();
        e->MarkSpilled();
      }
      wide += s.counters;
    }
  }
}

ScanAggregator::ScanAggregator(AttributeSet attributes, Aggregate* into)
    : sip_(attributes.Has(Attribute::kSip)),
      dip_(attributes.Has(Attribute::kDip)),
      dport_(attributes.Has(Attribute::kDport)),
      proto_(attributes.Has(Attribute::kProto)),
      into_(into),
      staged_(GroupTable::kPartitions * kStaged),
      cached_(sip_ || dip_ ? 0 : kCached) {
  if (!cached_.empty()) evicted_.emplace(proto_);
}

// Inlined into the per-row loops: a call per row was measurable.
inline __attribute__((always_inline)) void ScanAggregator::Stage(uint64_t hi, uint64_t lo,
                                                                 uint64_t hash,
                                                                 const flow::Counters& c) {
  const size_t p = GroupTable::PartitionOf(hash);
  GroupEntry* const stage = &staged_[p * kStaged];
  uint32_t& count = count_[p];
  if (count > 0 && stage[count - 1].hi == hi && stage[count - 1].lo == lo) {
    stage[count - 1].counters += c;
    return;
  }
  if (count == kStaged) {
    into_->Add(p, stage, kStaged);
    count = 0;
  }
  stage[count++] = {hi, lo, c};
}

// Out of line, so that the cache's hit path keeps its columns in registers.
__attribute__((noinline)) void ScanAggregator::TakeEvicted(const GroupEntry& e) {
  if (!evicted_->Add(GroupKey::Dport(e.lo), GroupKey::Proto(e.lo), e.counters)) {
    Stage(0, e.lo, GroupTable::Hash(0, e.lo), e.counters);
  }
}

void ScanAggregator::FlushCached() {
  for (GroupEntry& e : cached_) {
    if (e.lo != 0) TakeEvicted(e);
    e = GroupEntry{};
  }
  evicted_->DrainAll([this](uint16_t dport, uint8_t proto, const flow::Counters& sums) {
    const uint64_t lo = GroupKey::Lo(false, dport, proto, cached_label_);
    Stage(0, lo, GroupTable::Hash(0, lo), sums);
  });
}

template <bool kDport, bool kProto, bool kRows>
void ScanAggregator::AddCached(const godb::BlockColumns& block, const uint32_t* rows, size_t n,
                               uint32_t label) {
  const uint64_t base = GroupKey::Lo(false, 0, 0, label);
  const uint16_t* dport = block.dport.data();
  const uint8_t* proto = block.proto.data();
  const uint64_t* br = block.bytes_rcvd.data();
  const uint64_t* bs = block.bytes_sent.data();
  const uint64_t* pr = block.pkts_rcvd.data();
  const uint64_t* ps = block.pkts_sent.data();
  GroupEntry* const cached = cached_.data();
  for (size_t j = 0; j < n; ++j) {
    const uint32_t i = kRows ? rows[j] : uint32_t(j);
    const uint64_t lo = base | (kDport ? uint64_t(dport[i]) << 40 : 0) |
                        (kProto ? uint64_t(proto[i]) << 32 : 0);
    // Keys without addresses have hi = 0, and a multiplicative hash of lo
    // is enough to pick a slot; the table's hash is paid on eviction only.
    GroupEntry& e = cached[(lo * 0x9e3779b97f4a7c15ull) >> (64 - kCachedBits)];
    if (ABSL_PREDICT_TRUE(e.lo == lo)) {
      e.counters.bytes_rcvd += br[i];
      e.counters.bytes_sent += bs[i];
      e.counters.pkts_rcvd += pr[i];
      e.counters.pkts_sent += ps[i];
      continue;
    }
    if (e.lo != 0) TakeEvicted(e);
    e = {0, lo, {br[i], bs[i], pr[i], ps[i]}};
  }
}

void ScanAggregator::Add(const godb::BlockColumns& block, const std::vector<uint32_t>* rows,
                         uint32_t label, const std::vector<uint32_t>& v6_ids) {
  if (!cached_.empty()) {
    // The evicted sums are keyed without their label, so they and the
    // cache hold one label's sums at a time.
    if (label != cached_label_) {
      FlushCached();
      cached_label_ = label;
    }
    const uint32_t* r = rows ? rows->data() : nullptr;
    const size_t n = rows ? rows->size() : block.rows;
    // One loop per combination, so that the row loop tests nothing but its
    // key.
    switch ((dport_ ? 4 : 0) | (proto_ ? 2 : 0) | (rows ? 1 : 0)) {
      case 0: return AddCached<false, false, false>(block, r, n, label);
      case 1: return AddCached<false, false, true>(block, r, n, label);
      case 2: return AddCached<false, true, false>(block, r, n, label);
      case 3: return AddCached<false, true, true>(block, r, n, label);
      case 4: return AddCached<true, false, false>(block, r, n, label);
      case 5: return AddCached<true, false, true>(block, r, n, label);
      case 6: return AddCached<true, true, false>(block, r, n, label);
      default: return AddCached<true, true, true>(block, r, n, label);
    }
  }
  // From here on sip or dip is selected.
  const uint32_t* r = rows ? rows->data() : nullptr;
  const size_t n = rows ? rows->size() : block.rows;
  switch ((sip_ ? 4 : 0) | (dip_ ? 2 : 0) | (rows ? 1 : 0)) {
    case 2: return AddAddressed<false, true, false>(block, r, n, label, v6_ids.data());
    case 3: return AddAddressed<false, true, true>(block, r, n, label, v6_ids.data());
    case 4: return AddAddressed<true, false, false>(block, r, n, label, v6_ids.data());
    case 5: return AddAddressed<true, false, true>(block, r, n, label, v6_ids.data());
    case 6: return AddAddressed<true, true, false>(block, r, n, label, v6_ids.data());
    case 7: return AddAddressed<true, true, true>(block, r, n, label, v6_ids.data());
  }
}

template <bool kSip, bool kDip, bool kRows>
void ScanAggregator::AddAddressed(const godb::BlockColumns& block, const uint32_t* rows, size_t n,
                                  uint32_t label, const uint32_t* v6_ids) {
  // A block's IPv4 rows come first, and selected rows are in ascending
  // order, so each family is one range with a loop of its own.
  const size_t v4_end = kRows ? size_t(std::lower_bound(rows, rows + n, block.v4_rows) - rows)
                              : std::min<size_t>(n, block.v4_rows);
  AddFamily<kSip, kDip, kRows, false>(block, rows, 0, v4_end, label, v6_ids);
  AddFamily<kSip, kDip, kRows, true>(block, rows, v4_end, n, label, v6_ids);
}

template <bool kSip, bool kDip, bool kRows, bool kV6>
void ScanAggregator::AddFamily(const godb::BlockColumns& block, const uint32_t* rows,
                               size_t begin, size_t end, uint32_t label,
                               const uint32_t* v6_ids) {
  // Only the columns of selected attributes are touched: the others may hold
  // a previous block's values, since scans reuse their buffers.
  const uint32_t v4_rows = block.v4_rows;
  const uint32_t* sip = kV6 ? block.sip6_index.data() : block.sip4.data();
  const uint32_t* dip = kV6 ? block.dip6_index.data() : block.dip4.data();
  const uint16_t* dport = dport_ ? block.dport.data() : nullptr;
  const uint8_t* proto = proto_ ? block.proto.data() : nullptr;
  const uint64_t* br = block.bytes_rcvd.data();
  const uint64_t* bs = block.bytes_sent.data();
  const uint64_t* pr = block.pkts_rcvd.data();
  const uint64_t* ps = block.pkts_sent.data();
  const uint64_t base = GroupKey::Lo(kV6, 0, 0, label);
  for (size_t j = begin; j < end; ++j) {
    const uint32_t i = kRows ? rows[j] : uint32_t(j);
    const uint32_t a = kV6 ? i - v4_rows : i;
    // IPv6 addresses are keyed by their V6AddressIds numbers.
    const uint64_t s = kSip ? (kV6 ? v6_ids[sip[a]] : sip[a]) : 0;
    const uint64_t d = kDip ? (kV6 ? v6_ids[dip[a]] : dip[a]) : 0;
    const uint64_t hi = s << 32 | d;
    const uint64_t lo = base | (dport ? uint64_t(dport[i]) << 40 : 0) |
                        (proto ? uint64_t(proto[i]) << 32 : 0);
    Stage(hi, lo, GroupTable::Hash(hi, lo), {br[i], bs[i], pr[i], ps[i]});
  }
}

void ScanAggregator::Flush() {
  if (!cached_.empty()) FlushCached();
  for (size_t p = 0; p < GroupTable::kPartitions; ++p) {
    if (count_[p] > 0) into_->Add(p, &staged_[p * kStaged], count_[p]);
    count_[p] = 0;
  }
}

void ForEachPartitionInParallel(int threads,
                                const std::function<void(int thread, size_t partition)>& f) {
  std::atomic<size_t> next{0};
  const auto work = [&](int thread) {
    for (size_t p; (p = next.fetch_add(1)) < GroupTable::kPartitions;) f(thread, p);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
}

}  // namespace goprobe::query
