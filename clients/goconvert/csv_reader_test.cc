#include "clients/goconvert/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goconvert {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHeader[] = "bytes_rcvd,bytes_sent,dip,dport,packets_rcvd,packets_sent,proto,sip,tstamp\n";

struct Read {
  std::vector<CsvRecord> records;
  std::vector<std::string> errors;
};

absl::StatusOr<std::unique_ptr<CsvFlowReader>> OpenText(std::istringstream* in,
                                                        CsvReaderOptions options = {}) {
  return CsvFlowReader::Open(in, "flows.csv", std::move(options));
}

// Reads every line, collecting records and line errors.
Read ReadAll(const std::string& text, CsvReaderOptions options = {"eth0", ""}) {
  std::istringstream in(text);
  auto reader = OpenText(&in, options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  Read out;
  if (!reader.ok()) return out;
  while (true) {
    CsvRecord r;
    absl::StatusOr<bool> got = (*reader)->Next(&r);
    if (got.ok() && !*got) break;
    if (got.ok()) {
      out.records.push_back(r);
    } else {
      EXPECT_TRUE(absl::IsInvalidArgument(got.status())) << got.status();
      out.errors.emplace_back(got.status().message());
    }
  }
  return out;
}

// The single error of a file made of the header and `line`.
std::string LineError(const std::string& line, const std::string& header = kHeader) {
  Read r = ReadAll(header + line + "\n");
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.errors.size(), 1u);
  return r.errors.empty() ? "" : r.errors[0];
}

std::string OpenError(const std::string& text, CsvReaderOptions options = {"eth0", ""}) {
  std::istringstream in(text);
  auto reader = OpenText(&in, options);
  EXPECT_FALSE(reader.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(reader.status())) << reader.status();
  return std::string(reader.status().message());
}

TEST(CsvReaderTest, ReadsTheSeedReadmeExample) {
  Read r = ReadAll(std::string("# HEADER: ") + kHeader +
                   "40,72,172.23.34.171,8080,1,1,6,10.11.72.28,1392997558\n"
                   "40,72,172.23.34.171,49362,1,1,6,10.11.72.28,1392999058\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.records.size(), 2u);
  const CsvRecord& a = r.records[0];
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.iface, "eth0");
  EXPECT_EQ(a.time, 1392997558);
  EXPECT_EQ(a.row.key.sip.ToString(), "10.11.72.28");
  EXPECT_EQ(a.row.key.dip.ToString(), "172.23.34.171");
  EXPECT_EQ(a.row.key.dport, 8080);
  EXPECT_EQ(a.row.key.proto, 6);
  EXPECT_EQ(a.row.counters, (flow::Counters{40, 72, 1, 1}));
  EXPECT_EQ(r.records[1].row.key.dport, 49362);
  EXPECT_EQ(r.records[1].line, 3);
}

TEST(CsvReaderTest, GoqueryCsvOutputWithIfaceColumnAndIgnoredColumns) {
  Read r = ReadAll(
      "time,iface,sip,dip,dport,proto,packets received,packets sent,%,data vol. received,"
      "data vol. sent,%\n"
      "1700000100,eth1,2001:db8::1,2001:db8::2,443,TCP,10,20,33.33,1000,2000,50.00\n"
      "1700000100,,10.0.0.1,10.0.0.2,53,udp,1,1,1.00,80,90,1.00\n",
      {"eth0", ""});
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].iface, "eth1");
  EXPECT_FALSE(r.records[0].row.key.sip.is_v4());
  EXPECT_EQ(r.records[0].row.counters, (flow::Counters{1000, 2000, 10, 20}));
  EXPECT_EQ(r.records[1].iface, "eth0");  // empty cell: the default
  EXPECT_EQ(r.records[1].row.key.proto, 17);
}

