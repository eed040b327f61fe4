// Damaged files: the reader reports what is bad, returns everything else, and
// never crashes; the writer refuses to build on damage it cannot explain.

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::godb {
namespace {

constexpr int64_t kT0 = 1700000100;
constexpr int kBlocks = 6;

class CorruptionTest : public testing::Test {
 protected:
  void SetUp() override {
    auto writer = DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < kBlocks; ++i) {
      ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300 * i, RandomRows(500, 0.3, i), {}).ok());
    }
    day_dir_ = DayDirectory(dir_.path(), "eth0", DayStart(kT0));
  }

  // Block times the scan returned; problems go to problems_.
  std::vector<int64_t> Scan() {
    problems_.clear();
    std::vector<int64_t> times;
    DbReader reader(dir_.path());
    absl::Status s = ScanBlocks(
        reader, "eth0", 0, kMaxBlockTime, ColumnSet::All(),
        [&](const BlockInfo& b, const BlockColumns& cols) {
          EXPECT_EQ(cols.rows, 500u);
          times.push_back(b.time);
          return true;
        },
        &problems_);
    EXPECT_TRUE(s.ok()) << s;
    return times;
  }

  std::string File(absl::string_view name) const { return absl::StrCat(day_dir_, "/", name); }

  std::string ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void WriteBytes(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  }

  TempDir dir_;
  std::string day_dir_;
  std::vector<ScanProblem> problems_;
};

TEST_F(CorruptionTest, IntactDatabaseHasNoProblems) {
  EXPECT_EQ(Scan().size(), size_t(kBlocks));
  EXPECT_TRUE(problems_.empty());
}

TEST_F(CorruptionTest, FlippedByteInAColumnSkipsOnlyThatBlock) {
  DbReader reader(dir_.path());
  auto days = reader.Days("eth0", 0, kMaxBlockTime);
  ASSERT_TRUE(days.ok());
  auto day = DayReader::Open((*days)[0]);
  ASSERT_TRUE(day.ok());
  const Extent e = (*day)->metadata().blocks[2].extents[uint8_t(Column::kBytesSent)];
  std::string data = ReadBytes(File("bytes_sent.gpf"));
  data[e.offset + e.size / 2] ^= 0x20;
  WriteBytes(File("bytes_sent.gpf"), data);

  std::vector<int64_t> times = Scan();
  EXPECT_EQ(times.size(), size_t(kBlocks - 1));
  EXPECT_THAT(times, testing::Not(testing::Contains(kT0 + 600)));
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0].block_time, kT0 + 600);
  EXPECT_TRUE(absl::IsDataLoss(problems_[0].status));
  EXPECT_THAT(std::string(problems_[0].status.message()),
              testing::AllOf(testing::HasSubstr("bytes_sent.gpf"),
                             testing::HasSubstr("checksum mismatch")));
}

TEST_F(CorruptionTest, RandomDamageAnywhereNeverCrashesTheReader) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> files = {"sip.gpf", "dip.gpf", "dport.gpf", "proto.gpf",
                                          "bytes_rcvd.gpf", "pkts_sent.gpf"};
  for (int trial = 0; trial < 40; ++trial) {
    const std::string path = File(files[trial % files.size()]);
    std::string data = ReadBytes(path);
    const std::string saved = data;
    for (int i = 0; i < 5; ++i) data[rng() % data.size()] = char(rng());
    WriteBytes(path, data);
    const std::vector<int64_t> times = Scan();
    EXPECT_EQ(times.size() + problems_.size(), size_t(kBlocks));
    WriteBytes(path, saved);
  }
}

TEST_F(CorruptionTest, TruncatedColumnFileSkipsTheBlocksBeyondTheEnd) {
  const auto size = std::filesystem::file_size(File("dport.gpf"));
  std::filesystem::resize_file(File("dport.gpf"), size / 2);
  std::vector<int64_t> times = Scan();
  EXPECT_GE(times.size(), 1u);
  EXPECT_LT(times.size(), size_t(kBlocks));
  EXPECT_EQ(times.size() + problems_.size(), size_t(kBlocks));
  EXPECT_THAT(std::string(problems_.back().status.message()), testing::HasSubstr("truncated"));
}

TEST_F(CorruptionTest, MissingColumnFileIsReported) {
  std::filesystem::remove(File("proto.gpf"));
  EXPECT_TRUE(Scan().empty());
  ASSERT_EQ(problems_.size(), size_t(kBlocks));
  EXPECT_THAT(std::string(problems_[0].status.message()), testing::HasSubstr("proto.gpf"));
}

