#ifndef GOPROBE_LIB_QUERY_AGGREGATION_H_
#define GOPROBE_LIB_QUERY_AGGREGATION_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "lib/flow/flow.h"
#include "lib/godb/block.h"
#include "lib/query/attributes.h"

namespace goprobe::query {

// Grouping keys. A row's key holds the selected attributes (unselected ones
// are zero) and a label: an opaque number naming its (interface, time
// bucket), constant over a block. IPv4 and IPv6 rows live in separate tables
// so the common IPv4 key stays 16 bytes.
struct V4Key {
  uint32_t sip = 0;
  uint32_t dip = 0;
  uint16_t dport = 0;
  uint8_t proto = 0;
  uint8_t unused = 0;
  uint32_t label = 0;

  friend bool operator==(const V4Key& a, const V4Key& b) {
    return a.sip == b.sip && a.dip == b.dip && a.dport == b.dport && a.proto == b.proto &&
           a.label == b.label;
  }
  template <typename H>
  friend H AbslHashValue(H h, const V4Key& k) {
    return H::combine(std::move(h), uint64_t(k.sip) << 32 | k.dip,
                      uint64_t(k.dport) << 40 | uint64_t(k.proto) << 32 | k.label);
  }
};

struct V6Key {
  absl::uint128 sip = 0;
  absl::uint128 dip = 0;
  uint16_t dport = 0;
  uint8_t proto = 0;
  uint32_t label = 0;

  friend bool operator==(const V6Key& a, const V6Key& b) {
    return a.sip == b.sip && a.dip == b.dip && a.dport == b.dport && a.proto == b.proto &&
           a.label == b.label;
  }
  template <typename H>
  friend H AbslHashValue(H h, const V6Key& k) {
    return H::combine(std::move(h), k.sip, k.dip,
                      uint64_t(k.dport) << 40 | uint64_t(k.proto) << 32 | k.label);
  }
};

// The grouped sums of the rows one scanning thread has seen. Adding a block
// allocates only when the tables grow.
class PartialAggregate {
 public:
  explicit PartialAggregate(AttributeSet attributes);

  // Adds the rows `rows` of `block` (all rows when rows is null) under
  // `label`. The block must hold the address columns if sip or dip is
  // selected, dport/proto if selected, and all four counters.
  void Add(const godb::BlockColumns& block, const std::vector<uint32_t>* rows, uint32_t label);
  // Folds `other` into this one.
  void Merge(PartialAggregate&& other);

  size_t size() const { return v4_.size() + v6_.size(); }
  // Approximate heap bytes held by the tables.
  uint64_t MemoryBytes() const;

  const absl::flat_hash_map<V4Key, flow::Counters>& v4() const { return v4_; }
  const absl::flat_hash_map<V6Key, flow::Counters>& v6() const { return v6_; }

 private:
  bool sip_, dip_, dport_, proto_;
  absl::flat_hash_map<V4Key, flow::Counters> v4_;
  absl::flat_hash_map<V6Key, flow::Counters> v6_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_AGGREGATION_H_
