// goprobe's offline mode over every capture in tests/data/pcaps, compared with
// expectations derived from tshark's decoding (tests/golden/make_golden.py,
// which shares no code with goprobe). Each capture is read into a fresh goDB
// and what the goDB reader returns is compared block by block: every flow's
// four counters, the totals per unordered IP pair, the packets read and the
// packets in no flow.
//
// Regenerate the expectations after changing a capture or a rule:
//   python3 tests/golden/make_golden.py tests/data/pcaps tests/golden/expected
//
// Deliberate differences from a naive per-packet count, all of which the
// generator applies the same way (so none needs an exception here):
// - Both directions of a conversation are one flow, oriented by goProbe v4's
//   rules; sport is not in the key.
// - A later fragment counts in its first fragment's flow; one whose first
//   fragment was never seen (ndpi__ip_fragmented_garbage.pcap,
//   zeek__ipv6-fragmented-dns.pcap) counts under its addresses and protocol
//   with port 0.
// - Ports count for TCP and UDP only: SCTP (zeek__communityid-sctp.pcap) is
//   stored under port 0, where a port-aware decoder would use its port.
// - A TCP/UDP packet cut before its ports (goprobe__truncated.pcap) counts
//   under port 0.
// - Tunnels are not opened: IPv4 in IPv6 (goprobe__default.pcap, DS-Lite over
//   PPPoE) counts as protocol 4 between the tunnel endpoints.
// - pcapng custom blocks (gopacket__be-test202.pcapng), which tshark lists as
//   records, are not packets.
// The generator also cross-checks its pair totals against a second decoder
// (--ref-agg): they agree on every capture that decoder reads (it does not
// read NFLOG).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/flow/flow.h"
#include "lib/flow/ip_address.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/temp_dir_for_test.h"
#include "services/probe/block_sink.h"
#include "services/probe/offline.h"

namespace goprobe::probe {
namespace {

namespace fs = std::filesystem;

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/goprobe_cpp/" + rel;
}

std::vector<std::string> Captures() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(Runfile("tests/golden/expected"), ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 7 && n.substr(n.size() - 7) == ".golden") names.push_back(n.substr(0, n.size() - 7));
  }
  std::sort(names.begin(), names.end());
  return names;
}

using RowKey = std::tuple<int64_t, flow::FlowKey>;

struct Expected {
  uint64_t packets = 0, bytes = 0, unplaced = 0;
  std::map<RowKey, flow::Counters> rows;
  std::map<std::pair<flow::IpAddress, flow::IpAddress>, std::pair<uint64_t, uint64_t>> pairs;
};

flow::IpAddress Ip(absl::string_view s) {
  absl::StatusOr<flow::IpAddress> ip = flow::IpAddress::Parse(s);
  EXPECT_TRUE(ip.ok()) << s;
  return ip.ok() ? *ip : flow::IpAddress();
}

uint64_t U(absl::string_view s) {
  uint64_t v = 0;
  EXPECT_TRUE(absl::SimpleAtoi(s, &v)) << s;
  return v;
}

Expected ReadGolden(const std::string& path) {
  Expected e;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ',');
    if (f[0] == "summary" && f.size() == 4) {
      e.packets = U(f[1]);
      e.bytes = U(f[2]);
      e.unplaced = U(f[3]);
    } else if (f[0] == "block" && f.size() == 10) {
      flow::FlowKey k{Ip(f[2]), Ip(f[3]), uint16_t(U(f[4])), uint8_t(U(f[5]))};
      e.rows[{int64_t(U(f[1])), k}] = flow::Counters{U(f[6]), U(f[7]), U(f[8]), U(f[9])};
    } else if (f[0] == "pair" && f.size() == 5) {
      e.pairs[{Ip(f[1]), Ip(f[2])}] = {U(f[3]), U(f[4])};
    } else {
      ADD_FAILURE() << path << ": bad line " << line;
    }
  }
  return e;
}

std::string Describe(const RowKey& k) {
  const flow::FlowKey& f = std::get<1>(k);
  return absl::StrCat("block ", std::get<0>(k), " ", f.sip.ToString(), " -> ", f.dip.ToString(),
                      " dport ", f.dport, " proto ", f.proto);
}

