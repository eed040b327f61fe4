// goconvert and goquery as processes: import a CSV, list it, and the errors a
// person meets on the way, checked by exit code and exact output.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/harness/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/temp_dir_for_test.h"
#include "nlohmann/json.hpp"

namespace goprobe {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::ProcessResult;
using testing::Runfile;
using testing::RunProcess;

constexpr char kListHeader[] =
    "iface,hostname,host_id,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,flows_v4,flows_v6,"
    "packets_captured,drops_kernel,drops_iface,malformed,blocks,first,last\n";
// The sums of testdata/flows.csv, worked out by hand.
constexpr char kEth0[] = "eth0,,0,2974,66054,21,59,4,0,0,0,0,0,3,1700000100,1700000700\n";
constexpr char kEth1[] = "eth1,,0,450,252,3,4,0,3,0,0,0,0,2,1700000100,1700000400\n";

class ClientsTest : public ::testing::Test {
 protected:
  ProcessResult Goconvert(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), Runfile("clients/goconvert/goconvert"));
    auto r = RunProcess(args, input);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }
  ProcessResult Goquery(std::vector<std::string> args) {
    args.insert(args.begin(), Runfile("clients/goquery/goquery"));
    auto r = RunProcess(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }
  // One line on stderr, nothing on stdout, exit code 2.
  void ExpectUsageError(const ProcessResult& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith(message));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }

  const std::string fixture_ = Runfile("clients/testdata/flows.csv");
  godb::TempDir dir_;
  const std::string db_ = dir_.path() + "/db";
};

TEST_F(ClientsTest, ImportThenList) {
  ProcessResult c = Goconvert({"-i", fixture_, "-d", db_});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "goconvert: 8 rows read, 8 written in 5 blocks (7 flows) on 2 interfaces\n");
  EXPECT_EQ(c.err, "");

  ProcessResult csv = Goquery({"-d", db_, "list", "-e", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, std::string(kListHeader) + kEth0 + kEth1);
  EXPECT_EQ(csv.err, "");

  // Options before the command work as well, and select.
  ProcessResult one = Goquery({"-d", db_, "-e", "csv", "-i", "eth1", "list"});
  EXPECT_EQ(one.out, std::string(kListHeader) + kEth1);

  ProcessResult json = Goquery({"-d", db_, "list", "-e", "json", "-f", "1700000400"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].at("blocks"), 2);  // eth0's blocks at 1700000400 and 1700000700
  EXPECT_EQ(parsed[0].at("first"), "2023-11-14T22:20:00Z");
  EXPECT_EQ(parsed[1].at("flows_v6"), 2);

  ProcessResult txt = Goquery({"-d", db_, "list"});
  EXPECT_EQ(txt.exit_code, 0) << txt.err;
  EXPECT_THAT(txt.out, HasSubstr("  iface    IPv4    IPv6       in      out"));
  EXPECT_THAT(txt.out, HasSubstr("\n  Total  4.00    3.00    24.00    63.00      3.34 kB   64.75 kB  0.00    0.00       0.00         5"));
}

TEST_F(ClientsTest, GoConvertSpellingAndStdin) {
  std::ifstream f(fixture_);
  std::stringstream text;
  text << f.rdbuf();
  ProcessResult c = Goconvert({"-in", "-", "-out", db_, "-iface", "ignored0"}, text.str());
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Goquery({"-d", db_, "list", "-e", "csv"}).out, std::string(kListHeader) + kEth0 + kEth1);
}

TEST_F(ClientsTest, ReimportIsRefusedUnlessSkippingExisting) {
  ASSERT_EQ(Goconvert({"-i", fixture_, "-d", db_}).exit_code, 0);
  ProcessResult again = Goconvert({"-i", fixture_, "-d", db_});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err,
            "goconvert: " + fixture_ + ":5-7: block 2023-11-14T22:15:00Z (1700000100) of eth0 is "
            "already stored; nothing of it was written (--skip-existing skips such blocks)\n"
            "goconvert: stopped: 5 rows read, 0 written in 0 blocks (0 flows) on 0 interfaces; "
            "5 rows not written\n");

  ProcessResult skip = Goconvert({"-i", fixture_, "-d", db_, "--skip-existing"});
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(skip.out,
            "goconvert: 8 rows read, 0 written in 0 blocks (0 flows) on 0 interfaces; "
            "5 stored blocks skipped (8 rows)\n");
  EXPECT_EQ(Goquery({"-d", db_, "list", "-e", "csv"}).out, std::string(kListHeader) + kEth0 + kEth1);
}

