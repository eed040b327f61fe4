// The importer against a real goDB in a temporary directory: what goes in as
// CSV comes back out of DbReader/ScanBlocks.

#include "clients/goconvert/importer.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "clients/goconvert/godb_sink.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::goconvert {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHeader[] = "iface,tstamp,sip,dip,dport,proto,bytes_rcvd,bytes_sent,pkts_rcvd,pkts_sent\n";

struct Block {
  int64_t time;
  std::vector<flow::FlowRow> rows;
  friend bool operator==(const Block& a, const Block& b) {
    return a.time == b.time && a.rows == b.rows;
  }
};

flow::FlowRow Row(const char* sip, const char* dip, uint16_t dport, uint8_t proto,
                  flow::Counters c) {
  flow::FlowRow r;
  r.key.sip = *flow::IpAddress::Parse(sip);
  r.key.dip = *flow::IpAddress::Parse(dip);
  r.key.dport = dport;
  r.key.proto = proto;
  r.counters = c;
  return r;
}

std::vector<flow::FlowRow> Sorted(std::vector<flow::FlowRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const flow::FlowRow& a, const flow::FlowRow& b) { return a.key < b.key; });
  return rows;
}

std::vector<Block> ReadBack(const std::string& db, const std::string& iface) {
  std::vector<Block> blocks;
  std::vector<godb::ScanProblem> problems;
  godb::DbReader reader(db);
  absl::Status s = godb::ScanBlocks(
      reader, iface, 0, godb::kMaxBlockTime, godb::ColumnSet::All(),
      [&](const godb::BlockInfo& info, const godb::BlockColumns& cols) {
        Block b{info.time, {}};
        for (uint32_t i = 0; i < cols.rows; ++i) b.rows.push_back(cols.Row(i));
        blocks.push_back(std::move(b));
        return true;
      },
      &problems);
  // An interface never written has no directory: no blocks.
  EXPECT_TRUE(s.ok() || absl::IsNotFound(s)) << s;
  EXPECT_TRUE(problems.empty());
  return blocks;
}

std::vector<std::string> Interfaces(const std::string& db) {
  auto ifaces = godb::DbReader(db).Interfaces();
  return ifaces.ok() ? *ifaces : std::vector<std::string>{};
}

class ImporterTest : public ::testing::Test {
 protected:
  // Imports `csv` into the test's database with a fresh writer, as one run
  // of goconvert would.
  absl::Status Import(const std::string& csv, ImportOptions options = {}) {
    std::istringstream in(csv);
    auto reader = CsvFlowReader::Open(&in, "in.csv", {"eth0", ""});
    EXPECT_TRUE(reader.ok()) << reader.status();
    if (!reader.ok()) return reader.status();
    auto sink = GodbSink::Open(dir_.path());
    EXPECT_TRUE(sink.ok()) << sink.status();
    if (!sink.ok()) return sink.status();
    options.on_skip = [this](const absl::Status& s) { skipped_.emplace_back(s.message()); };
    Importer importer(sink->get(), options);
    absl::Status s = importer.Run(reader->get());
    stats_ = importer.stats();
    return s;
  }

  godb::TempDir dir_;
  ImportStats stats_;
  std::vector<std::string> skipped_;
};

TEST_F(ImporterTest, OneBlockPerTimestampPerInterfaceWithEqualKeysSummed) {
  const std::string csv = std::string(kHeader) +
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,100,200,1,2\n"
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,10,20,3,4\n"   // same key
                          "eth1,1700000100,2001:db8::1,2001:db8::2,53,17,5,6,1,1\n"
                          "eth0,1700000100,10.0.0.3,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,7,8,1,1\n"
                          "eth1,1700000400,2001:db8::1,2001:db8::2,53,17,5,6,1,1\n"
                          ",1700000700,10.0.0.1,10.0.0.2,22,tcp,1,0,1,0\n";  // default iface
  ASSERT_TRUE(Import(csv).ok());

  EXPECT_THAT(Interfaces(dir_.path()), ElementsAre("eth0", "eth1"));
  EXPECT_THAT(
      ReadBack(dir_.path(), "eth0"),
      ElementsAre(Block{1700000100, Sorted({Row("10.0.0.1", "10.0.0.2", 443, 6, {110, 220, 4, 6}),
                                            Row("10.0.0.3", "10.0.0.2", 443, 6, {1, 1, 1, 1})})},
                  Block{1700000400, {Row("10.0.0.1", "10.0.0.2", 443, 6, {7, 8, 1, 1})}},
                  Block{1700000700, {Row("10.0.0.1", "10.0.0.2", 22, 6, {1, 0, 1, 0})}}));
  EXPECT_THAT(ReadBack(dir_.path(), "eth1"),
              ElementsAre(Block{1700000100, {Row("2001:db8::1", "2001:db8::2", 53, 17, {5, 6, 1, 1})}},
                          Block{1700000400, {Row("2001:db8::1", "2001:db8::2", 53, 17, {5, 6, 1, 1})}}));

  EXPECT_EQ(stats_.rows_read, 7);
  EXPECT_EQ(stats_.rows_written, 7);
  EXPECT_EQ(stats_.flows_written, 6);
  EXPECT_EQ(stats_.blocks_written, 5);
  EXPECT_EQ(stats_.interfaces_written.size(), 2u);
}

