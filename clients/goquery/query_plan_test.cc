#include "clients/goquery/query_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/query/condition_error.h"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1709294700;

absl::StatusOr<QueryPlan> Plan(const QueryArgs& args) {
  return BuildQueryPlan(args, absl::FromUnixSeconds(kNow), absl::UTCTimeZone());
}

std::string Error(const QueryArgs& args) {
  absl::StatusOr<QueryPlan> p = Plan(args);
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(p.ok() || absl::IsInvalidArgument(p.status())) << p.status();
  return p.ok() ? std::string() : std::string(p.status().message());
}

TEST(QueryPlanTest, GoQueryDefaults) {
  QueryArgs args;
  args.query = "talk_conv";
  absl::StatusOr<QueryPlan> p = Plan(args);
  ASSERT_TRUE(p.ok()) << p.status();
  const v1::QueryRequest& r = p->request;
  EXPECT_THAT(r.attributes(), ElementsAre(v1::ATTRIBUTE_SIP, v1::ATTRIBUTE_DIP));
  EXPECT_TRUE(r.interfaces().any());
  EXPECT_EQ(r.sort_by(), v1::SORT_BY_BYTES);
  EXPECT_FALSE(r.ascending());
  EXPECT_EQ(r.limit(), 1000u);
  EXPECT_EQ(r.direction(), v1::DIRECTION_BOTH);
  EXPECT_EQ(r.first(), kNow - 30 * 86400);
  EXPECT_EQ(r.last(), kNow);
  EXPECT_EQ(r.resolution_seconds(), 0u);
  EXPECT_EQ(r.max_memory_percent(), 60u);
  EXPECT_EQ(r.timeout_ms(), 0u);
  EXPECT_EQ(r.caller(), "goquery");
  EXPECT_FALSE(r.live());
  EXPECT_TRUE(p->first_defaulted);
  EXPECT_EQ(p->format, OutputFormat::kTxt);
  EXPECT_THAT(p->layout.attributes, ElementsAre(Attribute::kSip, Attribute::kDip));
}

// As goQuery: time queries look back a day, oldest first, every row.
TEST(QueryPlanTest, TimeQueries) {
  QueryArgs args;
  args.query = "raw";
  absl::StatusOr<QueryPlan> p = Plan(args);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->request.first(), kNow - 86400);
  EXPECT_EQ(p->request.sort_by(), v1::SORT_BY_TIME);
  EXPECT_TRUE(p->request.ascending());
  EXPECT_EQ(p->request.limit(), 0u);
  EXPECT_EQ(p->request.resolution_seconds(), 300u);
  EXPECT_THAT(p->layout.attributes,
              ElementsAre(Attribute::kTime, Attribute::kIface, Attribute::kSip, Attribute::kDip,
                          Attribute::kDport, Attribute::kProto));
  // What the user says still counts.
  args.sort_by = "bytes";
  args.sort_set = true;
  args.num_results = 5;
  args.num_results_set = true;
  args.resolution = "1h";
  p = Plan(args);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->request.sort_by(), v1::SORT_BY_BYTES);
  EXPECT_FALSE(p->request.ascending());
  EXPECT_EQ(p->request.limit(), 5u);
  EXPECT_EQ(p->request.resolution_seconds(), 3600u);
}

TEST(QueryPlanTest, DirectionsCombineAsInGoQuery) {
  QueryArgs args;
  args.query = "sip";
  const auto direction = [&](bool in, bool out, bool sum) {
    args.in = in;
    args.out = out;
    args.sum = sum;
    return Plan(args)->request.direction();
  };
  EXPECT_EQ(direction(true, false, false), v1::DIRECTION_IN);
  EXPECT_EQ(direction(false, true, false), v1::DIRECTION_OUT);
  EXPECT_EQ(direction(true, true, false), v1::DIRECTION_BOTH);
  EXPECT_EQ(direction(true, false, true), v1::DIRECTION_SUM);
}

TEST(QueryPlanTest, SeveralInterfacesGetAnIfaceColumn) {
  QueryArgs args;
  args.query = "sip";
  for (const char* several : {"eth0,eth1", "any", "/^eth/", "!lo"}) {
    args.ifaces = several;
    EXPECT_THAT(Plan(args)->layout.attributes, ElementsAre(Attribute::kIface, Attribute::kSip))
        << several;
  }
  args.ifaces = "eth0";
  EXPECT_THAT(Plan(args)->layout.attributes, ElementsAre(Attribute::kSip));
  EXPECT_THAT(Plan(args)->request.interfaces().names(), ElementsAre("eth0"));
}

