#include "services/probe/packet_parser.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "absl/random/random.h"
#include "gtest/gtest.h"
#include "lib/flow/flow.h"
#include "services/probe/test_packets.h"

namespace goprobe::probe {
namespace {

using namespace ::goprobe::probe::testing;  // NOLINT: test builders

std::string Addr(const PacketInfo& p, bool src) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(p.is_v4 ? AF_INET : AF_INET6, src ? p.src : p.dst, buf, sizeof buf);
  return buf;
}

ParseResult ParseAs(LinkType t, const Bytes& b, PacketInfo* out, size_t caplen = SIZE_MAX) {
  PacketParser parser(t);
  return parser.Parse(b.data(), std::min(caplen, b.size()), 0, out);
}

TEST(PacketParserTest, EthernetTcp) {
  PacketInfo p;
  const Bytes frame =
      Ethernet(0x0800, Ipv4("10.1.2.3", "192.0.2.9", 6, Tcp(40000, 443, kSyn, 100)));
  ASSERT_EQ(ParseAs(LinkType::kEthernet, frame, &p), ParseResult::kFlow);
  EXPECT_TRUE(p.is_v4);
  EXPECT_EQ(Addr(p, true), "10.1.2.3");
  EXPECT_EQ(Addr(p, false), "192.0.2.9");
  EXPECT_EQ(p.proto, 6);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 443);
  EXPECT_TRUE(p.has_aux);
  EXPECT_EQ(p.aux, kSyn);
  EXPECT_FALSE(p.ports_missing);
  EXPECT_EQ(p.direction, Direction::kUnknown);
  // The 12 bytes after an IPv4 address stay zero: flow keys compare bytes.
  for (int i = 4; i < 16; ++i) EXPECT_EQ(p.src[i], 0);
}

TEST(PacketParserTest, VlanQinQAndTripleTags) {
  const Bytes ip = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(5000, 53));
  for (const std::vector<uint16_t>& tags : std::vector<std::vector<uint16_t>>{
           {0x8100}, {0x88a8, 0x8100}, {0x9100, 0x8100, 0x8100}}) {
    PacketInfo p;
    ASSERT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip, tags), &p), ParseResult::kFlow)
        << tags.size();
    EXPECT_EQ(p.dport, 53);
  }
  // A tag cut off in the middle is malformed.
  PacketInfo p;
  Bytes cut = Ethernet(0x0800, ip, {0x8100});
  EXPECT_EQ(ParseAs(LinkType::kEthernet, cut, &p, 16), ParseResult::kMalformed);
}

TEST(PacketParserTest, MplsLabelsSkipped) {
  for (int labels : {1, 2, 5}) {
    PacketInfo p;
    ASSERT_EQ(ParseAs(LinkType::kEthernet,
                      EthernetMpls(Ipv6("2001:db8::1", "2001:db8::2", 6, {}, Tcp(1, 22, 0)), labels),
                      &p),
              ParseResult::kFlow);
    EXPECT_FALSE(p.is_v4);
    EXPECT_EQ(p.dport, 22);
  }
  // A pseudowire control word (first nibble 0) is not IP.
  PacketInfo p;
  EXPECT_EQ(ParseAs(LinkType::kEthernet, EthernetMpls(Bytes(40, 0), 1), &p), ParseResult::kNotIp);
}

TEST(PacketParserTest, PppoeSession) {
  Bytes pppoe = {0x11, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x21};
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kEthernet,
                    Ethernet(0x8864, Concat(pppoe, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, 0)))),
                    &p),
            ParseResult::kFlow);
  EXPECT_EQ(p.dport, 2);
  pppoe[7] = 0x23;  // not IP over PPP
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x8864, Concat(pppoe, Bytes(40, 0))), &p),
            ParseResult::kNotIp);
}

TEST(PacketParserTest, NonIpIsNotMalformed) {
  PacketInfo p;
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0806, Bytes(28, 0)), &p), ParseResult::kNotIp);
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0026, Bytes(38, 0)), &p), ParseResult::kNotIp);
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x88cc, Bytes(30, 0)), &p), ParseResult::kNotIp);
}

