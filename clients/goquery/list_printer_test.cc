// `goquery list` output in every format, over a goDB written here and read
// back through ListInterfaces, and over hand-made summaries for the cases a
// local goDB cannot produce (hosts, no blocks).

#include "clients/goquery/list_printer.h"

#include <string>
#include <vector>

#include "clients/goquery/interface_lister.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/temp_dir_for_test.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

constexpr int64_t kT0 = 1700000100;  // 2023-11-14 22:15:00 UTC

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

class ListPrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)
                    ->WriteBlock("eth0", kT0,
                                 {Row("10.0.0.1", "10.0.0.2", 443, 6, {1500, 700, 10, 8}),
                                  Row("10.0.0.3", "10.0.0.2", 53, 17, {100, 80, 1, 1})},
                                 {20, 5, 1, 2})
                    .ok());
    ASSERT_TRUE((*writer)
                    ->WriteBlock("eth0", kT0 + 300,
                                 {Row("10.0.0.1", "10.0.0.2", 443, 6, {2048, 1024, 2, 2})},
                                 {4, 0, 0, 0})
                    .ok());
    ASSERT_TRUE(
        (*writer)
            ->WriteBlock("eth1", kT0 + 600,
                         {Row("2001:db8::1", "2001:db8::2", 443, 6, {5000000, 250000, 3500, 1200}),
                          Row("192.168.1.1", "192.168.1.2", 22, 6, {1000000000, 2000, 700000, 1500})},
                         {})
            .ok());
    auto listing = ListInterfaces(godb::DbReader(dir_.path()), query::InterfaceSelector(), 0,
                                  godb::kMaxBlockTime);
    ASSERT_TRUE(listing.ok()) << listing.status();
    list_ = listing->interfaces;
  }

  godb::TempDir dir_;
  std::vector<v1::InterfaceSummary> list_;
};

TEST_F(ListPrinterTest, TextTableLikeGoQuery) {
  EXPECT_EQ(FormatInterfaceList(list_, OutputFormat::kTxt, absl::UTCTimeZone()),
            "          flows   flows   packets  packets      bytes      bytes   drops   drops\n"
            "  iface    IPv4    IPv6        in      out         in        out  kernel   iface  malformed  blocks          first block           last block\n"
            "   eth0  3.00    0.00     13.00    11.00      3.56 kB    1.76 kB  5.00    1.00       2.00         2  2023-11-14 22:15:00  2023-11-14 22:20:00\n"
            "   eth1  1.00    1.00    703.50 k   2.70 k  958.44 MB  246.09 kB  0.00    0.00       0.00         1  2023-11-14 22:25:00  2023-11-14 22:25:00\n"
            "\n"
            "  Total  4.00    1.00    703.51 k   2.71 k  958.45 MB  247.86 kB  5.00    1.00       2.00         3  2023-11-14 22:15:00  2023-11-14 22:25:00\n");
}

TEST_F(ListPrinterTest, TextTimesAreInTheGivenZone) {
  const std::string out = FormatInterfaceList(list_, OutputFormat::kTxt, absl::FixedTimeZone(-5 * 3600));
  EXPECT_NE(out.find("2023-11-14 17:15:00  2023-11-14 17:20:00"), std::string::npos) << out;
}

TEST_F(ListPrinterTest, JsonHasStableKeysAndRawNumbers) {
  const std::string out = FormatInterfaceList(list_, OutputFormat::kJson, absl::UTCTimeZone());
  EXPECT_EQ(out,
            R"([{"iface":"eth0","hostname":"","host_id":0,"bytes_rcvd":3648,"bytes_sent":1804,)"
            R"("packets_rcvd":13,"packets_sent":11,"flows_v4":3,"flows_v6":0,"packets_captured":24,)"
            R"("drops_kernel":5,"drops_iface":1,"malformed":2,"blocks":2,)"
            R"("first":"2023-11-14T22:15:00Z","last":"2023-11-14T22:20:00Z"},)"
            R"({"iface":"eth1","hostname":"","host_id":0,"bytes_rcvd":1005000000,"bytes_sent":252000,)"
            R"("packets_rcvd":703500,"packets_sent":2700,"flows_v4":1,"flows_v6":1,"packets_captured":0,)"
            R"("drops_kernel":0,"drops_iface":0,"malformed":0,"blocks":1,)"
            R"("first":"2023-11-14T22:25:00Z","last":"2023-11-14T22:25:00Z"}])"
            "\n");
  // And it is JSON a program can read back.
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed.at(1).at("bytes_rcvd").get<uint64_t>(), 1005000000u);
}