TEST(CsvReaderTest, PktsAndPacketsAreSynonymsAndCaseAndSpacesDoNotMatter) {
  Read r = ReadAll(" SIP , dip,DPORT,Proto,pkts_rcvd,PACKETS_SENT,br,bs,Timestamp\n"
                   " 10.0.0.1 , 10.0.0.2 , 22 , 6 , 3 , 4 , 5 , 6 , 2024-03-01T12:05:00Z \n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].row.counters, (flow::Counters{5, 6, 3, 4}));
  EXPECT_EQ(r.records[0].time, 1709294700);
}

TEST(CsvReaderTest, BomCrlfCommentsAndBlankLinesKeepLineNumbers) {
  Read r = ReadAll(std::string("\xEF\xBB\xBF# exported 2024-03-01\r\n") + "\r\n" +
                   "sip,dip,dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,tstamp\r\n" +
                   "# a comment\r\n" + "\r\n" + "10.0.0.1,10.0.0.2,22,6,1,1,1,1,1700000100\r\n" +
                   "10.0.0.1,10.0.0.2,22,x,1,1,1,1,1700000100\r\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 6);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], StartsWith("flows.csv:7: column proto: \"x\""));
}

TEST(CsvReaderTest, SchemaOptionReadsHeaderlessInput) {
  Read r = ReadAll("10.0.0.1,10.0.0.2,22,6,1,2,3,4,1700000100\n",
                   {"eth0", "sip,dip,dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,tstamp"});
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].line, 1);
  EXPECT_EQ(r.records[0].row.counters, (flow::Counters{1, 2, 3, 4}));
}

TEST(CsvReaderTest, ContinuesAfterABadLine) {
  Read r = ReadAll(std::string(kHeader) + "40,72,172.23.34.171,8080,1,1,6,10.11.72.28,1392997558\n" +
                   "40,72,172.23.34.171,99999,1,1,6,10.11.72.28,1392997558\n" +
                   "41,72,172.23.34.171,8080,1,1,6,10.11.72.28,1392997558\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1].line, 4);
  EXPECT_EQ(r.errors.size(), 1u);
}

// Every rejection of a data line, each naming file, line and column.
TEST(CsvReaderTest, RejectsBadAddresses) {
  EXPECT_EQ(LineError("40,72,172.23.34.171,8080,1,1,6,10.11.72,1392997558"),
            "flows.csv:2: column sip: \"10.11.72\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(LineError("40,72,,8080,1,1,6,10.11.72.28,1392997558"),
            "flows.csv:2: column dip: empty, expected an IPv4 or IPv6 address");
}

TEST(CsvReaderTest, RejectsMixedAddressFamilies) {
  EXPECT_EQ(LineError("40,72,2001:db8::1,8080,1,1,6,10.11.72.28,1392997558"),
            "flows.csv:2: column sip: 10.11.72.28 and 2001:db8::1 are of different address "
            "families; a flow has one");
}

TEST(CsvReaderTest, RejectsPortsAbove65535) {
  EXPECT_EQ(LineError("40,72,172.23.34.171,65536,1,1,6,10.11.72.28,1392997558"),
            "flows.csv:2: column dport: 65536 is not a port (0-65535)");
  EXPECT_EQ(LineError("40,72,172.23.34.171,-1,1,1,6,10.11.72.28,1392997558"),
            "flows.csv:2: column dport: \"-1\" is not a port number (0-65535)");
}

TEST(CsvReaderTest, RejectsProtocolsAbove255AndUnknownNames) {
  EXPECT_EQ(LineError("40,72,172.23.34.171,80,1,1,256,10.11.72.28,1392997558"),
            "flows.csv:2: column proto: 256 is not an IP protocol number (0-255)");
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,1,1,http,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column proto: \"http\" is not an IP protocol"));
}

TEST(CsvReaderTest, RejectsNonNumericCountersInEveryCounterColumn) {
  EXPECT_THAT(LineError("4x,72,172.23.34.171,80,1,1,6,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column bytes_rcvd: \"4x\" is not a count"));
  EXPECT_THAT(LineError("40,1.5,172.23.34.171,80,1,1,6,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column bytes_sent: \"1.5\" is not a count"));
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,-1,1,6,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column packets_rcvd: \"-1\" is not a count"));
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,1,,6,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column packets_sent: empty, expected a count"));
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,1,99999999999999999999,6,10.11.72.28,1392997558"),
              StartsWith("flows.csv:2: column packets_sent: 99999999999999999999 is larger"));
}

TEST(CsvReaderTest, NamesColumnsAsTheHeaderSpellsThem) {
  EXPECT_THAT(LineError("10.0.0.1,10.0.0.2,80,6,x,1,1,1,1700000100",
                        "sip,dip,dport,proto,Packets Received,packets sent,data vol. received,"
                        "data vol. sent,time\n"),
              StartsWith("flows.csv:2: column Packets Received: \"x\" is not a count"));
}