TEST(PacketParserTest, LinuxCookedCarriesDirection) {
  const Bytes ip = Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, kAck));
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kLinuxSll, Sll(4, 0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_EQ(p.direction, Direction::kOutbound);
  ASSERT_EQ(ParseAs(LinkType::kLinuxSll, Sll(0, 0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_EQ(p.direction, Direction::kInbound);
  ASSERT_EQ(ParseAs(LinkType::kLinuxSll2, Sll2(4, 0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_EQ(p.direction, Direction::kOutbound);
  EXPECT_EQ(p.dport, 80);
  ASSERT_EQ(ParseAs(LinkType::kLinuxSll2, Sll2(3, 0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_EQ(p.direction, Direction::kInbound);
  EXPECT_EQ(ParseAs(LinkType::kLinuxSll2, Sll2(0, 0x0800, ip), &p, 19), ParseResult::kMalformed);
}

TEST(PacketParserTest, RawAndLoopbackFramings) {
  const Bytes v4 = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2));
  const Bytes v6 = Ipv6("::1", "::2", 17, {}, Udp(3, 4));
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kRawIp, v4, &p), ParseResult::kFlow);
  EXPECT_TRUE(p.is_v4);
  ASSERT_EQ(ParseAs(LinkType::kRawIp, v6, &p), ParseResult::kFlow);
  EXPECT_FALSE(p.is_v4);
  EXPECT_EQ(ParseAs(LinkType::kIpv4, v4, &p), ParseResult::kFlow);
  EXPECT_EQ(ParseAs(LinkType::kIpv4, v6, &p), ParseResult::kMalformed);
  EXPECT_EQ(ParseAs(LinkType::kIpv6, v6, &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 4);
  EXPECT_EQ(ParseAs(LinkType::kRawIp, Bytes{0x50, 0, 0}, &p), ParseResult::kMalformed);

  // DLT_NULL in either byte order, with the BSDs' IPv6 family numbers.
  const Bytes le_inet = {2, 0, 0, 0}, be_inet = {0, 0, 0, 2}, le_inet6_fbsd = {28, 0, 0, 0};
  EXPECT_EQ(ParseAs(LinkType::kNull, Concat(le_inet, v4), &p), ParseResult::kFlow);
  EXPECT_EQ(ParseAs(LinkType::kNull, Concat(be_inet, v4), &p), ParseResult::kFlow);
  ASSERT_EQ(ParseAs(LinkType::kNull, Concat(le_inet6_fbsd, v6), &p), ParseResult::kFlow);
  EXPECT_FALSE(p.is_v4);
  EXPECT_EQ(ParseAs(LinkType::kNull, Concat(Bytes{7, 0, 0, 0}, v4), &p), ParseResult::kNotIp);
  EXPECT_EQ(ParseAs(LinkType::kLoop, Concat(be_inet, v4), &p), ParseResult::kFlow);
}

TEST(PacketParserTest, Nflog) {
  const Bytes ip = Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, kSyn));
  Bytes frame = {2, 0, 0, 0};  // AF_INET, version 0, resource 0
  // An 8-byte TLV of another type (host byte order), then the payload TLV.
  const uint16_t hdr_len = 8, hdr_type = 1;
  const uint16_t pl_len = uint16_t(4 + ip.size()), pl_type = 9;
  auto put16 = [&](uint16_t v) {
    uint8_t b[2];
    std::memcpy(b, &v, 2);
    frame.push_back(b[0]);
    frame.push_back(b[1]);
  };
  put16(hdr_len);
  put16(hdr_type);
  frame.insert(frame.end(), {0x08, 0x00, 3, 0});
  put16(pl_len);
  put16(pl_type);
  frame.insert(frame.end(), ip.begin(), ip.end());
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kNflog, frame, &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 80);
  EXPECT_EQ(ParseAs(LinkType::kNflog, frame, &p, 12), ParseResult::kMalformed);
}

TEST(PacketParserTest, TruncatedTransportCountsWithoutPorts) {
  const Bytes frame = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 443, kAck, 500)));
  PacketInfo p;
  // The TCP header captured, payload cut: a normal packet.
  ASSERT_EQ(ParseAs(LinkType::kEthernet, frame, &p, 14 + 20 + 20), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 443);
  EXPECT_TRUE(p.has_aux);
  // Ports but not the whole header: flags are not trusted.
  ASSERT_EQ(ParseAs(LinkType::kEthernet, frame, &p, 14 + 20 + 19), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 443);
  EXPECT_FALSE(p.has_aux);
  ASSERT_EQ(ParseAs(LinkType::kEthernet, frame, &p, 14 + 20 + 4), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 443);
  EXPECT_FALSE(p.has_aux);
  EXPECT_FALSE(p.ports_missing);
  // Not even the ports: counted under port 0.
  ASSERT_EQ(ParseAs(LinkType::kEthernet, frame, &p, 14 + 20 + 3), ParseResult::kFlow);
  EXPECT_TRUE(p.ports_missing);
  EXPECT_EQ(p.dport, 0);
  EXPECT_EQ(p.proto, 6);
  // Addresses cut: malformed.
  EXPECT_EQ(ParseAs(LinkType::kEthernet, frame, &p, 14 + 19), ParseResult::kMalformed);
}