TEST_F(ListPrinterTest, CsvHasAHeaderAndRawNumbers) {
  EXPECT_EQ(FormatInterfaceList(list_, OutputFormat::kCsv, absl::UTCTimeZone()),
            "iface,hostname,host_id,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,flows_v4,"
            "flows_v6,packets_captured,drops_kernel,drops_iface,malformed,blocks,first,last\n"
            "eth0,,0,3648,1804,13,11,3,0,24,5,1,2,2,1700000100,1700000400\n"
            "eth1,,0,1005000000,252000,703500,2700,1,1,0,0,0,0,1,1700000700,1700000700\n");
}

TEST(ListPrinterEmptyTest, EmptyListInEveryFormat) {
  EXPECT_EQ(FormatInterfaceList({}, OutputFormat::kTxt, absl::UTCTimeZone()), "");
  EXPECT_EQ(FormatInterfaceList({}, OutputFormat::kJson, absl::UTCTimeZone()), "[]\n");
  EXPECT_EQ(FormatInterfaceList({}, OutputFormat::kCsv, absl::UTCTimeZone()).find('\n'),
            FormatInterfaceList({}, OutputFormat::kCsv, absl::UTCTimeZone()).size() - 1);
}

// Summaries from remote hosts name the host; one without blocks has no times.
TEST(ListPrinterHostsTest, HostColumnAndMissingTimes) {
  v1::InterfaceSummary a;
  a.set_iface("eth0");
  a.set_hostname("fw-1, zurich");
  a.set_host_id(42);
  a.mutable_totals()->set_bytes_rcvd(1);
  a.mutable_totals()->set_packets_rcvd(1);
  v1::InterfaceSummary b;
  b.set_iface("eth0");
  b.set_hostname("fw-2");

  const std::string txt = FormatInterfaceList({a, b}, OutputFormat::kTxt, absl::UTCTimeZone());
  EXPECT_EQ(txt,
            "                        flows   flows  packets  packets    bytes    bytes   drops   drops\n"
            "          host  iface    IPv4    IPv6       in      out       in      out  kernel   iface  malformed  blocks  first block  last block\n"
            "  fw-1, zurich   eth0  0.00    0.00     1.00     0.00    1.00  B  0.00  B  0.00    0.00       0.00         0\n"
            "          fw-2   eth0  0.00    0.00     0.00     0.00    0.00  B  0.00  B  0.00    0.00       0.00         0\n"
            "\n"
            "                Total  0.00    0.00     1.00     0.00    1.00  B  0.00  B  0.00    0.00       0.00         0\n");

  const auto json = nlohmann::json::parse(FormatInterfaceList({a, b}, OutputFormat::kJson, absl::UTCTimeZone()));
  EXPECT_EQ(json.at(0).at("hostname"), "fw-1, zurich");
  EXPECT_EQ(json.at(0).at("host_id"), 42);
  EXPECT_TRUE(json.at(1).at("first").is_null());
  EXPECT_TRUE(json.at(1).at("last").is_null());

  const std::string csv = FormatInterfaceList({a, b}, OutputFormat::kCsv, absl::UTCTimeZone());
  EXPECT_NE(csv.find("\neth0,\"fw-1, zurich\",42,1,0,1,0,0,0,0,0,0,0,0,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\neth0,fw-2,0,0,0,0,0,0,0,0,0,0,0,0,,\n"), std::string::npos) << csv;
}

}  // namespace
}  // namespace goprobe::goquery
