#include "clients/goquery/query_command.h"

#include <fstream>
#include <sstream>

#include "clients/goquery/exit_codes.h"
#include "clients/goquery/fixture_db_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/temp_dir_for_test.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Outcome {
  int code = -1;
  std::string out, err;
};

// Query durations vary from run to run: "hits in 1.23ms" reads "hits in T".
std::string MaskTiming(std::string text) {
  const std::string marker = "hits in ";
  for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    const size_t begin = at + marker.size();
    const size_t end = text.find_first_of(" \n", begin);
    text.replace(begin, end - begin, "T");
  }
  return text;
}

class QueryCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFixtureDb(db_); }

  Outcome Query(QueryArgs args, QuerySource source = {},
                absl::Time now = absl::FromUnixSeconds(1700001000)) {
    if (source.db_path.empty() && !source.server) source.db_path = db_;
    std::ostringstream out, err;
    CommandEnv env;
    env.out = &out;
    env.err = &err;
    env.now = now;
    env.tz = absl::UTCTimeZone();
    env.identity = {7, "testhost"};
    env.threads = 2;
    env.lookup = [](const flow::IpAddress& a) -> std::optional<std::string> {
      if (a.ToString() == "192.168.1.10") return "web.example.org";
      return std::nullopt;
    };
    Outcome r;
    r.code = RunQueryCommand(args, source, env);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  QueryArgs Args(const std::string& query) {
    QueryArgs a;
    a.query = query;
    a.first = "1700000000";
    return a;
  }

  godb::TempDir dir_;
  const std::string db_ = dir_.path() + "/db";
};

TEST_F(QueryCommandTest, TalkConvTable) {
  const Outcome r = Query(Args("talk_conv"));
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(MaskTiming(r.out), R"(
                             packets  packets             bytes      bytes
          sip           dip       in      out      %         in        out      %
     10.0.0.1  192.168.1.10  15.00    52.00    77.01    1.95 kB   63.48 kB  96.08
     10.0.0.2  192.168.1.10   4.00     5.00    10.34  800.00  B  900.00  B   2.44
  2001:db8::1  2001:db8::53   3.00     3.00     6.90  450.00  B  180.00  B   0.90
     10.0.0.3    10.0.0.255   1.00     1.00     2.30   84.00  B   84.00  B   0.24
     10.0.0.1       8.8.8.8   1.00     1.00     2.30   90.00  B   70.00  B   0.23
      fe80::1       ff02::1   0.00     1.00     1.15    0.00  B   72.00  B   0.10
                             24.00    63.00             3.34 kB   64.75 kB

      Totals:                         87.00                       68.10 kB

Timespan / Interface : [2023-11-14 22:15:00, 2023-11-14 22:25:00] / eth0,eth1
Sorted by            : accumulated data volume (sent and received)
Query stats          : 6 hits in T

)");
}

TEST_F(QueryCommandTest, CutRowsConditionAndInterfaces) {
  QueryArgs args = Args("apps_port");
  args.ifaces = "eth0,eth1";
  args.num_results = 2;
  args.num_results_set = true;
  args.condition = "proto = udp or proto = tcp";
  args.sort_by = "packets";
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(MaskTiming(r.out), R"(
                         packets  packets             bytes      bytes
    iface  dport  proto       in      out      %         in        out      %
     eth0    443    TCP  19.00    57.00    90.48    2.73 kB   64.36 kB  98.86
     eth1     53    UDP   3.00     3.00     7.14  450.00  B  180.00  B   0.91
                             ...      ...               ...        ...
                         23.00    61.00             3.26 kB   64.60 kB

  Totals:                         84.00                       67.86 kB

Timespan / Interface : [2023-11-14 22:15:00, 2023-11-14 22:25:00] / eth0,eth1
Sorted by            : accumulated packets (sent and received)
Query stats          : 3 hits in T (top 2 displayed)
Conditions:          : proto = UDP or proto = TCP

)");
}

TEST_F(QueryCommandTest, CsvRawRoundTripsThroughGoconvertsColumns) {
  QueryArgs args = Args("raw");
  args.format = "csv";
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            "time,iface,sip,dip,dport,proto,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n"
            "1700000100,eth0,10.0.0.1,192.168.1.10,443,TCP,15,52,2000,65000\n"
            "1700000100,eth0,10.0.0.2,192.168.1.10,443,TCP,4,5,800,900\n"
            "1700000100,eth1,2001:db8::1,2001:db8::53,53,UDP,2,2,300,120\n"
            "1700000400,eth1,2001:db8::1,2001:db8::53,53,UDP,1,1,150,60\n"
            "1700000400,eth0,10.0.0.1,8.8.8.8,53,UDP,1,1,90,70\n"
            "1700000400,eth1,fe80::1,ff02::1,0,ICMPv6,0,1,0,72\n"
            "1700000700,eth0,10.0.0.3,10.0.0.255,0,ICMP,1,1,84,84\n");
}

