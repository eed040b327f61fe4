#include "clients/goquery/csv_result.h"

#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using query::Direction;

flow::IpAddress Ip(const char* text) { return *flow::IpAddress::Parse(text); }

std::vector<query::ResultRow> Rows() {
  query::ResultRow v4;
  v4.time = 1700000100;
  v4.iface = "eth0";
  v4.sip = Ip("10.0.0.1");
  v4.dip = Ip("192.168.1.10");
  v4.dport = 443;
  v4.proto = 6;
  v4.counters = {2000, 65000, 15, 52};
  query::ResultRow v6;
  v6.time = 1700000400;
  v6.iface = "eth1";
  v6.sip = Ip("fe80::1");
  v6.dip = Ip("ff02::1");
  v6.proto = 58;
  v6.counters = {0, 72, 0, 1};
  return {v4, v6};
}

// goconvert's names, raw numbers, unix times: `goquery -e csv raw` imports back.
TEST(CsvResultTest, RawQueryInGoconvertsTerms) {
  ResultLayout layout;
  layout.attributes = {Attribute::kTime, Attribute::kIface, Attribute::kSip,
                       Attribute::kDip,  Attribute::kDport, Attribute::kProto};
  EXPECT_EQ(CsvHeader(layout) + CsvRows(Rows(), layout),
            "time,iface,sip,dip,dport,proto,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n"
            "1700000100,eth0,10.0.0.1,192.168.1.10,443,TCP,15,52,2000,65000\n"
            "1700000400,eth1,fe80::1,ff02::1,0,ICMPv6,0,1,0,72\n");
}

TEST(CsvResultTest, DirectionsAndHostColumns) {
  ResultLayout layout;
  layout.attributes = {Attribute::kHost, Attribute::kHostId, Attribute::kSip};
  std::vector<query::ResultRow> rows = Rows();
  rows[0].hostname = "edge,1";  // quoted, never split
  rows[0].host_id = 7;
  layout.direction = Direction::kIn;
  EXPECT_EQ(CsvHeader(layout), "hostname,hostid,sip,packets_rcvd,bytes_rcvd\n");
  EXPECT_EQ(CsvRows({rows[0]}, layout), "\"edge,1\",7,10.0.0.1,15,2000\n");
  layout.direction = Direction::kOut;
  EXPECT_EQ(CsvHeader(layout), "hostname,hostid,sip,packets_sent,bytes_sent\n");
  EXPECT_EQ(CsvRows({rows[0]}, layout), "\"edge,1\",7,10.0.0.1,52,65000\n");
  layout.direction = Direction::kSum;
  EXPECT_EQ(CsvHeader(layout), "hostname,hostid,sip,packets,bytes\n");
  EXPECT_EQ(CsvRows({rows[0]}, layout), "\"edge,1\",7,10.0.0.1,67,67000\n");
}

TEST(CsvResultTest, NoRowsIsTheHeaderAlone) {
  ResultLayout layout;
  layout.attributes = {Attribute::kDport, Attribute::kProto};
  EXPECT_EQ(CsvHeader(layout) + CsvRows({}, layout),
            "dport,proto,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n");
}

}  // namespace
}  // namespace goprobe::goquery
