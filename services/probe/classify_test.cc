#include "services/probe/classify.h"

#include <arpa/inet.h>

#include "gtest/gtest.h"
#include "lib/flow/flow.h"

namespace goprobe::probe {
namespace {

PacketInfo Packet(uint8_t proto, uint16_t sport, uint16_t dport, const char* dst = "192.0.2.2") {
  PacketInfo p;
  p.proto = proto;
  p.sport = sport;
  p.dport = dport;
  inet_pton(AF_INET, "192.0.2.1", p.src);
  if (inet_pton(AF_INET, dst, p.dst) != 1) {
    p.is_v4 = false;
    inet_pton(AF_INET6, "2001:db8::1", p.src);
    inet_pton(AF_INET6, dst, p.dst);
  }
  return p;
}

PacketInfo WithAux(PacketInfo p, uint8_t aux) {
  p.aux = aux;
  p.has_aux = true;
  return p;
}

TEST(ClassifyTest, TcpHandshakeBeatsPorts) {
  // A SYN from the low port to the high one still makes the sender the client.
  EXPECT_FALSE(ShouldFlip(WithAux(Packet(flow::kProtoTcp, 80, 50000), 0x02)));
  // A SYN-ACK always comes from the server.
  EXPECT_TRUE(ShouldFlip(WithAux(Packet(flow::kProtoTcp, 50000, 80), 0x12)));
  // Other flags fall back to ports.
  EXPECT_TRUE(ShouldFlip(WithAux(Packet(flow::kProtoTcp, 443, 50000), 0x10)));
  EXPECT_FALSE(ShouldFlip(WithAux(Packet(flow::kProtoTcp, 50000, 443), 0x18)));
  // Flags not captured: ports.
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoTcp, 443, 50000)));
}

TEST(ClassifyTest, PortRules) {
  // Ephemeral source, well-known destination: client to server.
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 40000, 53)));
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 53, 40000)));
  // Both below 32768: the lower one is the server's.
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 5000, 123)));
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 123, 5000)));
  // Both ephemeral: likewise.
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 60000, 40000)));
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 40000, 60000)));
  // Port 0 counts as ephemeral; equal ports keep.
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 80, 0)));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 0, 80)));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 500, 500)));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoTcp, 0, 0)));
  // The boundary: 32767 is a server port, 32768 ephemeral.
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 32767, 32768)));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 32768, 32767)));
}

TEST(ClassifyTest, UdpToBroadcastOrMulticastKeeps) {
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 67, 68, "255.255.255.255")));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 1900, 50000, "239.255.255.250")));
  EXPECT_FALSE(ShouldFlip(Packet(flow::kProtoUdp, 547, 50000, "ff02::1:2")));
  // Unicast: the port rule decides.
  EXPECT_TRUE(ShouldFlip(Packet(flow::kProtoUdp, 67, 68, "192.0.2.255")));
}

TEST(ClassifyTest, Icmp) {
  const PacketInfo p = Packet(flow::kProtoIcmp, 0, 0);
  EXPECT_FALSE(ShouldFlip(WithAux(p, 8)));   // echo request
  EXPECT_FALSE(ShouldFlip(WithAux(p, 13)));  // timestamp request
  for (uint8_t reply : {0, 3, 11, 12, 14}) EXPECT_TRUE(ShouldFlip(WithAux(p, reply))) << int(reply);
  EXPECT_FALSE(ShouldFlip(WithAux(p, 5)));  // redirect: unknown, keeps
  EXPECT_FALSE(ShouldFlip(p));              // type not captured

  const PacketInfo p6 = Packet(flow::kProtoIcmpV6, 0, 0, "2001:db8::2");
  EXPECT_FALSE(ShouldFlip(WithAux(p6, 128)));
  for (uint8_t reply : {129, 1, 3, 4}) EXPECT_TRUE(ShouldFlip(WithAux(p6, reply))) << int(reply);
  EXPECT_FALSE(ShouldFlip(WithAux(p6, 135)));  // neighbour solicitation
  // To a multicast group: the sender is the client whatever the type.
  EXPECT_FALSE(ShouldFlip(WithAux(Packet(flow::kProtoIcmpV6, 0, 0, "ff02::1"), 129)));
}

TEST(ClassifyTest, OtherProtocolsKeep) {
  EXPECT_FALSE(ShouldFlip(Packet(132, 0, 0)));  // SCTP
  EXPECT_FALSE(ShouldFlip(Packet(47, 0, 0)));   // GRE
}

}  // namespace
}  // namespace goprobe::probe
