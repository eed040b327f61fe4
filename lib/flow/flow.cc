#include "lib/flow/flow.h"

namespace goprobe::flow {

std::string ProtoName(uint8_t proto) {
  // The protocols goQuery names; anything else prints as its number.
  switch (proto) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPIP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 89: return "OSPF";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 132: return "SCTP";
    default: return std::to_string(proto);
  }
}

}  // namespace goprobe::flow
