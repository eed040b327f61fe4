#include "lib/query/aggregation.h"

#include <algorithm>
#include <thread>

namespace goprobe::query {

void Aggregate::Add(size_t partition, const GroupEntry* sums, size_t n) {
  uint64_t hash[ScanAggregator::kStaged];
  absl::MutexLock lock(&mu_[partition]);
  const uint64_t bytes_before = table_.partition_bytes(partition);
  // The whole batch's tags, then its entries, are prefetched before the
  // first insert, so the batch's cache misses overlap instead of queueing.
  for (size_t begin = 0; begin < n; begin += ScanAggregator::kStaged) {
    const size_t m = std::min(n - begin, ScanAggregator::kStaged);
    for (size_t j = 0; j < m; ++j) {
      hash[j] = GroupTable::Hash(sums[begin + j].hi, sums[begin + j].lo);
      table_.PrefetchTag(hash[j]);
    }
    for (size_t j = 0; j < m; ++j) table_.PrefetchSlot(hash[j]);
    for (size_t j = 0; j < m; ++j) {
      const GroupEntry& s = sums[begin + j];
      *table_.FindOrInsert(s.hi, s.lo, hash[j]) += s.counters;
    }
  }
  const uint64_t bytes_after = table_.partition_bytes(partition);
  if (bytes_after != bytes_before) memory_ += bytes_after - bytes_before;
}

ScanAggregator::ScanAggregator(AttributeSet attributes, Aggregate* into)
    : sip_(attributes.Has(Attribute::kSip)),
      dip_(attributes.Has(Attribute::kDip)),
      dport_(attributes.Has(Attribute::kDport)),
      proto_(attributes.Has(Attribute::kProto)),
      into_(into),
      staged_(GroupTable::kPartitions * kStaged),
      cached_(sip_ || dip_ ? 0 : kCached) {}

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

void ScanAggregator::AddCached(const godb::BlockColumns& block, const std::vector<uint32_t>* rows,
                               uint32_t label) {
  const size_t n = rows ? rows->size() : block.rows;
  const uint64_t base = GroupKey::Lo(false, 0, 0, label);
  const uint16_t* dport = block.dport.data();
  const uint8_t* proto = block.proto.data();
  const uint64_t* br = block.bytes_rcvd.data();
  const uint64_t* bs = block.bytes_sent.data();
  const uint64_t* pr = block.pkts_rcvd.data();
  const uint64_t* ps = block.pkts_sent.data();
  for (size_t j = 0; j < n; ++j) {
    const uint32_t i = rows ? (*rows)[j] : uint32_t(j);
    const uint64_t lo =
        base | (dport_ ? uint64_t(dport[i]) << 40 : 0) | (proto_ ? uint64_t(proto[i]) << 32 : 0);
    // Keys without addresses have hi = 0, and a multiplicative hash of lo
    // is enough to pick a slot; the table's hash is paid on eviction only.
    GroupEntry& e = cached_[(lo * 0x9e3779b97f4a7c15ull) >> (64 - kCachedBits)];
    if (e.lo == lo) {
      e.counters.bytes_rcvd += br[i];
      e.counters.bytes_sent += bs[i];
      e.counters.pkts_rcvd += pr[i];
      e.counters.pkts_sent += ps[i];
      continue;
    }
    if (e.lo != 0) Stage(0, e.lo, GroupTable::Hash(0, e.lo), e.counters);
    e = {0, lo, {br[i], bs[i], pr[i], ps[i]}};
  }
}

void ScanAggregator::Add(const godb::BlockColumns& block, const std::vector<uint32_t>* rows,
                         uint32_t label, const std::vector<uint32_t>& v6_ids) {
  if (!cached_.empty()) {
    AddCached(block, rows, label);
    return;
  }
  // From here on sip or dip is selected.
  const size_t n = rows ? rows->size() : block.rows;
  // Only the columns of selected attributes are touched: the others may hold
  // a previous block's values, since scans reuse their buffers.
  const uint32_t v4_rows = block.v4_rows;
  const uint32_t* sip4 = block.sip4.data();
  const uint32_t* dip4 = block.dip4.data();
  const uint32_t* sip6 = block.sip6_index.data();
  const uint32_t* dip6 = block.dip6_index.data();
  const uint32_t* ids = v6_ids.data();
  const uint16_t* dport = block.dport.data();
  const uint8_t* proto = block.proto.data();
  const uint64_t* br = block.bytes_rcvd.data();
  const uint64_t* bs = block.bytes_sent.data();
  const uint64_t* pr = block.pkts_rcvd.data();
  const uint64_t* ps = block.pkts_sent.data();
  for (size_t j = 0; j < n; ++j) {
    const uint32_t i = rows ? (*rows)[j] : uint32_t(j);
    uint64_t hi;
    const bool v6 = i >= v4_rows;
    if (!v6) {
      hi = uint64_t(sip_ ? sip4[i] : 0) << 32 | (dip_ ? dip4[i] : 0);
    } else {
      const uint32_t i6 = i - v4_rows;
      const uint64_t s = sip_ ? ids[sip6[i6]] : 0;
      const uint64_t d = dip_ ? ids[dip6[i6]] : 0;
      hi = s << 32 | d;
    }
    const uint64_t lo = GroupKey::Lo(v6, dport_ ? dport[i] : 0, proto_ ? proto[i] : 0, label);
    Stage(hi, lo, GroupTable::Hash(hi, lo), {br[i], bs[i], pr[i], ps[i]});
  }
}

void ScanAggregator::Flush() {
  for (GroupEntry& e : cached_) {
    if (e.lo != 0) Stage(e.hi, e.lo, GroupTable::Hash(e.hi, e.lo), e.counters);
    e = GroupEntry{};
  }
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
