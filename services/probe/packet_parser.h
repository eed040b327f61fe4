#ifndef GOPROBE_SERVICES_PROBE_PACKET_PARSER_H_
#define GOPROBE_SERVICES_PROBE_PACKET_PARSER_H_

#include <cstddef>
#include <cstdint>

#include "services/probe/fragment_table.h"
#include "services/probe/link_type.h"
#include "services/probe/packet.h"

namespace goprobe::probe {

// Turns captured frames of one link type into PacketInfo.
//
// Contract:
// - Never reads outside [data, data + caplen), whatever the bytes say, and
//   never allocates.
// - kFlow once the IP addresses and protocol are there; ports and TCP flags
//   or ICMP type are filled in as far as they were captured ("counted from
//   what is there"): ports from the first 4 transport bytes, TCP flags only
//   from a whole 20-byte TCP header. Ports are kept only for TCP and UDP:
//   every other protocol counts under port 0.
// - The IP header's length fields bound the transport header (so Ethernet
//   padding is never read as ports) except where they are 0: IPv4 BIG TCP /
//   GSO frames and IPv6 jumbograms use what was captured.
// - IPv6 extension headers (hop-by-hop, routing, destination options,
//   fragment, AH, mobility, HIP, shim6, experimental) are walked to the
//   transport header. ESP and "no next header" end the walk as the protocol.
// - Fragments: the first fragment's ports are remembered (FragmentTable) and
//   given to the later fragments of the same datagram. A later fragment whose
//   first fragment was not seen counts with ports_missing.
// - kNotIp for well-formed frames that carry no IP; kMalformed for frames cut
//   off or invalid before the IP addresses and protocol.
// - Direction comes from Linux cooked headers (SLL/SLL2 packet type 4 is
//   outgoing, 0-3 incoming); every other framing leaves it kUnknown.
//
// Not thread-safe (the fragment table): one per capture thread.
class PacketParser {
 public:
  explicit PacketParser(LinkType link_type, size_t fragment_capacity = 4096)
      : link_type_(link_type), fragments_(fragment_capacity) {}

  // `ts_ns` is the packet's capture time; it only ages fragment state.
  ParseResult Parse(const uint8_t* data, size_t caplen, int64_t ts_ns, PacketInfo* out);

  LinkType link_type() const { return link_type_; }
  // Fragment state carries over: the same interface, framed differently
  // (offline input reading files of different link types).
  void set_link_type(LinkType link_type) { link_type_ = link_type; }

 private:
  ParseResult Ethertype(uint16_t ethertype, const uint8_t* p, const uint8_t* end, PacketInfo* out);
  ParseResult IpByVersion(const uint8_t* p, const uint8_t* end, PacketInfo* out);
  ParseResult Ipv4(const uint8_t* p, const uint8_t* end, PacketInfo* out);
  ParseResult Ipv6(const uint8_t* p, const uint8_t* end, PacketInfo* out);
  ParseResult Nflog(const uint8_t* p, const uint8_t* end, PacketInfo* out);
  ParseResult Loopback(uint32_t family, const uint8_t* p, const uint8_t* end, PacketInfo* out);
  // Fills ports and TCP flags / ICMP type from a transport header at `l4`.
  static void Transport(const uint8_t* l4, const uint8_t* end, PacketInfo* out);
  // For a later fragment: the ports of its first fragment, if known.
  void LaterFragment(uint32_t id, PacketInfo* out);

  LinkType link_type_;
  FragmentTable fragments_;
  int64_t now_ns_ = 0;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PACKET_PARSER_H_
