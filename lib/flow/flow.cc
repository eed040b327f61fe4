#include "lib/flow/flow.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

namespace {

struct NamedProto {
  const char* name;
  uint8_t number;
};

// ProtoName's names first, then IANA keywords (protocol-numbers registry and
// /etc/protocols spellings) users are likely to type. Matched ignoring case.
constexpr NamedProto kProtoNames[] = {
    {"icmp", 1},
    {"igmp", 2},
    {"ipip", 4},
    {"tcp", 6},
    {"udp", 17},
    {"ipv6", 41},
    {"gre", 47},
    {"esp", 50},
    {"ah", 51},
    {"icmpv6", 58},
    {"ospf", 89},
    {"pim", 103},
    {"vrrp", 112},
    {"sctp", 132},
    {"hopopt", 0},
    {"ggp", 3},
    {"ipencap", 4},
    {"ipv4", 4},
    {"st", 5},
    {"egp", 8},
    {"igp", 9},
    {"pup", 12},
    {"hmp", 20},
    {"xns-idp", 22},
    {"rdp", 27},
    {"iso-tp4", 29},
    {"dccp", 33},
    {"xtp", 36},
    {"ddp", 37},
    {"idpr-cmtp", 38},
    {"ipv6-route", 43},
    {"ipv6-frag", 44},
    {"idrp", 45},
    {"rsvp", 46},
    {"ipv6-icmp", 58},
    {"ipv6-nonxt", 59},
    {"ipv6-opts", 60},
    {"rspf", 73},
    {"vmtp", 81},
    {"eigrp", 88},
    {"ospfigp", 89},
    {"ax.25", 93},
    {"etherip", 97},
    {"encap", 98},
    {"ipcomp", 108},
    {"l2tp", 115},
    {"isis", 124},
    {"fc", 133},
    {"mobility-header", 135},
    {"udplite", 136},
    {"mpls-in-ip", 137},
    {"manet", 138},
    {"hip", 139},
    {"shim6", 140},
    {"wesp", 141},
    {"rohc", 142},
    {"ethernet", 143},
};

}  // namespace

absl::StatusOr<uint8_t> ParseProto(absl::string_view text) {
  bool numeric = !text.empty();
  unsigned value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) {
      numeric = false;
      break;
    }
    // Saturate instead of overflowing: "0006" is 6, "99999999999" is too big.
    value = std::min(value * 10 + unsigned(c - '0'), 256u);
  }
  if (numeric) {
    if (value <= 255) return uint8_t(value);
    return absl::InvalidArgumentError(
        absl::StrCat("protocol number ", text, " is out of range (0..255)"));
  }
  for (const NamedProto& p : kProtoNames) {
    if (absl::EqualsIgnoreCase(text, p.name)) return p.number;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown protocol \"", absl::CHexEscape(text),
      "\": use a name such as tcp, udp, icmp, icmpv6, gre, esp, sctp, or a number 0..255"));
}

}  // namespace goprobe::flow
