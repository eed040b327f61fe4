#ifndef GOPROBE_LIB_FLOW_FLOW_H_
#define GOPROBE_LIB_FLOW_FLOW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/flow/ip_address.h"

namespace goprobe::flow {

// IANA protocol numbers the flow model treats specially.
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpV6 = 58;

// What identifies a flow (goProbe v4): sip is the client, dip the server,
// dport the server's port (0 for protocols without ports). The source port is
// not part of the key. sip and dip always have the same family.
struct FlowKey {
  IpAddress sip;
  IpAddress dip;
  uint16_t dport = 0;
  uint8_t proto = 0;

  bool is_v4() const { return sip.is_v4(); }

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    return a.dport == b.dport && a.proto == b.proto && a.sip == b.sip && a.dip == b.dip;
  }
  friend bool operator!=(const FlowKey& a, const FlowKey& b) { return !(a == b); }
  // The order goDB stores rows in: IPv4 before IPv6, then sip, dip, dport, proto.
  friend bool operator<(const FlowKey& a, const FlowKey& b) {
    if (a.sip != b.sip) return a.sip < b.sip;
    if (a.dip != b.dip) return a.dip < b.dip;
    if (a.dport != b.dport) return a.dport < b.dport;
    return a.proto < b.proto;
  }
  template <typename H>
  friend H AbslHashValue(H h, const FlowKey& k) {
    return H::combine(std::move(h), k.sip, k.dip, k.dport, k.proto);
  }
};

// Traffic counters from the capturing host's view: "sent" is what left it.
// Bytes are wire lengths, L2 header included.
struct Counters {
  uint64_t bytes_rcvd = 0;
  uint64_t bytes_sent = 0;
  uint64_t pkts_rcvd = 0;
  uint64_t pkts_sent = 0;

  Counters& operator+=(const Counters& o) {
    bytes_rcvd += o.bytes_rcvd;
    bytes_sent += o.bytes_sent;
    pkts_rcvd += o.pkts_rcvd;
    pkts_sent += o.pkts_sent;
    return *this;
  }
  friend bool operator==(const Counters& a, const Counters& b) {
    return a.bytes_rcvd == b.bytes_rcvd && a.bytes_sent == b.bytes_sent &&
           a.pkts_rcvd == b.pkts_rcvd && a.pkts_sent == b.pkts_sent;
  }
  friend bool operator!=(const Counters& a, const Counters& b) { return !(a == b); }
};

// One flow of one five-minute interval.
struct FlowRow {
  FlowKey key;
  Counters counters;

  friend bool operator==(const FlowRow& a, const FlowRow& b) {
    return a.key == b.key && a.counters == b.counters;
  }
};

// "TCP", "UDP", "ICMP", "ICMPv6", ... or the number as text.
std::string ProtoName(uint8_t proto);

// The inverse of ProtoName, for what users type: a protocol name in any case
// (every name ProtoName prints, and IANA's keywords for other common
// protocols, e.g. "tcp", "ICMPv6", "ipv6-icmp", "esp", "l2tp") or a decimal
// number 0..255. InvalidArgument naming the text otherwise.
absl::StatusOr<uint8_t> ParseProto(absl::string_view text);

}  // namespace goprobe::flow

#endif  // GOPROBE_LIB_FLOW_FLOW_H_