TEST_F(CorruptionTest, CorruptMetadataSkipsTheDayAndTheWriterLeavesItAlone) {
  std::string meta = ReadBytes(File("blocks.meta"));
  meta[40] ^= 1;
  WriteBytes(File("blocks.meta"), meta);
  EXPECT_TRUE(Scan().empty());
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0].block_time, -1);
  EXPECT_THAT(std::string(problems_[0].status.message()),
              testing::AllOf(testing::HasSubstr("blocks.meta"), testing::HasSubstr("checksum")));

  const auto sip_size = std::filesystem::file_size(File("sip.gpf"));
  auto writer = DbWriter::Open(dir_.path());
  ASSERT_TRUE(writer.ok());
  absl::Status s = (*writer)->WriteBlock("eth0", kT0 + 300 * kBlocks, RandomRows(5, 0, 1), {});
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("left untouched"));
  EXPECT_EQ(std::filesystem::file_size(File("sip.gpf")), sip_size);
  EXPECT_EQ(ReadBytes(File("blocks.meta")), meta);
  // Other days and interfaces are still writable.
  EXPECT_TRUE((*writer)->WriteBlock("eth0", kT0 + kSecondsPerDay, RandomRows(5, 0, 1), {}).ok());
  EXPECT_TRUE((*writer)->WriteBlock("eth1", kT0, RandomRows(5, 0, 1), {}).ok());
}

TEST_F(CorruptionTest, DeletedMetadataHidesTheDayAndProtectsItsData) {
  std::filesystem::remove(File("blocks.meta"));
  EXPECT_TRUE(Scan().empty());
  // Without metadata no block was ever complete as far as readers know.
  EXPECT_TRUE(problems_.empty());

  const auto sip_size = std::filesystem::file_size(File("sip.gpf"));
  auto writer = DbWriter::Open(dir_.path());
  ASSERT_TRUE(writer.ok());
  absl::Status s = (*writer)->WriteBlock("eth0", kT0 + 300 * kBlocks, RandomRows(5, 0, 1), {});
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("missing"));
  EXPECT_EQ(std::filesystem::file_size(File("sip.gpf")), sip_size);
}

TEST_F(CorruptionTest, GarbageAfterTheLastBlockIsInvisibleAndCutOffByTheWriter) {
  // What an interrupted append leaves: bytes past the metadata's sizes.
  const auto size = std::filesystem::file_size(File("dip.gpf"));
  std::ofstream(File("dip.gpf"), std::ios::binary | std::ios::app) << std::string(777, 'x');
  EXPECT_EQ(Scan().size(), size_t(kBlocks));
  EXPECT_TRUE(problems_.empty());
  {
    auto writer = DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(
        (*writer)->WriteBlock("eth0", kT0 + 300 * kBlocks, RandomRows(500, 0.3, 99), {}).ok());
  }
  EXPECT_EQ(Scan().size(), size_t(kBlocks + 1));
  EXPECT_TRUE(problems_.empty());
  DbReader reader(dir_.path());
  auto day = DayReader::Open((*reader.Days("eth0", 0, kMaxBlockTime))[0]);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ((*day)->metadata().blocks.back().extents[uint8_t(Column::kDip)].offset, size);
}

TEST_F(CorruptionTest, DamagedAddressChunkCostsOnlyTheBlocksThatUseIt) {
  DbReader reader(dir_.path());
  auto day = DayReader::Open((*reader.Days("eth0", 0, kMaxBlockTime))[0]);
  ASSERT_TRUE(day.ok());
  // The last block's chunk holds addresses only it (so far) uses.
  const Extent e = (*day)->metadata().blocks.back().extents[kAddressDictionaryFile];
  ASSERT_GT(e.size, 0u);
  std::string data = ReadBytes(File("addresses.gpd"));
  data[e.offset + e.size - 1] ^= 0x01;
  WriteBytes(File("addresses.gpd"), data);

  std::vector<int64_t> times = Scan();
  EXPECT_EQ(times.size(), size_t(kBlocks - 1));
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_EQ(problems_[0].block_time, kT0 + 300 * (kBlocks - 1));
  EXPECT_THAT(std::string(problems_[0].status.message()),
              testing::AllOf(testing::HasSubstr("addresses.gpd"),
                             testing::HasSubstr("unreadable dictionary chunk")));

  // Columns that are not addresses do not need the dictionary at all.
  std::vector<ScanProblem> problems;
  int blocks = 0;
  ASSERT_TRUE(ScanBlocks(reader, "eth0", 0, kMaxBlockTime,
                         ColumnSet().Add(Column::kDport).Add(Column::kPktsSent),
                         [&](const BlockInfo&, const BlockColumns&) { return ++blocks; },
                         &problems)
                  .ok());
  EXPECT_EQ(blocks, kBlocks);
  EXPECT_TRUE(problems.empty());

  // The writer will not add to a day whose dictionary it cannot read.
  auto writer = DbWriter::Open(dir_.path());
  ASSERT_TRUE(writer.ok());
  absl::Status s = (*writer)->WriteBlock("eth0", kT0 + 300 * kBlocks, RandomRows(5, 0, 1), {});
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("left untouched"));
}

TEST_F(CorruptionTest, MetadataPointingPastTheFileIsRefusedByTheWriter) {
  std::filesystem::resize_file(File("pkts_rcvd.gpf"), 10);
  auto writer = DbWriter::Open(dir_.path());
  ASSERT_TRUE(writer.ok());
  absl::Status s = (*writer)->WriteBlock("eth0", kT0 + 300 * kBlocks, RandomRows(5, 0, 1), {});
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("pkts_rcvd.gpf is shorter"));
}

}  // namespace
}  // namespace goprobe::godb
