#include "services/probe/classify.h"

#include "lib/flow/flow.h"

namespace goprobe::probe {
namespace {

constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpAck = 0x10;

bool IsBroadcastOrMulticast(const PacketInfo& p) {
  if (p.is_v4) {
    const uint8_t* d = p.dst;
    return (d[0] & 0xf0) == 0xe0 || (d[0] == 0xff && d[1] == 0xff && d[2] == 0xff && d[3] == 0xff);
  }
  return p.dst[0] == 0xff;  // IPv6 has no broadcast, only multicast ff00::/8
}

bool FlipByPorts(uint16_t sport, uint16_t dport) {
  const bool sport_eph = IsEphemeralPort(sport);
  const bool dport_eph = IsEphemeralPort(dport);
  if (sport_eph != dport_eph) return sport_eph ? false : true;
  // Both of one kind: the lower port is the server's.
  return sport < dport;
}

}  // namespace

bool ShouldFlip(const PacketInfo& p) {
  switch (p.proto) {
    case flow::kProtoTcp:
      if (p.has_aux && (p.aux & kTcpSyn)) return (p.aux & kTcpAck) != 0;
      return FlipByPorts(p.sport, p.dport);
    case flow::kProtoUdp:
      if (IsBroadcastOrMulticast(p)) return false;
      return FlipByPorts(p.sport, p.dport);
    case flow::kProtoIcmp:
      if (!p.has_aux) return false;
      switch (p.aux) {
        case 0:    // echo reply
        case 3:    // destination unreachable
        case 11:   // time exceeded
        case 12:   // parameter problem
        case 14:   // timestamp reply
          return true;
        default:
          return false;
      }
    case flow::kProtoIcmpV6:
      if (IsBroadcastOrMulticast(p) || !p.has_aux) return false;
      switch (p.aux) {
        case 129:  // echo reply
        case 1:    // destination unreachable
        case 3:    // time exceeded
        case 4:    // parameter problem
          return true;
        default:
          return false;
      }
    default:
      return false;
  }
}

}  // namespace goprobe::probe
