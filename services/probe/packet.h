#ifndef GOPROBE_SERVICES_PROBE_PACKET_H_
#define GOPROBE_SERVICES_PROBE_PACKET_H_

#include <cstdint>
#include <cstring>

namespace goprobe::probe {

// Which way a packet crossed the capturing interface, as far as the capture
// can tell. Linux cooked captures (SLL, SLL2) and live capture know it;
// plain Ethernet files do not.
enum class Direction : uint8_t {
  kUnknown = 0,
  kInbound,
  kOutbound,
};

// What the parser extracts from one packet: everything the flow table needs
// and nothing else. Filled in place (no allocation); fields beyond what the
// packet carries are left zero.
struct PacketInfo {
  bool is_v4 = true;
  uint8_t proto = 0;  // the transport protocol, after IPv6 extension headers
  // Source and destination address in network byte order: 4 bytes for IPv4
  // (the other 12 are zero), 16 for IPv6.
  uint8_t src[16] = {};
  uint8_t dst[16] = {};
  // Host byte order. Zero unless proto is TCP or UDP and the ports were
  // captured (or, for a later fragment, remembered from the first one).
  uint16_t sport = 0;
  uint16_t dport = 0;
  // TCP flags or ICMP/ICMPv6 type; meaningful only when has_aux.
  uint8_t aux = 0;
  bool has_aux = false;
  // The transport header was not available: truncated by the snap length, or
  // a fragment whose first fragment was not seen. The packet still counts,
  // under port 0.
  bool ports_missing = false;
  Direction direction = Direction::kUnknown;

  void Clear() { *this = PacketInfo(); }
};

// What became of a packet handed to the parser.
enum class ParseResult : uint8_t {
  kFlow = 0,    // placed: PacketInfo describes its flow
  kNotIp,       // a well-formed frame that carries no IP (ARP, LLDP, STP, ...)
  kMalformed,   // cut off or invalid before the IP addresses and protocol
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PACKET_H_
