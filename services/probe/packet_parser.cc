#include "services/probe/packet_parser.h"

#include <cstring>

#include "lib/flow/flow.h"

namespace goprobe::probe {
namespace {

inline uint16_t Be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline size_t Avail(const uint8_t* p, const uint8_t* end) { return p < end ? size_t(end - p) : 0; }

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint16_t kEtherQinQOld1 = 0x9100;  // pre-802.1ad double tagging
constexpr uint16_t kEtherQinQOld2 = 0x9200;
constexpr uint16_t kEtherMplsUnicast = 0x8847;
constexpr uint16_t kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherPppoeSession = 0x8864;

constexpr int kMaxVlanTags = 8;
constexpr int kMaxMplsLabels = 16;
constexpr int kMaxIpv6Headers = 16;

bool HasPorts(uint8_t proto) { return proto == flow::kProtoTcp || proto == flow::kProtoUdp; }

Direction FromLinuxPacketType(unsigned pkttype) {
  // PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST came
  // in; PACKET_OUTGOING left. Anything else (loopback/fastroute/user) says
  // nothing reliable.
  if (pkttype == 4) return Direction::kOutbound;
  if (pkttype <= 3) return Direction::kInbound;
  return Direction::kUnknown;
}

}  // namespace

ParseResult PacketParser::Parse(const uint8_t* data, size_t caplen, int64_t ts_ns,
                                PacketInfo* out) {
  out->Clear();
  now_ns_ = ts_ns;
  const uint8_t* end = data + caplen;
  switch (link_type_) {
    case LinkType::kEthernet:
      if (caplen < 14) return ParseResult::kMalformed;
      return Ethertype(Be16(data + 12), data + 14, end, out);
    case LinkType::kLinuxSll: {
      if (caplen < 16) return ParseResult::kMalformed;
      out->direction = FromLinuxPacketType(Be16(data));
      const uint16_t hatype = Be16(data + 2);
      if (hatype == 824) return ParseResult::kNotIp;  // ARPHRD_NETLINK: netlink messages
      return Ethertype(Be16(data + 14), data + 16, end, out);
    }
    case LinkType::kLinuxSll2: {
      if (caplen < 20) return ParseResult::kMalformed;
      out->direction = FromLinuxPacketType(data[10]);
      if (Be16(data + 8) == 824) return ParseResult::kNotIp;
      return Ethertype(Be16(data), data + 20, end, out);
    }
    case LinkType::kRawIp:
      return IpByVersion(data, end, out);
    case LinkType::kIpv4:
      return Ipv4(data, end, out);
    case LinkType::kIpv6:
      return Ipv6(data, end, out);
    case LinkType::kNull: {
      if (caplen < 4) return ParseResult::kMalformed;
      // Written in the capturing host's byte order: a family number is small,
      // so a value that only fits when swapped was written big-endian.
      uint32_t family;
      std::memcpy(&family, data, 4);
      if (family > 0xffff) family = __builtin_bswap32(family);
      return Loopback(family, data + 4, end, out);
    }
    case LinkType::kLoop:
      if (caplen < 4) return ParseResult::kMalformed;
      return Loopback(Be32(data), data + 4, end, out);
    case LinkType::kNflog:
      return Nflog(data, end, out);
  }
  return ParseResult::kMalformed;
}

ParseResult PacketParser::Loopback(uint32_t family, const uint8_t* p, const uint8_t* end,
                                   PacketInfo* out) {
  switch (family) {
    case 2:  // AF_INET everywhere
      return Ipv4(p, end, out);
    case 10:  // AF_INET6: Linux
    case 24:  // NetBSD, OpenBSD, BSD/OS
    case 28:  // FreeBSD, DragonFly
    case 30:  // macOS
      return Ipv6(p, end, out);
    default:
      return ParseResult::kNotIp;
  }
}

ParseResult PacketParser::Ethertype(uint16_t ethertype, const uint8_t* p, const uint8_t* end,
                                    PacketInfo* out) {
  for (int tags = 0;; ++tags) {
    switch (ethertype) {
      case kEtherIpv4:
        return Ipv4(p, end, out);
      case kEtherIpv6:
        return Ipv6(p, end, out);
      case kEtherVlan:
      case kEtherQinQ:
      case kEtherQinQOld1:
      case kEtherQinQOld2:
        if (tags >= kMaxVlanTags || Avail(p, end) < 4) return ParseResult::kMalformed;
        ethertype = Be16(p + 2);
        p += 4;
        continue;
      case kEtherMplsUnicast:
      case kEtherMplsMulticast: {
        // Pop labels to the bottom of the stack. MPLS does not say what it
        // carries: IP is recognised by its version nibble, anything else
        // (a pseudowire control word, Ethernet over MPLS) is not IP.
        for (int labels = 0;; ++labels) {
          if (labels >= kMaxMplsLabels || Avail(p, end) < 4) return ParseResult::kMalformed;
          const bool bottom = (p[2] & 1) != 0;
          p += 4;
          if (bottom) break;
        }
        if (Avail(p, end) < 1) return ParseResult::kMalformed;
        const int version = p[0] >> 4;
        if (version == 4) return Ipv4(p, end, out);
        if (version == 6) return Ipv6(p, end, out);
        return ParseResult::kNotIp;
      }
      case kEtherPppoeSession: {
        // 6-byte PPPoE header, then the 2-byte PPP protocol.
        if (Avail(p, end) < 8) return ParseResult::kMalformed;
        const uint16_t ppp = Be16(p + 6);
        p += 8;
        if (ppp == 0x0021) return Ipv4(p, end, out);
        if (ppp == 0x0057) return Ipv6(p, end, out);
        return ParseResult::kNotIp;
      }
      default:
        return ParseResult::kNotIp;
    }
  }
}

ParseResult PacketParser::IpByVersion(const uint8_t* p, const uint8_t* end, PacketInfo* out) {
  if (Avail(p, end) < 1) return ParseResult::kMalformed;
  switch (p[0] >> 4) {
    case 4: return Ipv4(p, end, out);
    case 6: return Ipv6(p, end, out);
    default: return ParseResult::kMalformed;
  }
}

ParseResult PacketParser::Nflog(const uint8_t* p, const uint8_t* end, PacketInfo* out) {
  // nflog header: family, version, resource id; then TLVs whose length and
  // type are in the capturing host's byte order (libpcap swaps foreign
  // files), each padded to 4 bytes. NFULA_PAYLOAD (9) holds the IP packet.
  if (Avail(p, end) < 4) return ParseResult::kMalformed;
  const uint8_t family = p[0];
  p += 4;
  while (Avail(p, end) >= 4) {
    uint16_t tlv_len, tlv_type;
    std::memcpy(&tlv_len, p, 2);
    std::memcpy(&tlv_type, p + 2, 2);
    if (tlv_len < 4) return ParseResult::kMalformed;
    if ((tlv_type & 0x3fff) == 9) {
      const uint8_t* payload = p + 4;
      const uint8_t* payload_end = Avail(p, end) >= tlv_len ? p + tlv_len : end;
      if (family == 2) return Ipv4(payload, payload_end, out);
      if (family == 10) return Ipv6(payload, payload_end, out);
      return IpByVersion(payload, payload_end, out);
    }
    const size_t step = (size_t(tlv_len) + 3) & ~size_t(3);
    if (Avail(p, end) < step) break;
    p += step;
  }
  return ParseResult::kMalformed;
}

void PacketParser::Transport(const uint8_t* l4, const uint8_t* end, PacketInfo* out) {
  const size_t avail = Avail(l4, end);
  switch (out->proto) {
    case flow::kProtoTcp:
      // Flags only from a whole minimal header: a "TCP header" shorter than
      // 20 bytes is garbage (or cut), and garbage flags would orient a flow.
      if (avail >= 20) {
        out->aux = l4[13];
        out->has_aux = true;
      }
      [[fallthrough]];
    case flow::kProtoUdp:
      if (avail >= 4) {
        out->sport = Be16(l4);
        out->dport = Be16(l4 + 2);
      } else {
        out->ports_missing = true;
      }
      return;
    case flow::kProtoIcmp:
    case flow::kProtoIcmpV6:
      if (avail >= 1) {
        out->aux = l4[0];
        out->has_aux = true;
      }
      return;
    default:
      return;
  }
}

void PacketParser::LaterFragment(uint32_t id, PacketInfo* out) {
  if (!HasPorts(out->proto)) return;
  FragmentTable::Ports ports;
  if (fragments_.Lookup(out->is_v4 ? 4 : 16, out->src, out->dst, id, out->proto, now_ns_,
                        &ports)) {
    out->sport = ports.sport;
    out->dport = ports.dport;
  } else {
    out->ports_missing = true;
  }
}

ParseResult PacketParser::Ipv4(const uint8_t* p, const uint8_t* end, PacketInfo* out) {
  if (Avail(p, end) < 20 || (p[0] >> 4) != 4) return ParseResult::kMalformed;
  const size_t ihl = size_t(p[0] & 0x0f) * 4;
  const size_t total = Be16(p + 2);
  if (ihl < 20 || (total != 0 && total < ihl)) return ParseResult::kMalformed;
  out->is_v4 = true;
  out->proto = p[9];
  std::memcpy(out->src, p + 12, 4);
  std::memcpy(out->dst, p + 16, 4);
  // Total length 0 is what TSO/GSO and BIG TCP super-frames carry.
  if (total != 0 && Avail(p, end) > total) end = p + total;

  const uint16_t frag = Be16(p + 6);
  const uint16_t offset = frag & 0x1fff;
  const bool more = (frag & 0x2000) != 0;
  const uint32_t id = Be16(p + 4);
  if (offset != 0) {
    LaterFragment(id, out);
    return ParseResult::kFlow;
  }
  Transport(p + ihl, end, out);
  if (more && HasPorts(out->proto) && !out->ports_missing) {
    fragments_.Insert(4, out->src, out->dst, id, out->proto, {out->sport, out->dport}, now_ns_);
  }
  return ParseResult::kFlow;
}

ParseResult PacketParser::Ipv6(const uint8_t* p, const uint8_t* end, PacketInfo* out) {
  if (Avail(p, end) < 40 || (p[0] >> 4) != 6) return ParseResult::kMalformed;
  out->is_v4 = false;
  std::memcpy(out->src, p + 8, 16);
  std::memcpy(out->dst, p + 24, 16);
  const size_t payload = Be16(p + 4);
  // Payload length 0: a jumbogram (RFC 2675) or a GSO frame; use what is there.
  if (payload != 0 && Avail(p, end) > 40 + payload) end = p + 40 + payload;

  uint8_t next = p[6];
  const uint8_t* q = p + 40;
  bool first_fragment = false;  // of a fragmented datagram (offset 0, more set)
  uint32_t fragment_id = 0;
  for (int headers = 0; headers < kMaxIpv6Headers; ++headers) {
    size_t len;
    switch (next) {
      case 0:    // hop-by-hop options
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140:  // shim6
      case 253:  // experimentation and testing
      case 254:
        if (Avail(q, end) < 8) {
          out->proto = next;  // cannot see past it: the header is all we know
          return ParseResult::kFlow;
        }
        len = (size_t(q[1]) + 1) * 8;
        break;
      case 51:  // AH counts its length in 4-byte units, minus 2
        if (Avail(q, end) < 8) {
          out->proto = next;
          return ParseResult::kFlow;
        }
        len = (size_t(q[1]) + 2) * 4;
        break;
      case 44: {  // fragment
        if (Avail(q, end) < 8) {
          out->proto = next;
          return ParseResult::kFlow;
        }
        const uint16_t offset = Be16(q + 2) & 0xfff8;
        const bool more = (q[3] & 1) != 0;
        fragment_id = Be32(q + 4);
        if (offset != 0) {
          out->proto = q[0];
          LaterFragment(fragment_id, out);
          return ParseResult::kFlow;
        }
        first_fragment = more;
        len = 8;
        break;
      }
      default:
        out->proto = next;
        Transport(q, end, out);
        if (first_fragment && HasPorts(next) && !out->ports_missing) {
          fragments_.Insert(16, out->src, out->dst, fragment_id, next, {out->sport, out->dport},
                            now_ns_);
        }
        return ParseResult::kFlow;
    }
    next = q[0];
    q += len;
  }
  // A chain longer than any real stack: count it under the last header seen.
  out->proto = next;
  return ParseResult::kFlow;
}

}  // namespace goprobe::probe