TEST(PacketParserTest, Ipv4LengthBoundsTheTransport) {
  // A TCP header claimed by the protocol but outside the IP total length
  // (only Ethernet padding behind it) is not read.
  Bytes ip = Ipv4("10.0.0.1", "10.0.0.2", 6, {});
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_TRUE(p.ports_missing);
  // Total length 0 (TSO / BIG TCP): what was captured counts.
  ip = Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, kAck, 100));
  ip[2] = ip[3] = 0;
  ASSERT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip), &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 2);
  // Bad header length or total length shorter than the header.
  ip[0] = 0x44;
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip), &p), ParseResult::kMalformed);
  ip[0] = 0x45;
  ip[3] = 10;
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip), &p), ParseResult::kMalformed);
  ip[3] = 0;
  ip[0] = 0x65;  // ethertype IPv4, version 6
  EXPECT_EQ(ParseAs(LinkType::kEthernet, Ethernet(0x0800, ip), &p), ParseResult::kMalformed);
}

TEST(PacketParserTest, Ipv4OptionsAndNonPortProtocols) {
  Bytes ip = Ipv4("10.0.0.1", "10.0.0.2", 17, Concat(Bytes(8, 1), Udp(7, 9)));
  ip[0] = 0x47;  // 8 bytes of options, then UDP
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kRawIp, ip, &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 9);
  // SCTP has ports, but the flow model keeps ports for TCP and UDP only.
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv4("10.0.0.1", "10.0.0.2", 132, Udp(36412, 36412)), &p),
            ParseResult::kFlow);
  EXPECT_EQ(p.proto, 132);
  EXPECT_EQ(p.dport, 0);
  EXPECT_FALSE(p.ports_missing);
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv4("10.0.0.1", "10.0.0.2", 1, Icmp(8)), &p),
            ParseResult::kFlow);
  EXPECT_TRUE(p.has_aux);
  EXPECT_EQ(p.aux, 8);
}

TEST(PacketParserTest, Ipv6ExtensionHeadersWalked) {
  const Bytes headers =
      Concat(Concat(Ipv6Options(43, 1), Ipv6Options(60)), Ipv6Options(6, 2));  // HBH, routing, dest
  PacketInfo p;
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv6("2001:db8::1", "2001:db8::2", 0, headers, Tcp(50000, 22, kSyn)),
                    &p),
            ParseResult::kFlow);
  EXPECT_EQ(p.proto, 6);
  EXPECT_EQ(p.dport, 22);
  EXPECT_EQ(p.aux, kSyn);
  // AH counts in 4-byte units.
  Bytes ah(16, 0);
  ah[0] = 17;
  ah[1] = 2;  // (2 + 2) * 4 = 16 bytes
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv6("::1", "::2", 51, ah, Udp(1000, 2000)), &p),
            ParseResult::kFlow);
  EXPECT_EQ(p.proto, 17);
  EXPECT_EQ(p.dport, 2000);
  // ESP and no-next-header end the walk.
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv6("::1", "::2", 50, {}, Bytes(20, 0)), &p), ParseResult::kFlow);
  EXPECT_EQ(p.proto, 50);
  ASSERT_EQ(ParseAs(LinkType::kRawIp, Ipv6("::1", "::2", 0, Ipv6Options(59), {}), &p),
            ParseResult::kFlow);
  EXPECT_EQ(p.proto, 59);
  // An extension header cut off: the protocol is the header's own number.
  const Bytes cut = Ipv6("::1", "::2", 0, Ipv6Options(6, 4), Tcp(1, 2, 0));
  ASSERT_EQ(ParseAs(LinkType::kRawIp, cut, &p, 44), ParseResult::kFlow);
  EXPECT_EQ(p.proto, 0);
  // The header is whole but the transport is not there.
  ASSERT_EQ(ParseAs(LinkType::kRawIp, cut, &p, 40 + 40 + 2), ParseResult::kFlow);
  EXPECT_EQ(p.proto, 6);
  EXPECT_TRUE(p.ports_missing);
  EXPECT_EQ(ParseAs(LinkType::kRawIp, cut, &p, 39), ParseResult::kMalformed);
}

