// Writer and reader together: what is written is what is read.

#include <algorithm>
#include <filesystem>
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

constexpr int64_t kT0 = 1700000100;  // 2023-11-14 22:15:00 UTC, a block boundary

std::vector<flow::FlowRow> Sorted(std::vector<flow::FlowRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const flow::FlowRow& a, const flow::FlowRow& b) { return a.key < b.key; });
  return rows;
}

// Every row of every block of iface in [first, last], in storage order.
std::vector<std::vector<flow::FlowRow>> ReadAll(const std::string& db, const std::string& iface,
                                                int64_t first = 0,
                                                int64_t last = kMaxBlockTime,
                                                std::vector<ScanProblem>* problems = nullptr) {
  std::vector<ScanProblem> local;
  std::vector<std::vector<flow::FlowRow>> blocks;
  DbReader reader(db);
  absl::Status s = ScanBlocks(
      reader, iface, first, last, ColumnSet::All(),
      [&](const BlockInfo&, const BlockColumns& cols) {
        std::vector<flow::FlowRow> rows;
        for (uint32_t i = 0; i < cols.rows; ++i) rows.push_back(cols.Row(i));
        blocks.push_back(std::move(rows));
        return true;
      },
      problems ? problems : &local);
  EXPECT_TRUE(s.ok()) << s;
  return blocks;
}

TEST(DbTest, RoundTripsIpv4AndIpv6Rows) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  const auto rows = RandomRows(5000, 0.3, 1);
  CaptureStats capture{6000, 3, 1, 2};
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, rows, capture).ok());

  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0], Sorted(rows));

  DbReader reader(dir.path());
  auto days = reader.Days("eth0", kT0, kT0);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  auto day = DayReader::Open((*days)[0]);
  ASSERT_TRUE(day.ok()) << day.status();
  const BlockInfo& b = (*day)->metadata().blocks[0];
  EXPECT_EQ(b.time, kT0);
  EXPECT_EQ(b.rows, 5000u);
  EXPECT_EQ(b.totals.flows_v4 + b.totals.flows_v6, 5000u);
  EXPECT_EQ(b.totals.capture, capture);
  flow::Counters sum;
  for (const auto& r : rows) sum += r.counters;
  EXPECT_EQ(b.totals.traffic, sum);
  EXPECT_EQ((*day)->metadata().totals, b.totals);
}

TEST(DbTest, CodecsAllRoundTrip) {
  for (Codec codec : {Codec::kNone, Codec::kLz4, Codec::kZstd}) {
    TempDir dir;
    WriterOptions options;
    options.codec = codec;
    auto writer = DbWriter::Open(dir.path(), options);
    ASSERT_TRUE(writer.ok());
    const auto rows = RandomRows(3000, 0.5, 2);
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, rows, {}).ok());
    auto blocks = ReadAll(dir.path(), "eth0");
    ASSERT_EQ(blocks.size(), 1u) << CodecName(codec);
    EXPECT_EQ(blocks[0], Sorted(rows)) << CodecName(codec);
  }
}

TEST(DbTest, EmptyBlocksAreStoredAndCountCapture) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, {}, {10, 10, 0, 0}).ok());
  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0].empty());
  auto has = (*writer)->HasBlock("eth0", kT0);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
}

TEST(DbTest, Ipv6OnlyAndIpv4OnlyBlocks) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  const auto v6 = RandomRows(200, 1.0, 3);
  const auto v4 = RandomRows(200, 0.0, 4);
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, v6, {}).ok());
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300, v4, {}).ok());
  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], Sorted(v6));
  EXPECT_EQ(blocks[1], Sorted(v4));
}

TEST(DbTest, DuplicateBlockTimeIsRejectedAndChangesNothing) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  const auto rows = RandomRows(100, 0.2, 5);
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, rows, {}).ok());
  absl::Status again = (*writer)->WriteBlock("eth0", kT0, RandomRows(50, 0.2, 6), {});
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0], Sorted(rows));
  // The same time on another interface is a different block.
  EXPECT_TRUE((*writer)->WriteBlock("eth1", kT0, rows, {}).ok());
}

TEST(DbTest, DuplicateKeysInABlockAreMerged) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  auto rows = RandomRows(10, 0.0, 7);
  rows.push_back(rows[3]);
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, rows, {}).ok());
  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].size(), 10u);
  for (const auto& r : blocks[0]) {
    if (r.key == rows[3].key) {
      EXPECT_EQ(r.counters.bytes_rcvd, 2 * rows[3].counters.bytes_rcvd);
      EXPECT_EQ(r.counters.pkts_sent, 2 * rows[3].counters.pkts_sent);
    }
  }
}

TEST(DbTest, BlocksComeBackInTimeOrderAcrossDaysWhateverTheWriteOrder) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  const int64_t day = DayStart(kT0);
  const std::vector<int64_t> times = {day + 600, day + 300, day + kSecondsPerDay + 300, day + 900,
                                      day - 300};
  for (size_t i = 0; i < times.size(); ++i) {
    ASSERT_TRUE((*writer)->WriteBlock("eth0", times[i], RandomRows(20, 0.1, i), {}).ok());
  }
  std::vector<int64_t> seen;
  std::vector<ScanProblem> problems;
  DbReader reader(dir.path());
  ASSERT_TRUE(ScanBlocks(reader, "eth0", 0, kMaxBlockTime, ColumnSet().Add(Column::kDport),
                         [&](const BlockInfo& b, const BlockColumns&) {
                           seen.push_back(b.time);
                           return true;
                         },
                         &problems)
                  .ok());
  std::vector<int64_t> want = times;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
  EXPECT_TRUE(problems.empty());

  // Time range prunes days and blocks; the range is inclusive.
  auto days = reader.Days("eth0", day + 300, day + 600);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ(ReadAll(dir.path(), "eth0", day + 300, day + 600).size(), 2u);
}

