#include "lib/godb/interface_summary.h"

#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::godb {
namespace {

constexpr int64_t kT0 = 1700000100;

TEST(InterfaceSummaryTest, SumsBlocksInRangeFromMetadata) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  flow::Counters eth0_in_range;
  for (int i = 0; i < 4; ++i) {
    const auto rows = RandomRows(50, 0.5, i);
    const int64_t t = kT0 + i * kSecondsPerDay / 2;  // spans three days
    ASSERT_TRUE((*writer)->WriteBlock("eth0", t, rows, {100, 1, 2, 3}).ok());
    if (i >= 1) {
      for (const auto& r : rows) eth0_in_range += r.counters;
    }
  }
  ASSERT_TRUE((*writer)->WriteBlock("eth1", kT0, RandomRows(10, 0, 9), {}).ok());

  DbReader reader(dir.path());
  std::vector<ScanProblem> problems;
  auto all = SummarizeInterfaces(reader, {}, kT0 + 1, kMaxBlockTime, &problems);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);  // eth1 has nothing in range
  const InterfaceSummary& s = (*all)[0];
  EXPECT_EQ(s.iface, "eth0");
  EXPECT_EQ(s.blocks, 3u);
  EXPECT_EQ(s.totals.traffic, eth0_in_range);
  EXPECT_EQ(s.totals.flows_v4 + s.totals.flows_v6, 150u);
  EXPECT_EQ(s.totals.capture.pkts_received, 300u);
  EXPECT_EQ(s.first_block_time, kT0 + kSecondsPerDay / 2);
  EXPECT_EQ(s.last_block_time, kT0 + 3 * kSecondsPerDay / 2);
  EXPECT_TRUE(problems.empty());

  auto only = SummarizeInterfaces(reader, {"eth1", "nosuch"}, 0, kMaxBlockTime, &problems);
  ASSERT_TRUE(only.ok()) << only.status();
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0].iface, "eth1");
  EXPECT_EQ((*only)[0].blocks, 1u);
}

}  // namespace
}  // namespace goprobe::godb
