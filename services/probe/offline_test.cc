#include "services/probe/offline.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "services/probe/block_sink.h"
#include "services/probe/test_packets.h"
#include "services/probe/window.h"

namespace goprobe::probe {
namespace {

using namespace ::goprobe::probe::testing;  // NOLINT: test builders
using ::testing::HasSubstr;

constexpr int64_t kSec = 1'000'000'000;

struct StoredBlock {
  godb::BlockInfo info;
  std::vector<flow::FlowRow> rows;
};

std::vector<StoredBlock> ReadBack(const std::string& db, const std::string& iface) {
  std::vector<StoredBlock> out;
  std::vector<godb::ScanProblem> problems;
  godb::DbReader reader(db);
  absl::Status s = godb::ScanBlocks(
      reader, iface, 0, kMaxBlockTime, godb::ColumnSet::All(),
      [&](const godb::BlockInfo& info, const godb::BlockColumns& cols) {
        StoredBlock b{info, {}};
        for (uint32_t i = 0; i < cols.rows; ++i) b.rows.push_back(cols.Row(i));
        out.push_back(std::move(b));
        return true;
      },
      &problems);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(problems.empty());
  return out;
}

absl::StatusOr<OfflineSummary> RunProbe(const std::string& db, std::vector<std::string> files,
                                   bool allow_truncated = false) {
  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(db);
  if (!sink.ok()) return sink.status();
  OfflineOptions options;
  options.files = std::move(files);
  options.iface = "eth0";
  options.allow_truncated = allow_truncated;
  return RunOffline(options, sink->get());
}

Bytes Syn(const char* c, const char* s, uint16_t dport) {
  return Ethernet(0x0800, Ipv4(c, s, 6, Tcp(40000, dport, kSyn)));
}
Bytes SynAck(const char* c, const char* s, uint16_t dport) {
  return Ethernet(0x0800, Ipv4(s, c, 6, Tcp(dport, 40000, kSyn | kAck)));
}

TEST(OfflineTest, BlocksFollowPacketTime) {
  const std::string dir = TestDir();
  // Windows end at 1200, 1500; the last window is flushed at floor(2000.2)+1.
  std::vector<FilePacket> packets = {
      {1000 * kSec + kSec / 2, Syn("10.0.0.1", "10.0.0.2", 80)},
      {1100 * kSec, SynAck("10.0.0.1", "10.0.0.2", 80)},
      {1199 * kSec + 999'999'999, Syn("10.0.0.1", "10.0.0.3", 22)},
      {1200 * kSec, Syn("10.0.0.1", "10.0.0.2", 80)},
      {1190 * kSec, Syn("10.0.0.1", "10.0.0.4", 25)},  // late: counts in the open window
      {2000 * kSec + kSec / 5, Ethernet(0x0806, Bytes(28, 0))},
      {1999 * kSec, Ethernet(0x0800, Bytes(10, 0x45)), 0, 24},  // IPv4 header cut
  };
  ASSERT_TRUE(WritePcap(dir + "/a.pcap", 1, packets, true).ok());
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", {dir + "/a.pcap"});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->blocks, 3u);
  EXPECT_EQ(summary->flows, 4u);
  EXPECT_EQ(summary->totals.packets, 7u);
  EXPECT_EQ(summary->ToString(),
            absl::StrCat("7 packets, ", summary->totals.bytes,
                         " bytes, 4 flows, 3 blocks, 1 skipped, 1 malformed"));

  std::vector<StoredBlock> blocks = ReadBack(dir + "/db", "eth0");
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].info.time, 1200);
  ASSERT_EQ(blocks[0].rows.size(), 2u);
  EXPECT_EQ(blocks[0].rows[0].key.dip.ToString(), "10.0.0.2");
  EXPECT_EQ(blocks[0].rows[0].key.dport, 80);
  EXPECT_EQ(blocks[0].rows[0].counters.pkts_sent, 1u);  // the SYN, from the client
  EXPECT_EQ(blocks[0].rows[0].counters.pkts_rcvd, 1u);  // the SYN-ACK
  EXPECT_EQ(blocks[0].rows[1].key.dport, 22);
  EXPECT_EQ(blocks[0].info.totals.capture.pkts_received, 3u);
  EXPECT_EQ(blocks[1].info.time, 1500);
  ASSERT_EQ(blocks[1].rows.size(), 2u);
  EXPECT_EQ(blocks[1].rows[0].key.dport, 80);
  EXPECT_EQ(blocks[1].rows[1].key.dport, 25);
  // A window with no flow at all is still stored, for its statistics.
  EXPECT_EQ(blocks[2].info.time, 2001);
  EXPECT_TRUE(blocks[2].rows.empty());
  EXPECT_EQ(blocks[2].info.totals.capture.pkts_received, 2u);
  EXPECT_EQ(blocks[2].info.totals.capture.pkts_malformed, 2u);  // ARP and a cut IPv4 header
}