TEST(DbTest, ListsInterfacesAndIgnoresStrayEntries) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  for (const char* iface : {"eth1", "eth0", "wlan0"}) {
    ASSERT_TRUE((*writer)->WriteBlock(iface, kT0, RandomRows(5, 0, 1), {}).ok());
  }
  std::filesystem::create_directories(dir.path() + "/.hidden");
  std::filesystem::create_directories(dir.path() + "/eth0/notayear/01/01");
  DbReader reader(dir.path());
  auto ifaces = reader.Interfaces();
  ASSERT_TRUE(ifaces.ok());
  EXPECT_THAT(*ifaces, testing::ElementsAre("eth0", "eth1", "wlan0"));
  auto days = reader.Days("eth0", 0, kMaxBlockTime);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 1u);
}

TEST(DbTest, ReadsOnlyTheColumnsAsked) {
  TempDir dir;
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, RandomRows(100, 0.2, 8), {}).ok());
  }
  const std::string day_dir = DayDirectory(dir.path(), "eth0", DayStart(kT0));
  // Without the dip file, a query on dport and bytes still works.
  std::filesystem::remove(day_dir + "/dip.gpf");
  DbReader reader(dir.path());
  std::vector<ScanProblem> problems;
  int blocks = 0;
  ASSERT_TRUE(ScanBlocks(reader, "eth0", 0, kMaxBlockTime,
                         ColumnSet().Add(Column::kDport).Add(Column::kBytesRcvd),
                         [&](const BlockInfo&, const BlockColumns& cols) {
                           EXPECT_EQ(cols.dport.size(), 100u);
                           EXPECT_EQ(cols.bytes_rcvd.size(), 100u);
                           ++blocks;
                           return true;
                         },
                         &problems)
                  .ok());
  EXPECT_EQ(blocks, 1);
  EXPECT_TRUE(problems.empty());
}

// A block read at chosen rows agrees with the whole block at those rows,
// in both address families.
TEST(DbTest, ReadsChosenRowsOfAddressesAndCounters) {
  TempDir dir;
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, RandomRows(3000, 0.3, 21), {}).ok());
  }
  DbReader db(dir.path());
  auto days = db.Days("eth0", 0, kMaxBlockTime);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  auto reader = DayReader::Open((*days)[0]);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ColumnSet all;
  for (Column c : kAllColumns) all.Add(c);
  BlockColumns whole, chosen;
  ASSERT_TRUE((*reader)->ReadBlock(0, all, &whole).ok());
  ASSERT_GT(whole.v4_rows, 0u);
  ASSERT_LT(whole.v4_rows, whole.rows);
  std::vector<uint32_t> rows;
  for (uint32_t i = 1; i < whole.rows; i += 5) rows.push_back(i);
  ASSERT_TRUE((*reader)->ReadBlock(0, all, &chosen, &rows).ok());
  for (uint32_t i : rows) {
    SCOPED_TRACE(i);
    if (i < whole.v4_rows) {
      ASSERT_EQ(chosen.sip4[i], whole.sip4[i]);
      ASSERT_EQ(chosen.dip4[i], whole.dip4[i]);
    } else {
      const uint32_t j = i - whole.v4_rows;
      ASSERT_EQ(chosen.sip6[j], whole.sip6[j]);
      ASSERT_EQ(chosen.dip6[j], whole.dip6[j]);
      ASSERT_EQ(chosen.sip6_index[j], whole.sip6_index[j]);
      ASSERT_EQ(chosen.dip6_index[j], whole.dip6_index[j]);
    }
    ASSERT_EQ(chosen.dport[i], whole.dport[i]);
    ASSERT_EQ(chosen.proto[i], whole.proto[i]);
    ASSERT_EQ(chosen.bytes_rcvd[i], whole.bytes_rcvd[i]);
    ASSERT_EQ(chosen.bytes_sent[i], whole.bytes_sent[i]);
    ASSERT_EQ(chosen.pkts_rcvd[i], whole.pkts_rcvd[i]);
    ASSERT_EQ(chosen.pkts_sent[i], whole.pkts_sent[i]);
  }
}

TEST(DbTest, OneWriterAtATime) {
  TempDir dir;
  auto first = DbWriter::Open(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = DbWriter::Open(dir.path());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  first->reset();
  EXPECT_TRUE(DbWriter::Open(dir.path()).ok());
}

TEST(DbTest, RejectsBadInputNamingIt) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  for (const char* bad : {"", "../etc", "a/b", ".x", "eth 0"}) {
    absl::Status s = (*writer)->WriteBlock(bad, kT0, {}, {});
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument((*writer)->WriteBlock("eth0", -300, {}, {})));
  std::vector<flow::FlowRow> mixed(1);
  mixed[0].key.sip = flow::IpAddress::V4(1u);
  mixed[0].key.dip = *flow::IpAddress::Parse("::1");
  absl::Status s = (*writer)->WriteBlock("eth0", kT0, mixed, {});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), testing::HasSubstr("mixes IPv4 and IPv6"));
}

TEST(DbTest, ReopenedWriterAppendsToExistingDay) {
  TempDir dir;
  const auto a = RandomRows(100, 0.2, 9), b = RandomRows(100, 0.2, 10);
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, a, {}).ok());
  }
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    auto has = (*writer)->HasBlock("eth0", kT0);
    ASSERT_TRUE(has.ok() && *has);
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300, b, {}).ok());
  }
  auto blocks = ReadAll(dir.path(), "eth0");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], Sorted(a));
  EXPECT_EQ(blocks[1], Sorted(b));
}

}  // namespace
}  // namespace goprobe::godb
