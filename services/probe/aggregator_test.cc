#include "services/probe/aggregator.h"

#include <vector>

#include "gtest/gtest.h"
#include "services/probe/test_packets.h"

namespace goprobe::probe {
namespace {

using namespace ::goprobe::probe::testing;  // NOLINT: test builders

void AddFrame(Aggregator* agg, const Bytes& f, Direction d = Direction::kUnknown,
              uint32_t caplen = 0) {
  agg->Add(0, f.data(), caplen ? caplen : uint32_t(f.size()), uint32_t(f.size()), d);
}

TEST(AggregatorTest, CountsEveryPacketSomewhere) {
  AggregatorOptions options;
  options.table.max_flows = 2;
  Aggregator agg(LinkType::kEthernet, options);
  const Bytes flow1 = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(40000, 80, kSyn)));
  const Bytes flow2 = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.3", 17, Udp(40000, 53)));
  const Bytes flow3 = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.4", 17, Udp(40000, 53)));
  const Bytes arp = Ethernet(0x0806, Bytes(28, 0));
  AddFrame(&agg, flow1);
  AddFrame(&agg, flow2);
  AddFrame(&agg, flow3);                   // over the cap: untracked
  AddFrame(&agg, arp);                     // not IP
  AddFrame(&agg, flow1, Direction::kUnknown, 20);  // cut inside the IP header
  AddFrame(&agg, flow1, Direction::kUnknown, 14 + 20 + 2);  // cut before the ports
  ClosedWindow w = agg.EndWindow(300);
  EXPECT_EQ(w.block_time, 300);
  EXPECT_EQ(w.stats.packets, 6u);
  EXPECT_EQ(w.stats.not_ip, 1u);
  EXPECT_EQ(w.stats.malformed, 1u);
  EXPECT_EQ(w.stats.ports_missing, 1u);
  // The port-less packet would start a third conversation too.
  EXPECT_EQ(w.stats.untracked, 2u);
  EXPECT_EQ(w.stats.unplaced(), 2u);
  std::vector<flow::FlowRow> rows;
  w.flows->Drain(&rows);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.dport, 80);
  EXPECT_EQ(rows[1].key.dport, 53);
  // The next window starts from zero.
  EXPECT_EQ(agg.current().packets, 0u);
}

TEST(AggregatorTest, PendingPacketsReachTheWindowTheyWereAddedIn) {
  // Fewer packets than the prefetch ring holds: EndWindow must still count
  // them all in the window that closes.
  Aggregator agg(LinkType::kEthernet);
  const Bytes f = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 53)));
  for (int i = 0; i < 3; ++i) AddFrame(&agg, f);
  std::vector<flow::FlowRow> rows;
  agg.EndWindow(300).flows->Drain(&rows);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].counters.pkts_sent, 3u);
  for (int i = 0; i < 100; ++i) AddFrame(&agg, f, i % 2 ? Direction::kInbound : Direction::kOutbound);
  rows.clear();
  agg.EndWindow(600).flows->Drain(&rows);
  ASSERT_EQ(rows.size(), 1u);
  // The capture's direction wins over the client rule.
  EXPECT_EQ(rows[0].counters.pkts_sent, 50u);
  EXPECT_EQ(rows[0].counters.pkts_rcvd, 50u);
}

TEST(AggregatorTest, DropsAndUnframedPackets) {
  Aggregator agg(LinkType::kEthernet);
  agg.AddDrops(5, 2);
  agg.AddDrops(1, 0);
  agg.AddUnframed(100);
  ClosedWindow w = agg.EndWindow(300);
  EXPECT_EQ(w.stats.dropped_kernel, 6u);
  EXPECT_EQ(w.stats.dropped_iface, 2u);
  EXPECT_EQ(w.stats.packets, 1u);
  EXPECT_EQ(w.stats.bytes, 100u);
  EXPECT_EQ(w.stats.not_ip, 1u);
}

}  // namespace
}  // namespace goprobe::probe