TEST_F(ClientsTest, BadLineStopsWithFileLineAndColumnOrIsSkipped) {
  const std::string input =
      "sip,dip,dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent,tstamp\n"
      "10.0.0.1,10.0.0.2,80,6,1,1,1,1,1700000100\n"
      "10.0.0.1,10.0.0.2,80,6,1,1,1,1,1700000400\n"
      "10.0.0.1,10.0.0.2,65536,6,1,1,1,1,1700000400\n"
      "10.0.0.1,10.0.0.3,80,6,1,1,1,1,1700000400\n";
  ProcessResult bad = Goconvert({"-i", "-", "-d", db_, "--iface", "eth0"}, input);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "goconvert: stdin:4: column dport: 65536 is not a port (0-65535)\n"
            "goconvert: stopped: 3 rows read, 1 written in 1 block (1 flow) on 1 interface; "
            "2 rows not written\n");
  // The block at 1700000400 had a good line before the bad one: not stored.
  EXPECT_EQ(Goquery({"-d", db_, "list", "-e", "csv"}).out,
            std::string(kListHeader) + "eth0,,0,1,1,1,1,1,0,0,0,0,0,1,1700000100,1700000100\n");

  ProcessResult skip =
      Goconvert({"-i", "-", "-d", db_, "--iface", "eth0", "--skip-bad", "--skip-existing"}, input);
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  // In input order: line 3 finishes the block of line 2 before line 4 is read.
  EXPECT_EQ(skip.err, "goconvert: skipped stdin:2: block 2023-11-14T22:15:00Z (1700000100) of eth0 "
                      "is already stored; nothing of it was written\n"
                      "goconvert: skipped stdin:4: column dport: 65536 is not a port (0-65535)\n");
  EXPECT_EQ(skip.out,
            "goconvert: 4 rows read, 2 written in 1 block (2 flows) on 1 interface; "
            "1 bad row skipped; 1 stored block skipped (1 row)\n");
}

TEST_F(ClientsTest, CheckValidatesWithoutADatabase) {
  ProcessResult c = Goconvert({"-i", fixture_, "--check"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, "goconvert: 8 rows read, 8 valid in 5 blocks (7 flows) on 2 interfaces; "
                   "nothing written (--check)\n");
}

TEST_F(ClientsTest, GoqueryNoDataIsNotAnError) {
  ASSERT_EQ(Goconvert({"-i", fixture_, "-d", db_}).exit_code, 0);
  ProcessResult r = Goquery({"-d", db_, "list", "-f", "2030-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "goquery: no data in " + db_ + " from 2030-01-01T00:00:00Z on\n");
  ProcessResult json = Goquery({"-d", db_, "list", "-l", "1000", "-e", "json"});
  EXPECT_EQ(json.out, "[]\n");
}

TEST_F(ClientsTest, GoqueryErrorsAreOneLine) {
  ASSERT_EQ(Goconvert({"-i", fixture_, "-d", db_}).exit_code, 0);
  ExpectUsageError(Goquery({"-d", db_, "sip,dpot"}), "goquery: unknown attribute \"dpot\"");
  ExpectUsageError(Goquery({"-d", db_, "--server", "unix:/nowhere.sock", "list"}),
                   "goquery: give -d DIR or --server ADDR, not both");
  ExpectUsageError(Goquery({"-d", db_}), "goquery: no query given");
  ExpectUsageError(Goquery({"-d", db_, "list", "sip"}), "goquery: list takes no query");
  ExpectUsageError(Goquery({"-d", db_, "list", "--bogus"}), "goquery: unknown option --bogus");
  ExpectUsageError(Goquery({"-d", db_, "list", "-e", "xml"}),
                   "goquery: -e: output format \"xml\" is not one of txt, json, csv");
  ExpectUsageError(Goquery({"-d", db_, "list", "-f", "yesterday"}),
                   "goquery: -f: \"yesterday\" is not a time");
  ExpectUsageError(Goquery({"-d", db_, "list", "-f", "200", "-l", "100"}),
                   "goquery: -f is after -l");

  ProcessResult missing = Goquery({"-d", db_, "list", "-i", "eth5"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "goquery: interface eth5 has no data (there is data for eth0, eth1)\n");
  ProcessResult nodb = Goquery({"-d", dir_.path() + "/nowhere", "list"});
  EXPECT_EQ(nodb.exit_code, 1);
  EXPECT_EQ(nodb.err, "goquery: no goDB database at " + dir_.path() + "/nowhere\n");
}

TEST_F(ClientsTest, HelpExplainsWhatExists) {
  ProcessResult q = Goquery({"--help"});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_THAT(q.out, HasSubstr("Usage: goquery [OPTIONS] QUERY"));
  EXPECT_THAT(q.out, HasSubstr("goquery list shows every interface"));
  ProcessResult c = Goconvert({"--help"});
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_THAT(c.out, HasSubstr("--skip-bad"));
  EXPECT_THAT(c.out, HasSubstr("bytes_rcvd,bytes_sent,dip,dport,packets_rcvd,packets_sent,proto,sip,tstamp"));
}

TEST_F(ClientsTest, GoconvertUsageErrors) {
  ExpectUsageError(Goconvert({}), "goconvert: --in is required");
  ExpectUsageError(Goconvert({"-i", fixture_}), "goconvert: -d DIR or --store ADDR is required");
  ExpectUsageError(Goconvert({"-i", fixture_, "-d", db_, "--iface", "a/b"}),
                   "goconvert: --iface: interface name \"a/b\"");
  ProcessResult missing = Goconvert({"-i", dir_.path() + "/none.csv", "-d", db_});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "goconvert: cannot open " + dir_.path() + "/none.csv: No such file or directory\n");
}

}  // namespace
}  // namespace goprobe