TEST_F(ImporterTest, ManyRowsRoundTrip) {
  std::string csv = kHeader;
  std::vector<flow::FlowRow> expected;
  for (int i = 0; i < 3000; ++i) {
    const std::string sip = absl::StrCat("10.1.", i / 250, ".", i % 250);
    absl::StrAppend(&csv, "eth0,1700000100,", sip, ",192.168.0.1,", 1000 + i, ",6,", i * 1000ull,
                    ",", i, ",", i + 1, ",", i % 3, "\n");
    expected.push_back(Row(sip.c_str(), "192.168.0.1", uint16_t(1000 + i), 6,
                           {uint64_t(i) * 1000, uint64_t(i), uint64_t(i + 1), uint64_t(i % 3)}));
  }
  ASSERT_TRUE(Import(csv).ok());
  EXPECT_THAT(ReadBack(dir_.path(), "eth0"), ElementsAre(Block{1700000100, Sorted(expected)}));
}

TEST_F(ImporterTest, BadLineStopsAndNothingOfItsBlockIsWritten) {
  const std::string csv = std::string(kHeader) +
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth1,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.9,10.0.0.2,70000,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.8,10.0.0.2,80,6,1,1,1,1\n";
  absl::Status s = Import(csv);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "in.csv:5: column dport: 70000 is not a port (0-65535)");
  // The block finished before the bad line is stored; the two being
  // collected (eth0's and eth1's at 1700000400) are not.
  EXPECT_THAT(ReadBack(dir_.path(), "eth0"),
              ElementsAre(Block{1700000100, {Row("10.0.0.1", "10.0.0.2", 443, 6, {1, 1, 1, 1})}}));
  EXPECT_TRUE(ReadBack(dir_.path(), "eth1").empty());
  EXPECT_EQ(stats_.blocks_written, 1);
  EXPECT_EQ(stats_.rows_read, 4);
  EXPECT_EQ(stats_.rows_unwritten, 3);  // two collected, and the bad one
}

TEST_F(ImporterTest, TimeGoingBackwardsIsRejectedNamingTheColumn) {
  const std::string csv = std::string(kHeader) +
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth1,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"  // other iface: fine
                          "eth0,1700000700,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n";
  absl::Status s = Import(csv);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(),
            "in.csv:5: column tstamp: 1700000100 is before 1700000700, the time of the previous "
            "block of eth0; each interface's rows must be in time order");
  EXPECT_EQ(ReadBack(dir_.path(), "eth0").size(), 1u);  // 1700000400 was finished
  EXPECT_TRUE(ReadBack(dir_.path(), "eth1").empty());
}

TEST_F(ImporterTest, SkipBadCountsAndSkipsBadLinesOnly) {
  const std::string csv = std::string(kHeader) +
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000100,10.0.0.1,10.0.0.256,443,6,1,1,1,1\n"
                          "eth0,1700000100,10.0.0.3,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"   // backwards
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1\n";   // short
  ImportOptions options;
  options.skip_bad = true;
  ASSERT_TRUE(Import(csv, options).ok());
  EXPECT_EQ(stats_.bad_rows_skipped, 3);
  EXPECT_EQ(stats_.rows_read, 6);
  EXPECT_EQ(stats_.rows_written, 3);
  EXPECT_EQ(stats_.blocks_written, 2);
  ASSERT_EQ(skipped_.size(), 3u);
  EXPECT_THAT(skipped_[0], StartsWith("in.csv:3: column dip:"));
  EXPECT_THAT(skipped_[1], StartsWith("in.csv:6: column tstamp:"));
  EXPECT_THAT(skipped_[2], StartsWith("in.csv:7: column pkts_sent: missing"));
  EXPECT_THAT(ReadBack(dir_.path(), "eth0"),
              ElementsAre(Block{1700000100, Sorted({Row("10.0.0.1", "10.0.0.2", 443, 6, {1, 1, 1, 1}),
                                                    Row("10.0.0.3", "10.0.0.2", 443, 6, {1, 1, 1, 1})})},
                          Block{1700000400, {Row("10.0.0.1", "10.0.0.2", 443, 6, {1, 1, 1, 1})}}));
}

