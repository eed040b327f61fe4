#include "services/probe/block_writer.h"

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/probe/test_packets.h"

namespace goprobe::probe {
namespace {

using namespace ::goprobe::probe::testing;  // NOLINT: test builders

class RecordingSink : public BlockSink {
 public:
  absl::Status Write(const Block& block) override {
    absl::MutexLock lock(&mu_);
    if (block.block_time == 666) return absl::UnavailableError("disk on fire");
    blocks.push_back(block);
    return absl::OkStatus();
  }
  absl::Mutex mu_;
  std::vector<Block> blocks;
};

TEST(BlockWriterTest, WritesEveryInterfacesWindowsInOrderAndCountsFailures) {
  RecordingSink sink;
  BlockWriter writer(&sink);
  const Bytes frame = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(40000, 53)));
  // Two capture threads, each with its own aggregator, rotating as fast as
  // the writer lets them.
  auto capture = [&](const std::string& iface, int64_t first_time) {
    Aggregator agg(LinkType::kEthernet);
    for (int w = 0; w < 50; ++w) {
      for (int i = 0; i <= w; ++i) agg.Add(0, frame.data(), uint32_t(frame.size()), 100);
      writer.Submit(iface, agg.EndWindow(first_time + 300 * w));
    }
  };
  std::thread a(capture, "eth0", 300);
  std::thread b(capture, "eth1", 300);
  a.join();
  b.join();
  Aggregator agg(LinkType::kEthernet);
  agg.Add(0, frame.data(), uint32_t(frame.size()), 100);
  writer.Submit("eth2", agg.EndWindow(666));
  writer.Close();
  EXPECT_EQ(writer.written(), 100u);
  EXPECT_EQ(writer.failed(), 1u);
  ASSERT_EQ(sink.blocks.size(), 100u);
  int64_t last0 = 0;
  for (const Block& blk : sink.blocks) {
    ASSERT_EQ(blk.rows.size(), 1u);
    const uint64_t w = uint64_t(blk.block_time / 300 - 1);
    EXPECT_EQ(blk.rows[0].counters.pkts_sent, w + 1) << blk.iface << " " << blk.block_time;
    EXPECT_EQ(blk.stats.packets, w + 1);
    if (blk.iface == "eth0") {
      EXPECT_GT(blk.block_time, last0);
      last0 = blk.block_time;
    }
  }
}

}  // namespace
}  // namespace goprobe::probe