TEST(OfflineTest, FilesAreOneCaptureWhateverTheirFraming) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/1.pcap", 1, {{500 * kSec, Syn("10.0.0.1", "10.0.0.2", 443)}}).ok());
  // Linux cooked: the kernel says the server's answer was outgoing.
  ASSERT_TRUE(WritePcap(dir + "/2.pcap", 113,
                        {{501 * kSec, Sll(4, 0x0800, Ipv4("10.0.0.2", "10.0.0.1", 6,
                                                          Tcp(443, 40000, kAck, 100)))}})
                  .ok());
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", {dir + "/1.pcap", dir + "/2.pcap"});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files, 2u);
  std::vector<StoredBlock> blocks = ReadBack(dir + "/db", "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].info.time, 502);
  ASSERT_EQ(blocks[0].rows.size(), 1u);
  EXPECT_EQ(blocks[0].rows[0].counters.pkts_sent, 2u);
  EXPECT_EQ(blocks[0].rows[0].counters.bytes_sent, 60u + 156u);
}

TEST(OfflineTest, BadInputWritesNothing) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/good.pcap", 1, {{500 * kSec, Syn("10.0.0.1", "10.0.0.2", 443)}}).ok());
  {
    std::ofstream(dir + "/bad.pcap") << "not a capture";
  }
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", {dir + "/good.pcap", dir + "/bad.pcap"});
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.status().message(), HasSubstr(dir + "/bad.pcap"));
  summary = RunProbe(dir + "/db", {dir + "/good.pcap", dir + "/nope.pcap"});
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.status().message(), HasSubstr(dir + "/nope.pcap"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/db/eth0"));
}

TEST(OfflineTest, TruncatedCaptureKeepsWhatWasRead) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/t.pcap", 1,
                        {{500 * kSec, Syn("10.0.0.1", "10.0.0.2", 443)},
                         {501 * kSec, Syn("10.0.0.1", "10.0.0.3", 443)}})
                  .ok());
  std::filesystem::resize_file(dir + "/t.pcap", std::filesystem::file_size(dir + "/t.pcap") - 5);
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db1", {dir + "/t.pcap"});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(summary.status().message(), HasSubstr(dir + "/t.pcap: capture is cut short"));
  std::vector<StoredBlock> blocks = ReadBack(dir + "/db1", "eth0");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].rows.size(), 1u);

  summary = RunProbe(dir + "/db2", {dir + "/t.pcap"}, /*allow_truncated=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->truncated.size(), 1u);
  EXPECT_THAT(summary->truncated[0], HasSubstr("t.pcap"));
  EXPECT_THAT(summary->ToString(), HasSubstr("1 truncated files"));
}

TEST(OfflineTest, ReadsStandardInput) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/in.pcap", 1,
                        {{500 * kSec, Syn("10.0.0.1", "10.0.0.2", 443)},
                         {501 * kSec, SynAck("10.0.0.1", "10.0.0.2", 443)}})
                  .ok());
  const int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  const int in = ::open((dir + "/in.pcap").c_str(), O_RDONLY);
  ASSERT_GE(in, 0);
  ::dup2(in, 0);
  ::close(in);
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", {"-"});
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->totals.packets, 2u);
  EXPECT_EQ(summary->flows, 1u);
}

TEST(OfflineTest, ManyFilesInOrder) {
  // One capture split into many files (as a ring buffer leaves them).
  const std::string dir = TestDir();
  std::vector<std::string> files;
  for (int i = 0; i < 300; ++i) {
    const std::string path = absl::StrCat(dir, "/part", i, ".pcap");
    const int64_t t = (1000 + i) * kSec;
    ASSERT_TRUE(WritePcap(path, 1,
                          {{t, Syn("10.0.0.1", "10.0.0.2", 443)},
                           {t + 1, SynAck("10.0.0.1", "10.0.0.2", 443)}})
                    .ok());
    files.push_back(path);
  }
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", files);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files, 300u);
  EXPECT_EQ(summary->totals.packets, 600u);
  // 1000 .. 1299 s: windows ending 1200 and 1500 (the last one flushed early).
  EXPECT_EQ(summary->blocks, 2u);
  std::vector<StoredBlock> blocks = ReadBack(dir + "/db", "eth0");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].info.time, 1200);
  EXPECT_EQ(blocks[1].info.time, 1300);
  EXPECT_EQ(blocks[0].rows[0].counters.pkts_sent + blocks[1].rows[0].counters.pkts_sent, 300u);
}

TEST(OfflineTest, EmptyCaptureWritesNoBlock) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/e.pcap", 1, {}).ok());
  absl::StatusOr<OfflineSummary> summary = RunProbe(dir + "/db", {dir + "/e.pcap"});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->ToString(), "0 packets, 0 bytes, 0 flows, 0 blocks, 0 skipped, 0 malformed");
}

TEST(OfflineTest, WritingTheSameBlocksTwiceIsRefused) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/a.pcap", 1, {{500 * kSec, Syn("10.0.0.1", "10.0.0.2", 443)}}).ok());
  ASSERT_TRUE(RunProbe(dir + "/db", {dir + "/a.pcap"}).ok());
  absl::StatusOr<OfflineSummary> again = RunProbe(dir + "/db", {dir + "/a.pcap"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("block 501 of eth0"));
}

TEST(OfflineTest, InvalidInterfaceName) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/a.pcap", 1, {}).ok());
  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(dir + "/db");
  ASSERT_TRUE(sink.ok());
  OfflineOptions options;
  options.files = {dir + "/a.pcap"};
  options.iface = "../etc";
  EXPECT_EQ(RunOffline(options, sink->get()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace goprobe::probe
