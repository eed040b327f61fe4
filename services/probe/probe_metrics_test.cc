#include "services/probe/probe_metrics.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/metrics/metrics.h"

namespace goprobe::probe {
namespace {

WindowStats Totals(uint64_t packets, uint64_t bytes, uint64_t not_ip, uint64_t malformed,
                   uint64_t untracked, uint64_t dropped_kernel, uint64_t dropped_iface) {
  WindowStats s;
  s.packets = packets;
  s.bytes = bytes;
  s.not_ip = not_ip;
  s.malformed = malformed;
  s.untracked = untracked;
  s.dropped_kernel = dropped_kernel;
  s.dropped_iface = dropped_iface;
  return s;
}

// Publishing adds what the capture counted since the last publication, so
// every counter equals the capture's running total, however often it is
// published.
TEST(ProbeMetricsTest, PublishBringsEveryCounterUpToTheTotals) {
  metrics::Registry registry;
  ProbeMetrics metrics(&registry);
  const ProbeMetrics::Interface eth0 = metrics.ForInterface("eth0");
  PublishedCounts published;

  published.Publish(Totals(100, 64000, 3, 2, 7, 5, 1), 12, eth0);
  const WindowStats total = Totals(250, 150000, 4, 9, 40, 6, 1);
  published.Publish(total, 30, eth0);
  published.Publish(total, 31, eth0);  // nothing new: no change but the gauge

  EXPECT_EQ(eth0.packets->value(), 250u);
  EXPECT_EQ(eth0.bytes->value(), 150000u);
  EXPECT_EQ(eth0.not_ip->value(), 4u);
  EXPECT_EQ(eth0.malformed->value(), 9u);
  EXPECT_EQ(eth0.untracked->value(), 40u);
  EXPECT_EQ(eth0.dropped_kernel->value(), 6u);
  EXPECT_EQ(eth0.dropped_iface->value(), 1u);
  EXPECT_EQ(eth0.conversations->value(), 31.0);

  const std::string text = registry.Render();
  for (const char* series : {
           "goprobe_packets_total{iface=\"eth0\"} 250",
           "goprobe_packets_unplaced_total{iface=\"eth0\",why=\"not_ip\"} 4",
           "goprobe_packets_unplaced_total{iface=\"eth0\",why=\"malformed\"} 9",
           "goprobe_packets_untracked_total{iface=\"eth0\"} 40",
           "goprobe_packets_dropped_total{iface=\"eth0\",where=\"kernel\"} 6",
       }) {
    EXPECT_NE(text.find(series), std::string::npos) << series << " not in\n" << text;
  }
}

// A second interface has series of its own.
TEST(ProbeMetricsTest, InterfacesAreSeparateSeries) {
  metrics::Registry registry;
  ProbeMetrics metrics(&registry);
  PublishedCounts a_counts, b_counts;
  WindowStats a, b;
  a.untracked = 3;
  b.untracked = 11;
  a_counts.Publish(a, 0, metrics.ForInterface("eth0"));
  b_counts.Publish(b, 0, metrics.ForInterface("eth1"));
  EXPECT_EQ(metrics.ForInterface("eth0").untracked->value(), 3u);
  EXPECT_EQ(metrics.ForInterface("eth1").untracked->value(), 11u);
}

}  // namespace
}  // namespace goprobe::probe
