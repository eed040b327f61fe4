#include "lib/ship/batch_spool.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::ship {
namespace {

v1::FlowBatch MakeBatch(int64_t time, size_t rows) {
  v1::FlowBatch b;
  b.set_host_id(1);
  b.set_hostname("h");
  b.set_iface("eth0");
  b.set_block_time(time);
  auto r = godb::RandomRows(rows, 0.3, uint64_t(time));
  for (auto& row : r) row.counters.pkts_sent += 1;
  EXPECT_TRUE(flow::SetBatchRows(r, &b).ok());
  return b;
}

TEST(BatchSpoolTest, KeepsOrderAcrossReopenAndNeverReusesSequences) {
  godb::TempDir dir;
  {
    auto spool = BatchSpool::Open(dir.path(), 1 << 30);
    ASSERT_TRUE(spool.ok()) << spool.status();
    EXPECT_EQ(*(*spool)->Add(MakeBatch(300, 10)), 1u);
    EXPECT_EQ(*(*spool)->Add(MakeBatch(600, 10)), 2u);
    EXPECT_EQ(*(*spool)->Add(MakeBatch(900, 10)), 3u);
    ASSERT_TRUE((*spool)->Remove(3).ok());
  }
  auto spool = BatchSpool::Open(dir.path(), 1 << 30);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->depth(), 2u);
  auto first = (*spool)->Next(0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->sequence(), 1u);
  EXPECT_EQ(first->block_time(), 300);
  EXPECT_TRUE(flow::RowsFromBatch(*first).ok());
  EXPECT_EQ((*spool)->Next(1)->sequence(), 2u);
  EXPECT_TRUE(absl::IsNotFound((*spool)->Next(2).status()));
  // 3 was handed out before the restart: the next batch gets 4.
  EXPECT_EQ(*(*spool)->Add(MakeBatch(1200, 1)), 4u);
}

TEST(BatchSpoolTest, FullSpoolDropsTheOldestAndCountsIt) {
  godb::TempDir dir;
  const size_t one = MakeBatch(300, 100).ByteSizeLong() + 100;
  auto spool = BatchSpool::Open(dir.path(), 3 * one);
  ASSERT_TRUE(spool.ok());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*spool)->Add(MakeBatch(300 * i, 100)).ok());
  EXPECT_EQ((*spool)->depth(), 3u);
  EXPECT_EQ((*spool)->dropped_batches(), 2u);
  EXPECT_EQ((*spool)->Next(0)->sequence(), 3u);
  EXPECT_LE((*spool)->bytes(), 3 * one);
  // A batch bigger than the whole spool is refused, and drops nothing.
  EXPECT_TRUE(absl::IsResourceExhausted((*spool)->Add(MakeBatch(9000, 5000)).status()));
  EXPECT_EQ((*spool)->depth(), 3u);
}

TEST(BatchSpoolTest, DamagedFilesAreSetAsideNotSent) {
  godb::TempDir dir;
  {
    auto spool = BatchSpool::Open(dir.path(), 1 << 30);
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE((*spool)->Add(MakeBatch(300, 50)).ok());
    ASSERT_TRUE((*spool)->Add(MakeBatch(600, 50)).ok());
  }
  const std::string first = dir.path() + "/00000000000000000001.batch";
  std::filesystem::resize_file(first, std::filesystem::file_size(first) - 3);
  std::ofstream(dir.path() + "/00000000000000000009.batch.tmp") << "partial";
  auto spool = BatchSpool::Open(dir.path(), 1 << 30);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->depth(), 1u);
  EXPECT_EQ((*spool)->corrupt_files(), 1u);
  EXPECT_EQ((*spool)->Next(0)->sequence(), 2u);
  EXPECT_TRUE(std::filesystem::exists(first + ".corrupt"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/00000000000000000009.batch.tmp"));
}

}  // namespace
}  // namespace goprobe::ship