TEST_F(QueryCommandTest, JsonDocument) {
  QueryArgs args = Args("sip");
  args.format = "json";
  args.in = true;
  args.num_results = 1;
  args.num_results_set = true;
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["hostname"], "testhost");
  EXPECT_EQ(doc["status"]["code"], "ok");
  EXPECT_EQ(doc["hosts_statuses"]["testhost"]["code"], "ok");
  EXPECT_EQ(doc["summary"]["hits"]["displayed"], 1);
  EXPECT_EQ(doc["summary"]["hits"]["total"], 4);  // fe80::1 received nothing
  EXPECT_EQ(doc["summary"]["totals"]["br"], 3424);
  EXPECT_EQ(doc["summary"]["totals"]["bs"], 0);
  EXPECT_EQ(doc["rows"][0]["attributes"]["sip"], "10.0.0.1");
  EXPECT_EQ(doc["rows"][0]["counters"]["br"], 2090);
  EXPECT_EQ(doc["query"]["time_first"], "2023-11-14T22:13:20Z");
}

TEST_F(QueryCommandTest, ReverseDnsNamesTheTopRows) {
  QueryArgs args = Args("dip");
  args.resolve = true;
  args.resolve_rows = 1;
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  web.example.org  "));
  EXPECT_THAT(r.out, HasSubstr("Reverse DNS stats    : RDNS took "));
}

TEST_F(QueryCommandTest, NoDataSaysWhyOnStderr) {
  // Without -f: 30 days before "now", and the fixture is older.
  QueryArgs args;
  args.query = "sip";
  Outcome r = Query(args, {}, absl::FromUnixSeconds(1800000000));
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "goquery: no data in " + db_ +
                       " on any interface between 2026-12-16 08:00:00 and 2027-01-15 08:00:00; "
                       "without -f goquery looks back 30 days, give -f for older data\n");

  args = Args("sip");
  args.condition = "dport = 9999";
  args.format = "csv";
  r = Query(args);
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "sip,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n");
  EXPECT_EQ(r.err,
            "goquery: no flows matched -c 'dport = 9999' on any interface between "
            "2023-11-14 22:13:20 and 2023-11-14 22:30:00 (" +
                db_ + ")\n");
}

TEST_F(QueryCommandTest, ErrorsAreOneLineWithTheirExitCode) {
  QueryArgs args = Args("sip");
  args.condition = "dport = 443 and sip = foo";
  Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err,
      "goquery: condition: position 22: expected an IP address after \"sip =\", found \"foo\"\n"
      "\n"
      "dport = 443 and sip = foo\n"
      "                      ^\n");

  args = Args("sip");
  args.ifaces = "eth3";
  r = Query(args);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err, "goquery: -i: interface eth3 has no data (there is data for eth0, eth1)\n");

  args = Args("sip,bogus");
  r = Query(args);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, StartsWith("goquery: unknown attribute \"bogus\""));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);

  r = Query(Args("sip"), QuerySource{dir_.path() + "/missing", std::nullopt});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_EQ(r.err, "goquery: no goDB at " + dir_.path() + "/missing: no such directory\n");
}

// The current window is the probe's; a goDB directory cannot have it, and
// quietly leaving it out would pass an old answer off as a live one.
TEST_F(QueryCommandTest, LiveNeedsAServer) {
  QueryArgs args = Args("sip");
  args.live = true;
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "goquery: --live needs a goqueryd (--server ADDR): the current five-minute window "
            "is held by the probe, not in the goDB directory " +
                db_ + "\n");
}

TEST_F(QueryCommandTest, OutputFilesAreAppendedTo) {
  QueryArgs args = Args("dport");
  args.format = "csv";
  args.output = dir_.path() + "/a.csv," + dir_.path() + "/b.csv";
  ASSERT_EQ(Query(args).code, kExitOk);
  const Outcome r = Query(args);
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "");
  for (const char* name : {"/a.csv", "/b.csv"}) {
    std::ifstream in(dir_.path() + name);
    std::stringstream text;
    text << in.rdbuf();
    const std::string once =
        "dport,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n"
        "443,19,57,2800,65900\n53,4,4,540,250\n0,1,2,84,156\n";
    EXPECT_EQ(text.str(), once + once) << name;
  }
  args.output = "/nonexistent/dir/out.txt";
  const Outcome bad = Query(args);
  EXPECT_EQ(bad.code, kExitFailed);
  EXPECT_THAT(bad.err, StartsWith("goquery: cannot open output file /nonexistent/dir/out.txt: "));
}

TEST(ExitCodesTest, EachCaseItsOwn) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::UnauthenticatedError("")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("")), kExitTimeout);
  EXPECT_EQ(ExitCodeFor(absl::ResourceExhaustedError("")), kExitFailed);
}

}  // namespace
}  // namespace goprobe::goquery
