#ifndef GOPROBE_SERVICES_PROBE_CLASSIFY_H_
#define GOPROBE_SERVICES_PROBE_CLASSIFY_H_

#include <cstdint>

#include "services/probe/packet.h"

namespace goprobe::probe {

// goProbe v4's orientation heuristics, applied to the first packet of a
// conversation the flow table does not know yet. True means the packet
// travels server -> client, so the flow's client (sip) is the packet's
// destination; false means the packet's source is the client.
//
// In order:
// - TCP with flags: SYN-ACK flips, SYN keeps.
// - UDP to a broadcast or multicast address keeps (the sender is the client).
// - ICMP: echo/timestamp request keeps; echo/timestamp reply, destination
//   unreachable, time exceeded and parameter problem flip (their sender
//   answers someone). ICMPv6 likewise (echo request 128 keeps; 129, 1, 3, 4
//   flip), and ICMPv6 to a multicast address keeps.
// - TCP and UDP otherwise by ports: the non-ephemeral port (below 32768, port
//   0 counting as ephemeral) is the server's; between two ports of the same
//   kind the lower one is. Equal ports keep.
// - Anything else keeps: the first packet seen comes from the client.
//
// Deliberately wider than goProbe v4: v4 treats only 224.0.0.0/23 and
// 255.255.255.255 as multicast/broadcast, this treats all of 224.0.0.0/4.
bool ShouldFlip(const PacketInfo& packet);

// A port from the range clients pick their source ports from (or 0).
inline bool IsEphemeralPort(uint16_t port) { return port >= 32768 || port == 0; }

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_CLASSIFY_H_