std::string Describe(const flow::Counters& c) {
  return absl::StrCat("bytes rcvd/sent ", c.bytes_rcvd, "/", c.bytes_sent, ", packets rcvd/sent ",
                      c.pkts_rcvd, "/", c.pkts_sent);
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST(GoldenSetTest, EveryCaptureHasExpectations) {
  // A missing expectation would silently test less.
  std::vector<std::string> pcaps;
  for (const auto& e : fs::directory_iterator(Runfile("tests/data/pcaps"))) {
    const std::string n = e.path().filename().string();
    if (n != "BUILD.bazel" && n != "MANIFEST" && n != "LICENSES") pcaps.push_back(n);
  }
  std::sort(pcaps.begin(), pcaps.end());
  EXPECT_EQ(pcaps, Captures());
  EXPECT_GE(pcaps.size(), 47u);
}

TEST_P(GoldenTest, MatchesTshark) {
  const std::string name = GetParam();
  const Expected want = ReadGolden(Runfile("tests/golden/expected/" + name + ".golden"));

  godb::TempDir dir;
  godb::WriterOptions wopts;
  wopts.sync = false;  // durability is the writer's own tests' business
  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(dir.path() + "/db", wopts);
  ASSERT_TRUE(sink.ok()) << sink.status();
  OfflineOptions options;
  options.files = {Runfile("tests/data/pcaps/" + name)};
  options.iface = "golden";
  absl::StatusOr<OfflineSummary> summary = RunOffline(options, sink->get());
  ASSERT_TRUE(summary.ok()) << summary.status();
  sink->reset();

  EXPECT_EQ(summary->totals.packets, want.packets);
  EXPECT_EQ(summary->totals.bytes, want.bytes);

  std::map<RowKey, flow::Counters> got;
  std::map<std::pair<flow::IpAddress, flow::IpAddress>, std::pair<uint64_t, uint64_t>> pairs;
  uint64_t received = 0, unplaced = 0;
  if (want.packets > 0) {
    std::vector<godb::ScanProblem> problems;
    absl::Status s = godb::ScanBlocks(
        godb::DbReader(dir.path() + "/db"), "golden", 0, 253402300799, godb::ColumnSet::All(),
        [&](const godb::BlockInfo& info, const godb::BlockColumns& cols) {
          received += info.totals.capture.pkts_received;
          unplaced += info.totals.capture.pkts_malformed;
          for (uint32_t i = 0; i < cols.rows; ++i) {
            const flow::FlowRow r = cols.Row(i);
            got[{info.time, r.key}] = r.counters;
            auto ends = std::minmax(r.key.sip, r.key.dip);
            auto& p = pairs[{ends.first, ends.second}];
            p.first += r.counters.pkts_rcvd + r.counters.pkts_sent;
            p.second += r.counters.bytes_rcvd + r.counters.bytes_sent;
          }
          return true;
        },
        &problems);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_TRUE(problems.empty());
  }
  EXPECT_EQ(received, want.packets);
  EXPECT_EQ(unplaced, want.unplaced);

  int shown = 0;
  for (const auto& [k, c] : want.rows) {
    auto it = got.find(k);
    if (it == got.end()) {
      ADD_FAILURE() << name << ": missing " << Describe(k) << " (" << Describe(c) << ")";
    } else if (it->second != c) {
      ADD_FAILURE() << name << ": " << Describe(k) << ": got " << Describe(it->second)
                    << ", tshark " << Describe(c);
    }
    if (::testing::Test::HasFailure() && ++shown > 20) return;
  }
  for (const auto& [k, c] : got) {
    if (!want.rows.count(k)) {
      ADD_FAILURE() << name << ": unexpected " << Describe(k) << " (" << Describe(c) << ")";
      if (++shown > 20) return;
    }
  }
  EXPECT_EQ(got.size(), want.rows.size());
  EXPECT_TRUE(pairs == want.pairs) << name << ": pair totals differ";
}

INSTANTIATE_TEST_SUITE_P(Captures, GoldenTest, ::testing::ValuesIn(Captures()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace goprobe::probe