TEST(CsvReaderTest, RejectsFlowsWithoutPackets) {
  EXPECT_EQ(LineError("40,72,172.23.34.171,80,0,0,6,10.11.72.28,1392997558"),
            "flows.csv:2: columns packets_rcvd and packets_sent: both are 0, but a flow has at "
            "least one packet");
}

TEST(CsvReaderTest, RejectsBadTimes) {
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,1,1,6,10.11.72.28,soon"),
              StartsWith("flows.csv:2: column tstamp: \"soon\" is not a time"));
  EXPECT_THAT(LineError("40,72,172.23.34.171,80,1,1,6,10.11.72.28,0"),
              StartsWith("flows.csv:2: column tstamp: 0 is outside"));
}

TEST(CsvReaderTest, RejectsWrongColumnCounts) {
  EXPECT_EQ(LineError("40,72,172.23.34.171,80,1,1,6,10.11.72.28"),
            "flows.csv:2: column tstamp: missing (the line has 8 fields, the header 9)");
  EXPECT_EQ(LineError("40,72"),
            "flows.csv:2: column dip: missing (the line has 2 fields, the header 9)");
  EXPECT_EQ(LineError("40,72,172.23.34.171,80,1,1,6,10.11.72.28,1392997558,extra"),
            "flows.csv:2: the line has 10 fields, the header only 9");
}

TEST(CsvReaderTest, RejectsBadQuoting) {
  EXPECT_EQ(LineError("40,72,\"172.23.34.171,80,1,1,6,10.11.72.28,1392997558"),
            "flows.csv:2: column dip: quoted field is not closed before the end of the line");
}

TEST(CsvReaderTest, RejectsBadOrMissingInterfaces) {
  const std::string header =
      "iface,sip,dip,dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,tstamp\n";
  EXPECT_THAT(LineError("eth 0,10.0.0.1,10.0.0.2,80,6,1,1,1,1,1700000100", header),
              StartsWith("flows.csv:2: column iface: interface name \"eth 0\" has a character"));
  std::istringstream in(header + ",10.0.0.1,10.0.0.2,80,6,1,1,1,1,1700000100\n");
  auto reader = CsvFlowReader::Open(&in, "flows.csv", {});
  ASSERT_TRUE(reader.ok()) << reader.status();
  CsvRecord r;
  absl::StatusOr<bool> got = (*reader)->Next(&r);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "flows.csv:2: column iface: empty, and no default interface given (--iface)");
}

// Header and setup problems stop before the first row.
TEST(CsvReaderTest, RejectsUnknownHeaderColumns) {
  EXPECT_THAT(OpenError("sip,dip,dport,proto,bytes_rcv,bytes_sent,packets_rcvd,packets_sent,tstamp\n"),
              StartsWith("flows.csv:1: header: column 5 \"bytes_rcv\" is not a flow column"));
}

TEST(CsvReaderTest, RejectsRepeatedHeaderColumns) {
  EXPECT_EQ(OpenError("sip,dip,dport,proto,bytes_rcvd,bytes_sent,pkts_rcvd,packets_rcvd,"
                      "packets_sent,tstamp\n"),
            "flows.csv:1: header: column 8 \"packets_rcvd\" repeats column 7 \"pkts_rcvd\"");
}

TEST(CsvReaderTest, RejectsHeadersMissingColumns) {
  EXPECT_EQ(OpenError("sip,dip,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent\n"),
            "flows.csv:1: header: missing columns tstamp, dport");
}

TEST(CsvReaderTest, RejectsEmptyInput) {
  EXPECT_THAT(OpenError("\n# only a comment\n"), StartsWith("flows.csv: no header line"));
}

TEST(CsvReaderTest, RejectsRowsWithoutAnyInterface) {
  EXPECT_THAT(OpenError(kHeader, {}),
              StartsWith("flows.csv: no iface column and no default interface"));
}

TEST(CsvReaderTest, RejectsBadSchemaOption) {
  EXPECT_THAT(OpenError("", {"eth0", "sip,dip"}), StartsWith("schema: missing columns tstamp"));
}

TEST(CsvReaderTest, RejectsBadDefaultInterface) {
  EXPECT_THAT(OpenError(kHeader, {"../etc", ""}), HasSubstr("must not start with a dot"));
}

}  // namespace
}  // namespace goprobe::goconvert
