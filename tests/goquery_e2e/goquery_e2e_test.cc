// goquery end to end, as processes: the same goDB answered in-process (-d)
// and by goqueryd (--server, a leaf and a root over leaves) prints the same
// table; the server-side failures a person meets each give one line and
// their own exit status; a stored query runs as written; and flows survive
// pcap -> goprobe -> goquery csv -> goconvert -> goquery unchanged, both
// through goDB directories and through the services (gostore, goqueryd).

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/goquery/fixture_db_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "nlohmann/json.hpp"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;
using testing::ProcessResult;
using testing::Runfile;
using testing::RunProcess;
using ::testing::StartsWith;

constexpr char kKey[] = "e2e-key-0123456789abcdef";

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

// `text` without the line that starts with `prefix`.
std::string DropLine(std::string text, const std::string& prefix) {
  const size_t at = text.find("\n" + prefix);
  if (at != std::string::npos) text.erase(at + 1, text.find('\n', at + 1) - at);
  return text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

class GoqueryE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unix socket paths must be short; TEST_TMPDIR is not.
    char tmpl[] = "/tmp/goquery-e2e.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = dir_ + "/db";
    // txt prints local time; make it the same everywhere.
    ::setenv("TZ", "UTC", 1);
    ::unsetenv("GOQUERY_SERVER");
    ::unsetenv("GOQUERY_API_KEY_FILE");
  }
  void TearDown() override {
    servers_.clear();
    std::filesystem::remove_all(dir_);
  }

  ProcessResult Goquery(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), Runfile("clients/goquery/goquery"));
    auto r = RunProcess(args, input);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }
  ProcessResult Run(const std::string& binary, std::vector<std::string> args) {
    args.insert(args.begin(), Runfile(binary));
    auto r = RunProcess(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }

  // A goqueryd with `args`, ready once `socket` exists.
  ChildProcess* Goqueryd(std::vector<std::string> args, const std::string& socket) {
    args.insert(args.begin(), Runfile("services/query/goqueryd"));
    auto p = ChildProcess::Start(args, socket + ".log");
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return nullptr;
    EXPECT_TRUE((*p)->WaitForPath(socket, absl::Seconds(30))) << (*p)->Log();
    servers_.push_back(std::move(*p));
    return servers_.back().get();
  }
  std::string Leaf(const std::string& db, const std::string& name, uint64_t host_id,
                   std::vector<std::string> extra = {}) {
    const std::string socket = absl::StrCat(dir_, "/", name, ".sock");
    std::vector<std::string> args = {"--db",        db,
                                     "--listen",    "unix:" + socket,
                                     "--host-id",   std::to_string(host_id),
                                     "--hostname",  name,
                                     "--log-level", "info"};
    args.insert(args.end(), extra.begin(), extra.end());
    Goqueryd(args, socket);
    return "unix:" + socket;
  }
  // The TCP port a goqueryd reported in its log.
  int TcpPort(ChildProcess* server) {
    for (int i = 0; i < 200; ++i) {
      const std::string log = server->Log();
      const size_t at = log.find("(port ");
      int port = 0;
      if (at != std::string::npos &&
          absl::SimpleAtoi(log.substr(at + 6, log.find(',', at) - at - 6), &port)) {
        return port;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "no TCP port in the log: " << server->Log();
    return 0;
  }

  // A gostore for host 7 writing `db`, on a unix socket.
  std::string Gostore(const std::string& db, const std::string& name) {
    const std::string socket = absl::StrCat(dir_, "/", name, ".sock");
    auto p = ChildProcess::Start({Runfile("services/store/gostore"), "--db", db, "--listen",
                                  "unix:" + socket, "--host-id", "7", "--log-level", "warn",
                                  "--metrics-listen", ""},
                                 socket + ".log");
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return "";
    EXPECT_TRUE((*p)->WaitForPath(socket, absl::Seconds(30))) << (*p)->Log();
    servers_.push_back(std::move(*p));
    return "unix:" + socket;
  }

  std::string dir_, db_;
  std::vector<std::unique_ptr<ChildProcess>> servers_;
};

TEST_F(GoqueryE2eTest, InProcessAndServerPrintTheSame) {
  goquery::WriteFixtureDb(db_);
  const std::string server = Leaf(db_, "leaf", 7);
  const std::vector<std::vector<std::string>> queries = {
      {"-f", "1700000000", "talk_conv"},
      {"-f", "1700000000", "-i", "eth0,eth1", "-n", "2", "-s", "packets", "apps_port"},
      {"-f", "1700000000", "-c", "proto = udp or net = 10.0.0.0/8", "--in", "sip,dport"},
      {"-f", "2023-11-14 22:00", "-l", "2023-11-14 23:00", "--sum", "-e", "csv", "raw"},
      {"-f", "1700000000", "--resolution", "15m", "time"},
  };
  for (const auto& q : queries) {
    std::vector<std::string> local = {"-d", db_}, remote = {"--server", server};
    local.insert(local.end(), q.begin(), q.end());
    remote.insert(remote.end(), q.begin(), q.end());
    const ProcessResult a = Goquery(local), b = Goquery(remote);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(b.err, "");
    EXPECT_GT(Lines(a.out), 2) << q.back();
    EXPECT_EQ(MaskTiming(b.out), MaskTiming(a.out)) << q.back();
  }
  // The table a person sees.
  const ProcessResult table =
      Goquery({"--server", server, "-f", "1700000000", "-n", "3", "sip,dip"});
  EXPECT_EQ(MaskTiming(table.out), R"(
                             packets  packets             bytes      bytes
          sip           dip       in      out      %         in        out      %
     10.0.0.1  192.168.1.10  15.00    52.00    77.01    1.95 kB   63.48 kB  96.08
     10.0.0.2  192.168.1.10   4.00     5.00    10.34  800.00  B  900.00  B   2.44
  2001:db8::1  2001:db8::53   3.00     3.00     6.90  450.00  B  180.00  B   0.90
                                 ...      ...               ...        ...
                             24.00    63.00             3.34 kB   64.75 kB

      Totals:                         87.00                       68.10 kB

Timespan / Interface : [2023-11-14 22:15:00, 2023-11-14 22:25:00] / eth0,eth1
Sorted by            : accumulated data volume (sent and received)
Query stats          : 6 hits in T (top 3 displayed)

)");
  // GOQUERY_SERVER stands in for --server; json names the answering host.
  ::setenv("GOQUERY_SERVER", server.c_str(), 1);
  const ProcessResult json = Goquery({"-f", "1700000000", "-e", "json", "hostname,sip"});
  ::unsetenv("GOQUERY_SERVER");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["hostname"], "leaf");
  EXPECT_EQ(doc["hosts_statuses"]["leaf"]["code"], "ok");
  EXPECT_EQ(doc["rows"][0]["labels"]["host"], "leaf");
  // list through the server carries the host.
  const ProcessResult list = Goquery({"--server", server, "list", "-e", "csv"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out,
              HasSubstr("\neth0,leaf,7,2974,66054,21,59,4,0,0,0,0,0,3,1700000100,1700000700\n"));
}

// A root over two leaves, one of them gone: the answer comes from the other,
// the failure is named on stderr, and the footer counts the hosts.
TEST_F(GoqueryE2eTest, RootOverLeavesReportsEachHost) {
  goquery::WriteFixtureDb(db_);
  const std::string one = Leaf(db_, "one", 1);
  const std::string two = Leaf(db_, "two", 2);
  const std::string root_socket = dir_ + "/root.sock";
  Goqueryd({"--peers", one + "," + two, "--listen", "unix:" + root_socket, "--host-id", "9",
            "--hostname", "root", "--host-timeout", "10", "--log-level", "warn"},
           root_socket);
  servers_[1]->Signal(SIGKILL);
  ASSERT_TRUE(servers_[1]->Wait(absl::Seconds(10)).ok());
  const ProcessResult r =
      Goquery({"--server", "unix:" + root_socket, "-f", "1700000000", "hostname,dport"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, StartsWith("goquery: host "));
  EXPECT_THAT(r.err, HasSubstr("two.sock"));
  EXPECT_THAT(r.out, HasSubstr("       one    443"));
  EXPECT_THAT(r.out, HasSubstr("Hosts                : 2 hosts: 1 ok / 0 empty / 1 error\n"));
}

TEST_F(GoqueryE2eTest, ServerFailuresAreOneLineEach) {
  goquery::WriteFixtureDb(db_);
  const std::string keys = dir_ + "/keys";
  std::ofstream(keys) << kKey << "\n";
  const std::string socket = dir_ + "/auth.sock";
  ChildProcess* server =
      Goqueryd({"--db", db_, "--listen", "unix:" + socket, "--listen", "127.0.0.1:0",
                "--api-key-file", keys, "--host-id", "3", "--log-level", "info"},
               socket);
  ASSERT_NE(server, nullptr);
  const std::string tcp = absl::StrCat("127.0.0.1:", TcpPort(server));

  ProcessResult r = Goquery({"--server", tcp, "-f", "1700000000", "sip"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("goquery: goqueryd at " + tcp + " refused the request: "));
  EXPECT_EQ(Lines(r.err), 1) << r.err;

  r = Goquery({"--server", tcp, "--api-key-file", keys, "-f", "1700000000", "sip"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("10.0.0.1"));

  r = Goquery({"--server", "unix:" + dir_ + "/nobody.sock", "sip"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("goquery: cannot reach goqueryd at unix:" + dir_ + "/nobody.sock"));
  EXPECT_EQ(Lines(r.err), 1) << r.err;

  r = Goquery({"--server", "unix:" + socket, "-c", "dport = 443 and sip = foo", "sip"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "goquery: condition: position 22: expected an IP address after \"sip =\", found \"foo\"\n"
      "\n"
      "dport = 443 and sip = foo\n"
      "                      ^\n");

  r = Goquery({"-d", db_, "--server", tcp, "sip"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "goquery: give -d DIR or --server ADDR, not both (goquery --help explains)\n");
}

TEST_F(GoqueryE2eTest, StoredQueryAsInTheReadme) {
  goquery::WriteFixtureDb(db_);
  const std::string out = dir_ + "/query.output";
  const std::string stored = dir_ + "/args.json";
  std::ofstream(stored) << R"({
  "Query": "sip,dip,proto",
  "Output": ")" << out << R"(",  // where to route the output (stdout is default)
  "Ifaces": "eth0,eth1",
  "Condition": "dport eq 443",
  "In": true,
  "Out": true,
  "Sum": false,
  "First": "14.11.2023 00:00",
  "Last": "15.11.2023 23:59",
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
  ProcessResult r = Goquery({"-d", db_, "--stored-query", stored});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto doc = nlohmann::json::parse(ReadFile(out));
  EXPECT_EQ(doc["query"]["attributes"], nlohmann::json({"iface", "sip", "dip", "proto"}));
  EXPECT_EQ(doc["query"]["condition"], "dport = 443");
  EXPECT_EQ(doc["summary"]["hits"]["total"], 2);
  EXPECT_EQ(doc["rows"][0]["attributes"]["sip"], "10.0.0.1");

  // A flag beside it wins; standard input works too.
  r = Goquery({"-d", db_, "--stored-query", "-", "-e", "csv"},
              R"({"Query": "dport", "First": 1700000000, "Format": "json"})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "dport,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent\n"
            "443,19,57,2800,65900\n53,4,4,540,250\n0,1,2,84,156\n");

  r = Goquery({"-d", db_, "--stored-query", "-"}, R"({"Qeury": "sip"})");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("goquery: stored query (stdin): unknown key \"Qeury\""));
  EXPECT_EQ(Lines(r.err), 1);
}

// A query that cannot finish in time ends with its own exit status, in
// process and on the server alike.
TEST_F(GoqueryE2eTest, TimeoutIsItsOwnExitStatus) {
  {
    godb::WriterOptions options;
    options.sync = false;  // a scratch database: durability is not the point
    auto writer = godb::DbWriter::Open(db_, options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (int b = 0; b < 400; ++b) {
      ASSERT_TRUE((*writer)
                      ->WriteBlock("eth0", 1700000100 + 300 * b, godb::RandomRows(2000, 0.3, b), {})
                      .ok());
    }
  }
  const std::string server = Leaf(db_, "big", 5);
  for (const std::string& source : {std::string("-d"), std::string("--server")}) {
    const ProcessResult r = Goquery(
        {source, source == "-d" ? db_ : server, "-f", "0", "--timeout", "1ms", "agg_talk_port"});
    EXPECT_EQ(r.exit_code, 5) << source << ": " << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "goquery: the query did not finish within --timeout 1ms; narrow it with -f/-l or -i, "
              "or allow more time\n")
        << source;
  }
}

// Relative times start with a dash and still read as values.
TEST_F(GoqueryE2eTest, RelativeTimesAndNoData) {
  goquery::WriteFixtureDb(db_);
  const ProcessResult r = Goquery({"-d", db_, "-f", "-7d", "-l", "-1h", "talk_src"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("goquery: no data in " + db_ + " on any interface between "));
}

// The flows of a capture, through every tool and back: goquery's csv is
// goconvert's input, and the database it writes answers like goprobe's.
TEST_F(GoqueryE2eTest, RoundTripPcapGoprobeGoqueryGoconvertGoquery) {
  const std::string pcap = Runfile("tests/data/pcaps/goprobe__default.pcap.gz");
  ProcessResult probe = Run("services/probe/goprobe", {"--pcap", pcap, "--iface", "eth0", "--db",
                                                       dir_ + "/probed", "--host-id", "7"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const ProcessResult first = Goquery({"-d", dir_ + "/probed", "-f", "0", "-e", "csv", "raw"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_GT(Lines(first.out), 100);
  const std::string csv = dir_ + "/flows.csv";
  std::ofstream(csv) << first.out;
  ProcessResult convert =
      Run("clients/goconvert/goconvert", {"-i", csv, "-d", dir_ + "/converted"});
  ASSERT_EQ(convert.exit_code, 0) << convert.err;
  const ProcessResult second = Goquery({"-d", dir_ + "/converted", "-f", "0", "-e", "csv", "raw"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
  // And the tables a person reads agree too.
  for (const char* query : {"talk_conv", "apps_port", "sip"}) {
    const ProcessResult a = Goquery({"-d", dir_ + "/probed", "-f", "0", "-n", "20", query});
    const ProcessResult b = Goquery({"-d", dir_ + "/converted", "-f", "0", "-n", "20", query});
    // goprobe's last block of a capture ends with the capture, goconvert's
    // on a five-minute boundary: only the timespan may differ.
    EXPECT_EQ(DropLine(MaskTiming(b.out), "Timespan / Interface"),
              DropLine(MaskTiming(a.out), "Timespan / Interface"))
        << query;
  }
}

// The same round trip the way a deployment runs it: goprobe ships to a
// gostore, goquery asks a goqueryd over that store's goDB, goconvert imports
// the csv through a second gostore, and its goqueryd answers the same rows.
TEST_F(GoqueryE2eTest, RoundTripThroughGostoreAndGoqueryd) {
  const std::string pcap = Runfile("tests/data/pcaps/goprobe__default.pcap.gz");
  const std::string probed_store = Gostore(dir_ + "/probed", "store-a");
  ProcessResult probe =
      Run("services/probe/goprobe", {"--pcap", pcap, "--iface", "eth0", "--store", probed_store,
                                     "--spool", dir_ + "/spool", "--host-id", "7",
                                     "--ship-timeout", "60"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  const std::string probed = Leaf(dir_ + "/probed", "leaf-a", 7);
  const ProcessResult first = Goquery({"--server", probed, "-f", "0", "-e", "csv", "raw"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_GT(Lines(first.out), 100);
  const std::string csv = dir_ + "/flows.csv";
  std::ofstream(csv) << first.out;

  const std::string converted_store = Gostore(dir_ + "/converted", "store-b");
  ProcessResult convert = Run("clients/goconvert/goconvert",
                              {"-i", csv, "--store", converted_store, "--host-id", "7"});
  ASSERT_EQ(convert.exit_code, 0) << convert.err;
  const std::string converted = Leaf(dir_ + "/converted", "leaf-b", 7);
  const ProcessResult second = Goquery({"--server", converted, "-f", "0", "-e", "csv", "raw"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
}

}  // namespace
}  // namespace goprobe
