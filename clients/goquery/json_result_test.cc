#include "clients/goquery/json_result.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using Json = nlohmann::json;

flow::IpAddress Ip(const char* text) { return *flow::IpAddress::Parse(text); }

QueryAnswer TwoRows() {
  QueryAnswer a;
  query::ResultRow v4;
  v4.time = 1709294700;
  v4.iface = "eth0";
  v4.hostname = "probe-1";
  v4.host_id = 42;
  v4.sip = Ip("10.0.0.1");
  v4.dip = Ip("10.0.0.2");
  v4.dport = 443;
  v4.proto = 6;
  v4.counters = {1500, 64000, 12, 50};
  query::ResultRow v6 = v4;
  v6.sip = Ip("2001:db8::1");
  v6.dip = Ip("2001:db8::53");
  v6.dport = 0;
  v6.proto = 58;
  v6.counters = {0, 72, 0, 1};
  a.rows = {v4, v6};
  a.summary.set_hostname("probe-1");
  a.summary.mutable_totals()->set_bytes_rcvd(1500);
  a.summary.mutable_totals()->set_bytes_sent(64072);
  a.summary.mutable_totals()->set_packets_rcvd(12);
  a.summary.mutable_totals()->set_packets_sent(51);
  a.summary.set_hits_displayed(2);
  a.summary.set_hits_total(7);
  a.summary.set_time_first(1709294400);
  a.summary.set_time_last(1709294700);
  a.summary.add_interfaces("eth0");
  a.summary.mutable_timings()->set_query_start_unix_us(1709300000123456);
  a.summary.mutable_timings()->set_query_duration_us(17000);
  v1::HostStatus ok;
  ok.set_hostname("probe-1");
  ok.set_code(v1::HostStatus::CODE_OK);
  ok.add_warnings("eth0/2024/03/01: block 1709294100 skipped: checksum mismatch");
  v1::HostStatus down;
  down.set_address("10.1.1.1:8146");
  down.set_code(v1::HostStatus::CODE_ERROR);
  down.set_message("connection refused");
  a.hosts = {ok, down};
  return a;
}

ResultLayout AllAttributes() {
  ResultLayout layout;
  layout.attributes = {Attribute::kTime, Attribute::kHost, Attribute::kHostId, Attribute::kIface,
                       Attribute::kSip,  Attribute::kDip,  Attribute::kDport,  Attribute::kProto};
  layout.condition = "dport = 443";
  layout.first = 1709251200;
  layout.last = 1709337600;
  return layout;
}

