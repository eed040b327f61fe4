#include "services/probe/link_type.h"

#include <pcap/pcap.h>

#include "absl/strings/str_cat.h"

namespace goprobe::probe {

absl::StatusOr<LinkType> LinkTypeFromDlt(int dlt) {
  switch (dlt) {
    case 0: return LinkType::kNull;
    case 1: return LinkType::kEthernet;
    // 12 is DLT_RAW almost everywhere, 14 on OpenBSD; 101 is the file value.
    case 12:
    case 14:
    case 101: return LinkType::kRawIp;
    case 108: return LinkType::kLoop;
    case 113: return LinkType::kLinuxSll;
    case 228: return LinkType::kIpv4;
    case 229: return LinkType::kIpv6;
    case 239: return LinkType::kNflog;
    case 276: return LinkType::kLinuxSll2;
    default: break;
  }
  const char* name = pcap_datalink_val_to_name(dlt);
  return absl::InvalidArgumentError(absl::StrCat(
      "link type ", dlt, name ? absl::StrCat(" (", name, ")") : std::string(),
      " is not supported (Ethernet, Linux SLL/SLL2, raw IPv4/IPv6, BSD loopback and NFLOG are)"));
}

std::string LinkTypeName(LinkType type) {
  switch (type) {
    case LinkType::kEthernet: return "EN10MB";
    case LinkType::kLinuxSll: return "LINUX_SLL";
    case LinkType::kLinuxSll2: return "LINUX_SLL2";
    case LinkType::kRawIp: return "RAW";
    case LinkType::kIpv4: return "IPV4";
    case LinkType::kIpv6: return "IPV6";
    case LinkType::kNull: return "NULL";
    case LinkType::kLoop: return "LOOP";
    case LinkType::kNflog: return "NFLOG";
  }
  return "unknown";
}

}  // namespace goprobe::probe
