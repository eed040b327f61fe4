#include "lib/query/aggregation.h"

namespace goprobe::query {

PartialAggregate::PartialAggregate(AttributeSet attributes)
    : sip_(attributes.Has(Attribute::kSip)),
      dip_(attributes.Has(Attribute::kDip)),
      dport_(attributes.Has(Attribute::kDport)),
      proto_(attributes.Has(Attribute::kProto)) {}

void PartialAggregate::Add(const godb::BlockColumns& block, const std::vector<uint32_t>* rows,
                           uint32_t label) {
  const size_t n = rows ? rows->size() : block.rows;
  // Only the columns of selected attributes are touched: the others may hold
  // a previous block's values, since scans reuse their buffers.
  const bool addresses = sip_ || dip_;
  const uint32_t* sip4 = sip_ ? block.sip4.data() : nullptr;
  const uint32_t* dip4 = dip_ ? block.dip4.data() : nullptr;
  const absl::uint128* sip6 = sip_ ? block.sip6.data() : nullptr;
  const absl::uint128* dip6 = dip_ ? block.dip6.data() : nullptr;
  const uint16_t* dport = dport_ ? block.dport.data() : nullptr;
  const uint8_t* proto = proto_ ? block.proto.data() : nullptr;
  const uint64_t* br = block.bytes_rcvd.data();
  const uint64_t* bs = block.bytes_sent.data();
  const uint64_t* pr = block.pkts_rcvd.data();
  const uint64_t* ps = block.pkts_sent.data();
  for (size_t j = 0; j < n; ++j) {
    const uint32_t i = rows ? (*rows)[j] : uint32_t(j);
    flow::Counters* sum;
    if (!addresses || i < block.v4_rows) {
      V4Key k;
      if (addresses) {
        k.sip = sip4 ? sip4[i] : 0;
        k.dip = dip4 ? dip4[i] : 0;
      }
      k.dport = dport ? dport[i] : 0;
      k.proto = proto ? proto[i] : 0;
      k.label = label;
      sum = &v4_[k];
    } else {
      const uint32_t i6 = i - block.v4_rows;
      V6Key k;
      k.sip = sip6 ? sip6[i6] : 0;
      k.dip = dip6 ? dip6[i6] : 0;
      k.dport = dport ? dport[i] : 0;
      k.proto = proto ? proto[i] : 0;
      k.label = label;
      sum = &v6_[k];
    }
    sum->bytes_rcvd += br[i];
    sum->bytes_sent += bs[i];
    sum->pkts_rcvd += pr[i];
    sum->pkts_sent += ps[i];
  }
}

void PartialAggregate::Merge(PartialAggregate&& other) {
  if (other.v4_.size() > v4_.size()) v4_.swap(other.v4_);
  if (other.v6_.size() > v6_.size()) v6_.swap(other.v6_);
  for (const auto& [k, c] : other.v4_) v4_[k] += c;
  for (const auto& [k, c] : other.v6_) v6_[k] += c;
  other.v4_.clear();
  other.v6_.clear();
}

uint64_t PartialAggregate::MemoryBytes() const {
  // Slot plus control byte, at the tables' capacity.
  return v4_.capacity() * (sizeof(V4Key) + sizeof(flow::Counters) + 1) +
         v6_.capacity() * (sizeof(V6Key) + sizeof(flow::Counters) + 1);
}

}  // namespace goprobe::query
