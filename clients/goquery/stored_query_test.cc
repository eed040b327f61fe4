#include "clients/goquery/stored_query.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The seed README's example, comments and all.
constexpr char kReadmeExample[] = R"({
  "Query": "sip,dip,proto",
  "Output": "/tmp/query.output",  // where to route the output (stdout is default)
  "Ifaces": "eth0,eth1",
  "Condition": "dport eq 443",
  "In": true,
  "Out": true,
  "Sum": false,
  "First": "01.03.2019 00:00",
  "Last": "31.03.2019 23:59",
  "Format": "json",
  "SortBy": "bytes",
  "NumResults": 10,               // only show the top 10 rows
  "SortAscending": false,         // reverse sort order
  "Resolve": false,               // attempt to reverse lookup IP addresses
  "ResolveTimeout": 1,
  "ResolveRows": 25,
  "MaxMemPct": 25,                // use at most 25% of the available memory for the query
  "Caller": "batch-job-XYZ"       // identifier who called the query
})";

bool Nothing(absl::string_view) { return false; }

TEST(StoredQueryTest, EveryKeyOfTheReadmeExample) {
  QueryArgs args;
  args.resolve_timeout = "7s";
  absl::StatusOr<StoredQueryResult> r = ApplyStoredQuery(kReadmeExample, "q.json", Nothing, &args);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(args.query, "sip,dip,proto");
  EXPECT_EQ(args.output, "/tmp/query.output");
  EXPECT_EQ(args.ifaces, "eth0,eth1");
  EXPECT_EQ(args.condition, "dport eq 443");
  EXPECT_TRUE(args.in);
  EXPECT_TRUE(args.out);
  EXPECT_FALSE(args.sum);
  EXPECT_EQ(args.first, "01.03.2019 00:00");
  EXPECT_EQ(args.last, "31.03.2019 23:59");
  EXPECT_EQ(args.format, "json");
  EXPECT_EQ(args.sort_by, "bytes");
  EXPECT_TRUE(args.sort_set);
  EXPECT_EQ(args.num_results, 10u);
  EXPECT_TRUE(args.num_results_set);
  EXPECT_FALSE(args.sort_ascending);
  EXPECT_FALSE(args.resolve);
  EXPECT_EQ(args.resolve_timeout, "1s");
  EXPECT_EQ(args.resolve_rows, 25u);
  EXPECT_EQ(args.max_mem_pct, 25u);
  EXPECT_EQ(args.caller, "batch-job-XYZ");
}

TEST(StoredQueryTest, CommandLineWins) {
  QueryArgs args;
  args.ifaces = "wlan0";
  args.first = "-1h";
  const std::set<std::string> given = {"Ifaces", "First"};
  absl::StatusOr<StoredQueryResult> r = ApplyStoredQuery(
      kReadmeExample, "q.json",
      [&](absl::string_view k) { return given.count(std::string(k)) > 0; }, &args);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(args.ifaces, "wlan0");
  EXPECT_EQ(args.first, "-1h");
  EXPECT_EQ(args.last, "31.03.2019 23:59");
}

TEST(StoredQueryTest, GoQueryV4KeysAndCaseInsensitiveNames) {
  QueryArgs args;
  absl::StatusOr<StoredQueryResult> r = ApplyStoredQuery(
      R"({"query": "talk_conv", "DBPath": "/srv/db", "QueryTimeout": 30000000000,
          "DNSResolution": {"Enabled": true, "Timeout": "2s", "MaxRows": 5},
          "first": 1709294700, "LowMem": true, "Live": true})",
      "v4.json", Nothing, &args);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(args.query, "talk_conv");
  EXPECT_EQ(r->db_path, "/srv/db");
  EXPECT_EQ(args.timeout, "30s");
  EXPECT_TRUE(args.resolve);
  EXPECT_EQ(args.resolve_timeout, "2s");
  EXPECT_EQ(args.resolve_rows, 5u);
  EXPECT_EQ(args.first, "1709294700");
  EXPECT_TRUE(args.live);
  EXPECT_THAT(
      r->warnings,
      ElementsAre("v4.json: \"LowMem\" steers goQuery's own process and has no effect here"));
}

TEST(StoredQueryTest, MistakesNameTheFileAndKey) {
  const auto error = [](absl::string_view json) {
    QueryArgs args;
    absl::StatusOr<StoredQueryResult> r = ApplyStoredQuery(json, "q.json", Nothing, &args);
    EXPECT_FALSE(r.ok()) << json;
    EXPECT_TRUE(r.ok() || absl::IsInvalidArgument(r.status()));
    return r.ok() ? std::string() : std::string(r.status().message());
  };
  EXPECT_THAT(error(R"({"Qurey": "sip"})"),
              HasSubstr("q.json: unknown key \"Qurey\"; stored queries know Query, Output"));
  EXPECT_THAT(error(R"({"NumResults": "ten"})"),
              HasSubstr("q.json: \"NumResults\" must be a whole number >= 0, not \"ten\""));
  EXPECT_THAT(error(R"({"NumResults": -3})"), HasSubstr("must be a whole number"));
  EXPECT_THAT(error(R"({"In": "yes"})"), HasSubstr("\"In\" must be true or false"));
  EXPECT_THAT(error(R"({"MaxMemPct": 250})"), HasSubstr("percentage (1 to 100), not 250"));
  EXPECT_THAT(error(R"({"DNSResolution": {"Enable": true}})"),
              HasSubstr("unknown key \"DNSResolution.Enable\""));
  EXPECT_THAT(error("[1, 2]"), HasSubstr("q.json: a stored query is a JSON object"));
  EXPECT_THAT(error("{\"Query\": \"sip\",\n \"Ifaces\" \"eth0\"}"),
              HasSubstr("q.json: not JSON: line 2, column"));
}

TEST(StoredQueryTest, ReadsFilesAndNamesMissingOnes) {
  absl::StatusOr<std::string> missing = ReadStoredQuery("/nonexistent/q.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("stored query /nonexistent/q.json: cannot open: No such file"));
}

}  // namespace
}  // namespace goprobe::goquery