TEST_F(ImporterTest, BlockAlreadyStoredIsReportedOrSkipped) {
  const std::string first = std::string(kHeader) +
                            "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n";
  ASSERT_TRUE(Import(first).ok());

  const std::string again = std::string(kHeader) +
                            "eth0,1700000100,10.0.0.5,10.0.0.2,443,6,9,9,9,9\n"
                            "eth0,1700000100,10.0.0.6,10.0.0.2,443,6,9,9,9,9\n"
                            "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,2,2,2,2\n";
  absl::Status s = Import(again);
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_EQ(s.message(),
            "in.csv:2-3: block 2023-11-14T22:15:00Z (1700000100) of eth0 is already stored; "
            "nothing of it was written (--skip-existing skips such blocks)");
  EXPECT_EQ(ReadBack(dir_.path(), "eth0").size(), 1u);

  ImportOptions options;
  options.skip_existing = true;
  ASSERT_TRUE(Import(again, options).ok());
  EXPECT_EQ(stats_.existing_blocks_skipped, 1);
  EXPECT_EQ(stats_.existing_rows_skipped, 2);
  EXPECT_EQ(stats_.blocks_written, 1);
  ASSERT_EQ(skipped_.size(), 1u);
  EXPECT_THAT(skipped_[0], StartsWith("in.csv:2-3: block 2023-11-14T22:15:00Z (1700000100) of eth0 "
                                      "is already stored"));
  // The stored block is unchanged; the new one is added.
  EXPECT_THAT(ReadBack(dir_.path(), "eth0"),
              ElementsAre(Block{1700000100, {Row("10.0.0.1", "10.0.0.2", 443, 6, {1, 1, 1, 1})}},
                          Block{1700000400, {Row("10.0.0.1", "10.0.0.2", 443, 6, {2, 2, 2, 2})}}));
}

TEST_F(ImporterTest, MaxRowsStopsEarlyAndWritesWhatWasRead) {
  const std::string csv = std::string(kHeader) +
                          "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                          "eth0,1700000700,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n";
  ImportOptions options;
  options.max_rows = 2;
  ASSERT_TRUE(Import(csv, options).ok());
  EXPECT_EQ(stats_.rows_read, 2);
  EXPECT_EQ(ReadBack(dir_.path(), "eth0").size(), 2u);
}

TEST_F(ImporterTest, SecondWriterIsRefusedWithAHint) {
  auto holder = GodbSink::Open(dir_.path());
  ASSERT_TRUE(holder.ok());
  auto second = GodbSink::Open(dir_.path());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status()));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("is a gostore writing to it?"));
}

TEST(ImporterCheckTest, DiscardSinkValidatesWithoutWriting) {
  std::istringstream in(std::string(kHeader) +
                        "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                        "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n");
  auto reader = CsvFlowReader::Open(&in, "in.csv", {});
  ASSERT_TRUE(reader.ok());
  DiscardSink sink;
  Importer importer(&sink, {});
  ASSERT_TRUE(importer.Run(reader->get()).ok());
  EXPECT_EQ(importer.stats().blocks_written, 2);
  EXPECT_EQ(importer.stats().rows_written, 2);
}

// A sink that fails: the error says where the block came from.
class FailingSink : public BlockSink {
 public:
  explicit FailingSink(absl::Status status) : status_(std::move(status)) {}
  absl::Status WriteBlock(absl::string_view, int64_t, absl::Span<const flow::FlowRow>,
                          const BlockOrigin&) override {
    return status_;
  }

 private:
  absl::Status status_;
};

TEST(ImporterSinkErrorTest, SinkErrorsNameTheLinesOfTheBlock) {
  std::istringstream in(std::string(kHeader) +
                        "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                        "eth0,1700000100,10.0.0.2,10.0.0.2,443,6,1,1,1,1\n");
  auto reader = CsvFlowReader::Open(&in, "in.csv", {});
  ASSERT_TRUE(reader.ok());
  FailingSink sink(absl::UnavailableError("disk full"));
  Importer importer(&sink, {});
  absl::Status s = importer.Run(reader->get());
  EXPECT_TRUE(absl::IsUnavailable(s));
  EXPECT_EQ(s.message(),
            "in.csv:2-3: writing block 2023-11-14T22:15:00Z (1700000100) of eth0: disk full");
  EXPECT_EQ(importer.stats().rows_unwritten, 2);
}

// --skip-bad skips bad lines, never a block the sink refused, whatever the
// sink's error code.
TEST(ImporterSinkErrorTest, SkipBadDoesNotSkipSinkErrors) {
  std::istringstream in(std::string(kHeader) +
                        "eth0,1700000100,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                        "eth0,1700000400,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n"
                        "eth0,1700000700,10.0.0.1,10.0.0.2,443,6,1,1,1,1\n");
  auto reader = CsvFlowReader::Open(&in, "in.csv", {});
  ASSERT_TRUE(reader.ok());
  FailingSink sink(absl::InvalidArgumentError("refused"));
  ImportOptions options;
  options.skip_bad = true;
  Importer importer(&sink, options);
  absl::Status s = importer.Run(reader->get());
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "in.csv:2: writing block 2023-11-14T22:15:00Z (1700000100) of eth0: refused");
  EXPECT_EQ(importer.stats().bad_rows_skipped, 0);
  EXPECT_EQ(importer.stats().rows_read, 2);
}

}  // namespace
}  // namespace goprobe::goconvert
