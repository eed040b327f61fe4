#include "services/probe/test_packets.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace goprobe::probe::testing {
namespace {

void Put16(Bytes* b, size_t at, uint16_t v) {
  (*b)[at] = uint8_t(v >> 8);
  (*b)[at + 1] = uint8_t(v);
}

void PutAddr(Bytes* b, size_t at, absl::string_view text, int family) {
  uint8_t buf[16];
  const std::string s(text);
  if (inet_pton(family, s.c_str(), buf) != 1) std::abort();
  std::memcpy(b->data() + at, buf, family == AF_INET ? 4 : 16);
}

}  // namespace

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes Tcp(uint16_t sport, uint16_t dport, uint8_t flags, size_t payload) {
  Bytes b(20 + payload, 0);
  Put16(&b, 0, sport);
  Put16(&b, 2, dport);
  b[12] = 5 << 4;
  b[13] = flags;
  return b;
}

Bytes Udp(uint16_t sport, uint16_t dport, size_t payload) {
  Bytes b(8 + payload, 0);
  Put16(&b, 0, sport);
  Put16(&b, 2, dport);
  Put16(&b, 4, uint16_t(8 + payload));
  return b;
}

Bytes Icmp(uint8_t type, size_t payload) {
  Bytes b(8 + payload, 0);
  b[0] = type;
  return b;
}

Bytes Ipv4(absl::string_view src, absl::string_view dst, uint8_t proto, const Bytes& l4,
           uint16_t id, uint16_t fragment_offset, bool more_fragments) {
  Bytes b(20, 0);
  b[0] = 0x45;
  Put16(&b, 2, uint16_t(20 + l4.size()));
  Put16(&b, 4, id);
  Put16(&b, 6, uint16_t((more_fragments ? 0x2000 : 0) | (fragment_offset & 0x1fff)));
  b[8] = 64;
  b[9] = proto;
  PutAddr(&b, 12, src, AF_INET);
  PutAddr(&b, 16, dst, AF_INET);
  return Concat(b, l4);
}

Bytes Ipv6(absl::string_view src, absl::string_view dst, uint8_t next, const Bytes& headers,
           const Bytes& l4) {
  Bytes b(40, 0);
  b[0] = 0x60;
  Put16(&b, 4, uint16_t(headers.size() + l4.size()));
  b[6] = next;
  b[7] = 64;
  PutAddr(&b, 8, src, AF_INET6);
  PutAddr(&b, 24, dst, AF_INET6);
  return Concat(Concat(b, headers), l4);
}

Bytes Ipv6Options(uint8_t next, size_t length_units) {
  Bytes b(8 * (1 + length_units), 0);
  b[0] = next;
  b[1] = uint8_t(length_units);
  b[2] = 1;  // PadN filling the rest
  b[3] = uint8_t(b.size() - 4);
  return b;
}

Bytes Ipv6Fragment(uint8_t next, uint16_t offset_units, bool more, uint32_t id) {
  Bytes b(8, 0);
  b[0] = next;
  Put16(&b, 2, uint16_t(offset_units << 3 | (more ? 1 : 0)));
  b[4] = uint8_t(id >> 24);
  b[5] = uint8_t(id >> 16);
  b[6] = uint8_t(id >> 8);
  b[7] = uint8_t(id);
  return b;
}

Bytes Ethernet(uint16_t ethertype, const Bytes& l3, const std::vector<uint16_t>& tags) {
  Bytes b(12, 0);
  for (size_t i = 0; i < 6; ++i) {
    b[i] = uint8_t(0x02 + i);
    b[6 + i] = uint8_t(0x12 + i);
  }
  for (uint16_t tpid : tags) {
    b.push_back(uint8_t(tpid >> 8));
    b.push_back(uint8_t(tpid));
    b.push_back(0x00);
    b.push_back(0x2a);  // VLAN 42
  }
  b.push_back(uint8_t(ethertype >> 8));
  b.push_back(uint8_t(ethertype));
  b = Concat(b, l3);
  if (b.size() < 60) b.resize(60, 0);
  return b;
}

Bytes EthernetMpls(const Bytes& l3, int labels) {
  Bytes stack;
  for (int i = 0; i < labels; ++i) {
    const uint32_t label = 100 + i;
    stack.push_back(uint8_t(label >> 12));
    stack.push_back(uint8_t(label >> 4));
    stack.push_back(uint8_t((label & 0xf) << 4 | (i == labels - 1 ? 1 : 0)));
    stack.push_back(64);
  }
  return Ethernet(0x8847, Concat(stack, l3));
}

Bytes Sll(uint16_t pkttype, uint16_t ethertype, const Bytes& l3) {
  Bytes b(16, 0);
  Put16(&b, 0, pkttype);
  Put16(&b, 2, 1);  // ARPHRD_ETHER
  Put16(&b, 4, 6);
  Put16(&b, 14, ethertype);
  return Concat(b, l3);
}

Bytes Sll2(uint8_t pkttype, uint16_t ethertype, const Bytes& l3) {
  Bytes b(20, 0);
  Put16(&b, 0, ethertype);
  b[7] = 2;  // ifindex
  Put16(&b, 8, 1);
  b[10] = pkttype;
  b[11] = 6;
  return Concat(b, l3);
}

absl::Status WritePcap(const std::string& path, int dlt, const std::vector<FilePacket>& packets,
                       bool nanosecond) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      dlt, 262144, nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) return absl::InternalError("pcap_open_dead failed");
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    std::string err = pcap_geterr(dead);
    pcap_close(dead);
    return absl::InternalError(absl::StrCat(path, ": ", err));
  }
  for (const FilePacket& p : packets) {
    struct pcap_pkthdr h;
    h.ts.tv_sec = p.ts_ns / 1'000'000'000;
    const int64_t frac = p.ts_ns % 1'000'000'000;
    h.ts.tv_usec = nanosecond ? frac : frac / 1000;
    h.caplen = uint32_t(p.snaplen ? std::min<size_t>(p.snaplen, p.data.size()) : p.data.size());
    h.len = p.wire_len ? p.wire_len : uint32_t(p.data.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, p.data.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return absl::OkStatus();
}

std::string TestDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/probe.XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

}  // namespace goprobe::probe::testing
