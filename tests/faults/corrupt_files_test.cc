// goDB files damaged under a running goqueryd leaf: a flipped byte in a
// column block, a truncated column file and a corrupt day metadata file.
// The query still answers, from the healthy blocks, and its host status
// names every damaged file.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "tests/faults/fault_test_support.h"
#include "tests/harness/subprocess.h"

namespace goprobe::faults {
namespace {

using testing::Runfile;

constexpr int64_t kDay0 = 1699920000;  // 2023-11-14 00:00 UTC
constexpr int kDays = 3, kBlocksPerDay = 4;

int64_t BlockTime(int day, int block) { return kDay0 + day * godb::kSecondsPerDay + 300 * (block + 1); }

std::string DataFile(const std::string& db, int day, godb::Column c) {
  return absl::StrCat(godb::DayDirectory(db, "eth0", kDay0 + day * godb::kSecondsPerDay), "/",
                      godb::ColumnFileName(c));
}

// The extent of block `block` of day `day` in column `c`, from the metadata.
godb::Extent ExtentOf(const std::string& db, int day, int block, godb::Column c) {
  godb::DbReader reader(db);
  auto days = reader.Days("eth0", BlockTime(day, 0), BlockTime(day, 0));
  EXPECT_TRUE(days.ok() && days->size() == 1);
  auto opened = godb::DayReader::Open((*days)[0]);
  EXPECT_TRUE(opened.ok()) << opened.status();
  return (*opened)->metadata().blocks.at(block).extents[uint8_t(c)];
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekg(std::streamoff(offset));
  char c = 0;
  f.read(&c, 1);
  c = char(~c);
  f.seekp(std::streamoff(offset));
  f.write(&c, 1);
}

void Overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekp(std::streamoff(offset));
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

bool AnyWarningMentions(const nlohmann::json& doc, const std::string& what) {
  for (const auto& [host, status] : doc["hosts_statuses"].items()) {
    for (const auto& w : status.value("warnings", nlohmann::json::array())) {
      if (w.get<std::string>().find(what) != std::string::npos) return true;
    }
  }
  return false;
}

TEST(CorruptFilesTest, TheLeafAnswersFromHealthyBlocksAndNamesTheDamagedOnes) {
  ScratchDir dir("corrupt");
  const std::string db = dir.path() + "/db";
  {
    auto writer = godb::DbWriter::Open(db);
    ASSERT_TRUE(writer.ok());
    for (int d = 0; d < kDays; ++d) {
      for (int b = 0; b < kBlocksPerDay; ++b) {
        ASSERT_TRUE((*writer)
                        ->WriteBlock("eth0", BlockTime(d, b),
                                     godb::RandomRows(300, 0.3, uint32_t(10 * d + b)), {})
                        .ok());
      }
    }
  }
  const StoredBlocks all = ReadStoredBlocks(db, "eth0");
  ASSERT_EQ(all.size(), size_t(kDays * kBlocksPerDay));

  const std::string sock = dir.path() + "/leaf.sock";
  auto leaf = StartLeaf(db, sock, 7, "leaf");
  ASSERT_NE(leaf, nullptr);
  const std::vector<std::string> query = {"-f", std::to_string(kDay0), "-l",
                                          std::to_string(kDay0 + kDays * godb::kSecondsPerDay),
                                          "sip,dip"};
  JsonAnswer healthy = GoqueryJson("unix:" + sock, query);
  ASSERT_EQ(healthy.exit_code, 0) << healthy.err;
  ASSERT_EQ(JsonTotals(healthy.doc), SumTraffic(all)) << healthy.doc.dump();

  // Day 0: one flipped byte in block 1's bytes_rcvd column.
  const godb::Extent flipped = ExtentOf(db, 0, 1, godb::Column::kBytesRcvd);
  FlipByte(DataFile(db, 0, godb::Column::kBytesRcvd), flipped.offset + flipped.size / 2);
  // Day 1: pkts_sent cut off in the middle of block 2, so blocks 2 and 3 lose it.
  const godb::Extent cut = ExtentOf(db, 1, 2, godb::Column::kPktsSent);
  ASSERT_EQ(::truncate(DataFile(db, 1, godb::Column::kPktsSent).c_str(),
                       off_t(cut.offset + cut.size / 2)),
            0);
  // Day 2: its metadata damaged, so the whole day is unreadable.
  const std::string meta = absl::StrCat(
      godb::DayDirectory(db, "eth0", kDay0 + 2 * godb::kSecondsPerDay), "/", godb::kMetadataFileName);
  Overwrite(meta, 200, "garbage");

  StoredBlocks healthy_blocks = all;
  healthy_blocks.erase(BlockTime(0, 1));
  healthy_blocks.erase(BlockTime(1, 2));
  healthy_blocks.erase(BlockTime(1, 3));
  for (int b = 0; b < kBlocksPerDay; ++b) healthy_blocks.erase(BlockTime(2, b));

  JsonAnswer damaged = GoqueryJson("unix:" + sock, query);
  EXPECT_EQ(damaged.exit_code, 0) << damaged.err;
  EXPECT_EQ(JsonTotals(damaged.doc), SumTraffic(healthy_blocks)) << damaged.doc.dump();
  EXPECT_FALSE(damaged.doc["rows"].empty());
  EXPECT_TRUE(AnyWarningMentions(damaged.doc, "bytes_rcvd.gpf")) << damaged.doc.dump();
  EXPECT_TRUE(AnyWarningMentions(damaged.doc, "pkts_sent.gpf")) << damaged.doc.dump();
  EXPECT_TRUE(AnyWarningMentions(damaged.doc, "blocks.meta")) << damaged.doc.dump();
  EXPECT_TRUE(leaf->Running()) << leaf->Log();

  // Listing the interfaces works too, from what is readable.
  auto list = testing::RunProcess({Runfile("clients/goquery/goquery"), "--server", "unix:" + sock,
                                   "list", "-e", "csv"});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->exit_code, 0) << list->err;
  EXPECT_NE(list->out.find("eth0"), std::string::npos) << list->out;
}

}  // namespace
}  // namespace goprobe::faults