TEST(PacketParserTest, Ipv4FragmentsFollowTheirFirst) {
  PacketParser parser(LinkType::kRawIp);
  PacketInfo p;
  const Bytes first = Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(5353, 53, 100), 77, 0, true);
  const Bytes later = Ipv4("10.0.0.1", "10.0.0.2", 17, Bytes(100, 0), 77, 14, true);
  const Bytes last = Ipv4("10.0.0.1", "10.0.0.2", 17, Bytes(50, 0), 77, 27, false);
  const Bytes orphan = Ipv4("10.0.0.1", "10.0.0.2", 17, Bytes(50, 0), 78, 27, false);
  ASSERT_EQ(parser.Parse(first.data(), first.size(), 0, &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 53);
  for (const Bytes* b : {&later, &last}) {
    ASSERT_EQ(parser.Parse(b->data(), b->size(), 1000, &p), ParseResult::kFlow);
    EXPECT_EQ(p.sport, 5353);
    EXPECT_EQ(p.dport, 53);
    EXPECT_FALSE(p.ports_missing);
    EXPECT_FALSE(p.has_aux);
  }
  ASSERT_EQ(parser.Parse(orphan.data(), orphan.size(), 1000, &p), ParseResult::kFlow);
  EXPECT_TRUE(p.ports_missing);
  EXPECT_EQ(p.dport, 0);
  EXPECT_EQ(p.proto, 17);
  // After the timeout the datagram is forgotten.
  ASSERT_EQ(parser.Parse(later.data(), later.size(), 31'000'000'000, &p), ParseResult::kFlow);
  EXPECT_TRUE(p.ports_missing);
}

TEST(PacketParserTest, Ipv6FragmentsFollowTheirFirst) {
  PacketParser parser(LinkType::kEthernet);
  PacketInfo p;
  const Bytes first = Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 44,
                                            Ipv6Fragment(17, 0, true, 0xabcdef01), Udp(40000, 53, 1000)));
  const Bytes later = Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 44,
                                            Ipv6Fragment(17, 126, false, 0xabcdef01), Bytes(300, 0)));
  const Bytes other = Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 44,
                                            Ipv6Fragment(17, 126, false, 0xabcdef02), Bytes(300, 0)));
  // Hop-by-hop before the fragment header is walked too.
  const Bytes atomic = Ethernet(0x86dd, Ipv6("2001:db8::1", "2001:db8::2", 0,
                                             Concat(Ipv6Options(44), Ipv6Fragment(6, 0, false, 5)),
                                             Tcp(1, 2, 0)));
  ASSERT_EQ(parser.Parse(first.data(), first.size(), 0, &p), ParseResult::kFlow);
  EXPECT_EQ(p.dport, 53);
  ASSERT_EQ(parser.Parse(later.data(), later.size(), 0, &p), ParseResult::kFlow);
  EXPECT_EQ(p.proto, 17);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 53);
  ASSERT_EQ(parser.Parse(other.data(), other.size(), 0, &p), ParseResult::kFlow);
  EXPECT_TRUE(p.ports_missing);
  ASSERT_EQ(parser.Parse(atomic.data(), atomic.size(), 0, &p), ParseResult::kFlow);
  EXPECT_EQ(p.proto, 6);
  EXPECT_EQ(p.dport, 2);
}

// Whatever the bytes, the parser stays inside them (ASan checks the reads)
// and gives one of its three answers.
TEST(PacketParserTest, RandomAndCutFramesNeverCrash) {
  absl::BitGen gen;
  const Bytes seeds[] = {
      Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, kSyn, 20)), {0x8100}),
      Ethernet(0x86dd, Ipv6("::1", "::2", 0, Concat(Ipv6Options(44), Ipv6Fragment(17, 0, true, 9)),
                            Udp(1, 2, 30))),
      EthernetMpls(Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2)), 3),
      Sll2(0, 0x86dd, Ipv6("::1", "::2", 43, Ipv6Options(58), Icmp(128))),
  };
  const LinkType types[] = {LinkType::kEthernet, LinkType::kLinuxSll, LinkType::kLinuxSll2,
                            LinkType::kRawIp,    LinkType::kNull,     LinkType::kNflog,
                            LinkType::kIpv6};
  for (LinkType t : types) {
    PacketParser parser(t, 64);
    for (int round = 0; round < 3000; ++round) {
      Bytes b = seeds[absl::Uniform<size_t>(gen, 0, std::size(seeds))];
      const int flips = absl::Uniform(gen, 0, 6);
      for (int f = 0; f < flips; ++f) b[absl::Uniform<size_t>(gen, 0, b.size())] = absl::Uniform<uint8_t>(gen);
      const size_t cut = absl::Uniform<size_t>(gen, 0, b.size() + 1);
      // A heap copy of exactly `cut` bytes so any overread is caught.
      std::unique_ptr<uint8_t[]> exact(new uint8_t[cut ? cut : 1]);
      std::memcpy(exact.get(), b.data(), cut);
      PacketInfo p;
      const ParseResult r = parser.Parse(exact.get(), cut, round, &p);
      EXPECT_TRUE(r == ParseResult::kFlow || r == ParseResult::kNotIp || r == ParseResult::kMalformed);
      if (r == ParseResult::kFlow && p.proto != 6 && p.proto != 17) {
        EXPECT_EQ(p.dport, 0);
      }
    }
  }
}

}  // namespace
}  // namespace goprobe::probe
