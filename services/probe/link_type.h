#ifndef GOPROBE_SERVICES_PROBE_LINK_TYPE_H_
#define GOPROBE_SERVICES_PROBE_LINK_TYPE_H_

#include <string>

#include "absl/status/statusor.h"

namespace goprobe::probe {

// The link-layer framings the parser understands. Several libpcap DLT values
// map to one framing (raw IP has four numbers across platforms and files).
enum class LinkType {
  kEthernet,   // DLT_EN10MB (1): 802.1Q/802.1ad/QinQ tags, MPLS and PPPoE skipped
  kLinuxSll,   // DLT_LINUX_SLL (113): carries the packet's direction
  kLinuxSll2,  // DLT_LINUX_SLL2 (276): likewise
  kRawIp,      // DLT_RAW (12 or 14), LINKTYPE_RAW (101): version from the first nibble
  kIpv4,       // DLT_IPV4 (228)
  kIpv6,       // DLT_IPV6 (229)
  kNull,       // DLT_NULL (0): 4-byte address family in the capturing host's byte order
  kLoop,       // DLT_LOOP (108): the same in network byte order
  kNflog,      // DLT_NFLOG (239): Linux netfilter log, IP payload in a TLV
};

// The framing of a libpcap DLT value; InvalidArgument naming the DLT (and its
// libpcap name where known) for anything else.
absl::StatusOr<LinkType> LinkTypeFromDlt(int dlt);

std::string LinkTypeName(LinkType type);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LINK_TYPE_H_
