#ifndef GOPROBE_LIB_QUERY_ATTRIBUTES_H_
#define GOPROBE_LIB_QUERY_ATTRIBUTES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::query {

// What a query groups by. The first four are flow attributes (goDB columns);
// the rest are labels a row carries: the interface, the (possibly coarsened)
// block time, and the host it was captured on.
enum class Attribute : uint8_t { kSip, kDip, kDport, kProto, kIface, kTime, kHost, kHostId };

// A set of attributes, in goQuery's display order (time, host, hostid,
// iface, sip, dip, dport, proto) whatever order they were given in.
class AttributeSet {
 public:
  AttributeSet() = default;
  AttributeSet& Add(Attribute a) {
    bits_ |= uint16_t(1u << uint8_t(a));
    return *this;
  }
  bool Has(Attribute a) const { return bits_ & (1u << uint8_t(a)); }
  bool empty() const { return bits_ == 0; }
  // The attributes in display order.
  std::vector<Attribute> InDisplayOrder() const;
  friend bool operator==(AttributeSet a, AttributeSet b) { return a.bits_ == b.bits_; }

 private:
  uint16_t bits_ = 0;
};

// "sip", "dip", "dport", "proto", "iface", "time", "host", "hostid".
absl::string_view AttributeName(Attribute a);

// Parses goQuery's query argument: comma-separated attribute names, aliases
// (src = sip, dst = dip, port = dport) and presets (talk_conv = sip,dip;
// talk_src = sip; talk_dst = dip; apps_port = dport,proto; agg_talk_port =
// sip,dip,dport,proto; raw = time,iface,sip,dip,dport,proto), in any order
// and case. InvalidArgument names an unknown word and lists the valid ones.
absl::StatusOr<AttributeSet> ParseAttributes(absl::string_view text);

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_ATTRIBUTES_H_