TEST(QueryPlanTest, EverythingElse) {
  QueryArgs args;
  args.query = "hostname,sip,dport";
  args.condition = "dport eq 443 && sip = 10.0.0.1";
  args.first = "-7d";
  args.last = "2024-03-01 12:00";
  args.format = "CSV";
  args.output = "/tmp/a.csv, /tmp/b.csv";
  args.sort_by = "packets";
  args.sort_ascending = true;
  args.num_results = 0;
  args.num_results_set = true;
  args.timeout = "1m";
  args.max_mem_pct = 25;
  args.resolve = true;
  args.resolve_timeout = "2";
  args.resolve_rows = 10;
  args.caller = "cron";
  args.live = true;
  absl::StatusOr<QueryPlan> p = Plan(args);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->layout.attributes,
              ElementsAre(Attribute::kHost, Attribute::kSip, Attribute::kDport));
  EXPECT_EQ(p->request.condition(), "dport eq 443 && sip = 10.0.0.1");
  EXPECT_EQ(p->layout.condition, "dport = 443 and sip = 10.0.0.1");
  EXPECT_EQ(p->request.first(), kNow - 7 * 86400);
  EXPECT_EQ(p->request.last(), kNow - 300);
  EXPECT_EQ(p->request.first_text(), "-7d");
  EXPECT_EQ(p->format, OutputFormat::kCsv);
  EXPECT_THAT(p->outputs, ElementsAre("/tmp/a.csv", "/tmp/b.csv"));
  EXPECT_EQ(p->request.sort_by(), v1::SORT_BY_PACKETS);
  EXPECT_TRUE(p->request.ascending());
  EXPECT_EQ(p->request.limit(), 0u);
  EXPECT_EQ(p->request.timeout_ms(), 60000u);
  EXPECT_EQ(p->timeout, absl::Minutes(1));
  EXPECT_EQ(p->request.max_memory_percent(), 25u);
  EXPECT_TRUE(p->dns.enabled);
  EXPECT_EQ(p->dns.timeout, absl::Seconds(2));
  EXPECT_EQ(p->dns.max_rows, 10u);
  EXPECT_EQ(p->request.caller(), "cron");
  EXPECT_TRUE(p->request.live());
}

TEST(QueryPlanTest, MistakesNameTheArgument) {
  QueryArgs args;
  EXPECT_THAT(Error(args), HasSubstr("no query: name the attributes"));
  args.query = "sip,dpot";
  EXPECT_THAT(Error(args), HasSubstr("unknown attribute \"dpot\""));
  args.query = "sip";
  args.sort_by = "volume";
  EXPECT_THAT(Error(args), HasSubstr("-s: \"volume\" is not one of bytes, packets, time"));
  args.sort_by = "time";
  EXPECT_THAT(Error(args), HasSubstr("-s: sorting by time needs the time attribute"));
  args.sort_by = "bytes";
  args.resolution = "1h";
  EXPECT_THAT(Error(args), HasSubstr("--resolution: time bins need the time attribute"));
  args.resolution = "";
  args.first = "-1h";
  args.last = "-2h";
  EXPECT_THAT(Error(args), HasSubstr("-f: the start (2024-03-01 11:05:00) is after the end -l"));
  args.last = "soon";
  EXPECT_THAT(Error(args), HasSubstr("-l: \"soon\" is not a time"));
  args.last = "";
  args.ifaces = "eth0,,eth1";
  EXPECT_THAT(Error(args), HasSubstr("-i: "));
  args.ifaces = "";
  args.format = "xml";
  EXPECT_THAT(Error(args), HasSubstr("-e: output format \"xml\" is not one of txt, json, csv"));
  args.format = "txt";
  args.max_mem_pct = 0;
  EXPECT_THAT(Error(args), HasSubstr("--max-mem: 0 is not a percentage from 1 to 100"));
  args.max_mem_pct = 60;
  args.timeout = "soon";
  EXPECT_THAT(Error(args), HasSubstr("--timeout: \"soon\" is not a duration"));
  args.timeout = "";
  args.resolve = true;
  args.resolve_rows = 0;
  EXPECT_THAT(Error(args), HasSubstr("--resolve-rows: must be more than 0"));
}

TEST(QueryPlanTest, ConditionErrorsKeepTheirPosition) {
  QueryArgs args;
  args.query = "sip";
  args.condition = "dport = 443 and sip = foo";
  absl::StatusOr<QueryPlan> p = Plan(args);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(query::ConditionErrorPosition(p.status()), 22u);
}

}  // namespace
}  // namespace goprobe::goquery