// The document goQuery v4 writes, key for key.
TEST(JsonResultTest, GoQueryV4Document) {
  const std::string text = FormatJsonResult(TwoRows(), AllAttributes(), absl::Milliseconds(3));
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  const Json doc = Json::parse(text);
  EXPECT_EQ(doc["hostname"], "probe-1");
  EXPECT_EQ(doc["status"], Json({{"code", "ok"}}));
  EXPECT_EQ(doc["hosts_statuses"]["probe-1"]["code"], "ok");
  EXPECT_EQ(doc["hosts_statuses"]["probe-1"]["warnings"][0],
            "eth0/2024/03/01: block 1709294100 skipped: checksum mismatch");
  EXPECT_EQ(doc["hosts_statuses"]["10.1.1.1:8146"],
            Json({{"code", "error"}, {"message", "connection refused"}}));

  const Json& s = doc["summary"];
  EXPECT_EQ(s["interfaces"], Json({"eth0"}));
  EXPECT_EQ(s["time_first"], "2024-03-01T12:00:00Z");
  EXPECT_EQ(s["time_last"], "2024-03-01T12:05:00Z");
  EXPECT_EQ(s["totals"], Json({{"br", 1500}, {"bs", 64072}, {"pr", 12}, {"ps", 51}}));
  EXPECT_EQ(s["timings"]["query_start"], "2024-03-01T13:33:20.123456Z");
  EXPECT_EQ(s["timings"]["query_duration_ns"], 17000000);
  EXPECT_EQ(s["timings"]["resolution"], 3000000);
  EXPECT_EQ(s["hits"], Json({{"displayed", 2}, {"total", 7}}));
  EXPECT_EQ(s["data_available"], true);

  const Json& q = doc["query"];
  EXPECT_EQ(q["attributes"],
            Json({"time", "hostname", "hostid", "iface", "sip", "dip", "dport", "proto"}));
  EXPECT_EQ(q["condition"], "dport = 443");
  EXPECT_EQ(q["time_first"], "2024-03-01T00:00:00Z");
  EXPECT_EQ(q["time_last"], "2024-03-02T00:00:00Z");

  ASSERT_EQ(doc["rows"].size(), 2u);
  EXPECT_EQ(doc["rows"][0], Json::parse(R"({
      "labels": {"timestamp": "2024-03-01T12:05:00Z", "host": "probe-1", "host_id": "42",
                 "iface": "eth0"},
      "attributes": {"sip": "10.0.0.1", "dip": "10.0.0.2", "dport": 443, "proto": 6},
      "counters": {"br": 1500, "bs": 64000, "pr": 12, "ps": 50}})"));
  EXPECT_EQ(
      doc["rows"][1]["attributes"],
      Json::parse(R"({"sip": "2001:db8::1", "dip": "2001:db8::53", "dport": 0, "proto": 58})"));
  // goQuery's key order, for people who read the document.
  EXPECT_LT(text.find("\"status\""), text.find("\"summary\""));
  EXPECT_LT(text.find("\"summary\""), text.find("\"rows\""));
}

TEST(JsonResultTest, OnlyQueriedAttributesAppear) {
  ResultLayout layout;
  layout.attributes = {Attribute::kSip};
  const Json doc = Json::parse(FormatJsonResult(TwoRows(), layout));
  EXPECT_EQ(doc["rows"][0]["labels"], Json::object());
  EXPECT_EQ(doc["rows"][0]["attributes"], Json({{"sip", "10.0.0.1"}}));
  EXPECT_FALSE(doc["query"].contains("condition"));
  EXPECT_FALSE(doc["summary"]["timings"].contains("resolution"));
}

TEST(JsonResultTest, EmptyAndMissingData) {
  QueryAnswer a = TwoRows();
  a.rows.clear();
  a.summary.set_hits_total(0);
  ResultLayout layout;
  layout.attributes = {Attribute::kSip};
  Json doc = Json::parse(FormatJsonResult(a, layout));
  EXPECT_EQ(doc["status"]["code"], "empty");
  EXPECT_EQ(doc["rows"], Json::array());
  EXPECT_EQ(doc["summary"]["data_available"], true);

  a.summary.clear_interfaces();
  a.summary.set_time_first(0);
  a.summary.set_time_last(0);
  doc = Json::parse(FormatJsonResult(a, layout));
  EXPECT_EQ(doc["status"]["code"], "missing_data");
  EXPECT_EQ(doc["status"]["message"],
            "no data available for the specified interface(s) / time range");
  EXPECT_TRUE(doc["summary"]["time_first"].is_null());
  EXPECT_EQ(doc["summary"]["data_available"], false);
}

TEST(JsonResultTest, HostsWithTheSameNameStayApart) {
  QueryAnswer a = TwoRows();
  a.hosts[1].set_hostname("probe-1");
  a.hosts[1].set_host_id(9);
  a.hosts[1].set_code(v1::HostStatus::CODE_TIMEOUT);
  a.hosts[1].clear_message();
  ResultLayout layout;
  layout.attributes = {Attribute::kSip};
  const Json doc = Json::parse(FormatJsonResult(a, layout));
  EXPECT_EQ(doc["hosts_statuses"]["probe-1 (9)"],
            Json({{"code", "error"}, {"message", "timed out"}}));
}

}  // namespace
}  // namespace goprobe::goquery
