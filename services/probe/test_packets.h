#ifndef GOPROBE_SERVICES_PROBE_TEST_PACKETS_H_
#define GOPROBE_SERVICES_PROBE_TEST_PACKETS_H_

// Builders for test frames and capture files. Checksums are left zero: the
// parser never looks at them.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::probe::testing {

using Bytes = std::vector<uint8_t>;

// Transport headers followed by `payload` zero bytes.
Bytes Tcp(uint16_t sport, uint16_t dport, uint8_t flags, size_t payload = 0);
Bytes Udp(uint16_t sport, uint16_t dport, size_t payload = 0);
Bytes Icmp(uint8_t type, size_t payload = 0);  // ICMPv4 or ICMPv6 alike

inline constexpr uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kPsh = 0x08;

// An IPv4 packet around `l4`. `fragment_offset` is in 8-byte units.
Bytes Ipv4(absl::string_view src, absl::string_view dst, uint8_t proto, const Bytes& l4,
           uint16_t id = 0, uint16_t fragment_offset = 0, bool more_fragments = false);
// An IPv6 packet; `headers` (extension headers, already chained) come before
// `l4`, and `next` names the first of them (or the transport).
Bytes Ipv6(absl::string_view src, absl::string_view dst, uint8_t next, const Bytes& headers,
           const Bytes& l4);
// IPv6 extension headers. `next` is the header that follows.
Bytes Ipv6Options(uint8_t next, size_t length_units = 0);  // HBH / dest opts, 8*(1+units) bytes
Bytes Ipv6Fragment(uint8_t next, uint16_t offset_units, bool more, uint32_t id);

// Ethernet II around `l3`, with 802.1Q tags (TPIDs in `tags`, e.g. 0x88a8,
// 0x8100) before the ethertype. Short frames are padded to 60 bytes.
Bytes Ethernet(uint16_t ethertype, const Bytes& l3, const std::vector<uint16_t>& tags = {});
Bytes EthernetMpls(const Bytes& l3, int labels);
// Linux cooked headers with a packet type (0 host, 4 outgoing).
Bytes Sll(uint16_t pkttype, uint16_t ethertype, const Bytes& l3);
Bytes Sll2(uint8_t pkttype, uint16_t ethertype, const Bytes& l3);

Bytes Concat(const Bytes& a, const Bytes& b);

struct FilePacket {
  int64_t ts_ns;
  Bytes data;
  uint32_t wire_len = 0;  // 0: the data's length
  uint32_t snaplen = 0;   // 0: everything; else data cut to this many bytes
};

// Writes a classic pcap file (nanosecond magic if `nanosecond`).
absl::Status WritePcap(const std::string& path, int dlt, const std::vector<FilePacket>& packets,
                       bool nanosecond = false);

// A directory under TEST_TMPDIR for one test's files.
std::string TestDir();

}  // namespace goprobe::probe::testing

#endif  // GOPROBE_SERVICES_PROBE_TEST_PACKETS_H_
