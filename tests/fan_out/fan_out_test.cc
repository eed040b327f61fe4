// Three goqueryd leaves over three databases and a root over them, as real
// processes: the root's answer equals one goqueryd's answer over the union of
// the data, and a leaf killed shows as that host's error.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/query/query_proto.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "lib/rpc/test_certificates.h"
#include "tests/harness/loopback_port.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using testing::ChildProcess;
using testing::Runfile;

constexpr int64_t kT0 = 1700000100;

struct Answer {
  std::vector<query::ResultRow> rows;
  std::vector<v1::HostStatus> hosts;
  v1::Summary summary;
  grpc::Status status;
};

Answer Ask(const std::string& address, const v1::QueryRequest& request) {
  Answer a;
  auto stub = v1::Query::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto reader = stub->Run(&ctx, request);
  v1::QueryResponse m;
  while (reader->Read(&m)) {
    if (m.has_rows()) {
      auto rows = query::RowsFromChunk(m.rows());
      EXPECT_TRUE(rows.ok());
      a.rows.insert(a.rows.end(), rows->begin(), rows->end());
    } else if (m.has_host_status()) {
      a.hosts.push_back(m.host_status());
    } else if (m.has_summary()) {
      a.summary = m.summary();
    }
  }
  a.status = reader->Finish();
  return a;
}

void ExpectSameRows(const Answer& got, const Answer& want, const std::string& what) {
  if (!want.status.ok()) {
    // Both must refuse the same way (e.g. a condition the grammar rejects).
    EXPECT_EQ(got.status.error_code(), want.status.error_code()) << what;
    return;
  }
  ASSERT_TRUE(got.status.ok()) << what << ": " << got.status.error_message();
  ASSERT_EQ(got.rows.size(), want.rows.size()) << what;
  for (size_t i = 0; i < want.rows.size(); ++i) {
    const auto &g = got.rows[i], &w = want.rows[i];
    EXPECT_TRUE(g.sip == w.sip && g.dip == w.dip && g.dport == w.dport && g.proto == w.proto &&
                g.iface == w.iface && g.time == w.time && g.counters == w.counters)
        << what << " row " << i;
  }
  EXPECT_EQ(got.summary.totals().bytes_rcvd(), want.summary.totals().bytes_rcvd()) << what;
  EXPECT_EQ(got.summary.totals().packets_sent(), want.summary.totals().packets_sent()) << what;
  EXPECT_EQ(got.summary.hits_total(), want.summary.hits_total()) << what;
}

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goprobe-fanout.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string goqueryd = Runfile("services/query/goqueryd");
    // Three hosts; blocks share times and interfaces, rows partly share keys.
    std::map<std::pair<std::string, int64_t>, std::vector<flow::FlowRow>> union_rows;
    std::mt19937_64 rng(5);
    for (int host = 1; host <= 3; ++host) {
      auto writer = godb::DbWriter::Open(absl::StrCat(dir_, "/db", host));
      ASSERT_TRUE(writer.ok());
      for (int b = 0; b < 6; ++b) {
        for (const char* iface : {"eth0", "eth1"}) {
          auto rows = godb::RandomRows(150, 0.3, rng() % 4);  // seeds repeat: keys overlap
          for (auto& r : rows) r.counters.bytes_rcvd += rng() % 1000;
          ASSERT_TRUE((*writer)->WriteBlock(iface, kT0 + 300 * b, rows, {}).ok());
          auto& u = union_rows[{iface, kT0 + 300 * b}];
          u.insert(u.end(), rows.begin(), rows.end());
        }
      }
    }
    {
      auto writer = godb::DbWriter::Open(dir_ + "/union");
      ASSERT_TRUE(writer.ok());
      for (const auto& [block, rows] : union_rows) {
        ASSERT_TRUE((*writer)->WriteBlock(block.first, block.second, rows, {}).ok());
      }
    }
    std::string peers;
    for (int host = 1; host <= 3; ++host) {
      const std::string sock = absl::StrCat(dir_, "/leaf", host, ".sock");
      leaves_.push_back(Start({goqueryd, "--db", absl::StrCat(dir_, "/db", host), "--listen",
                               "unix:" + sock, "--host-id", std::to_string(host), "--hostname",
                               absl::StrCat("host", host), "--log-level", "warn"},
                              sock));
      peers += (host > 1 ? "," : "") + ("unix:" + sock);
    }
    union_ = Start({goqueryd, "--db", dir_ + "/union", "--listen", "unix:" + dir_ + "/union.sock",
                    "--host-id", "9", "--log-level", "warn"},
                   dir_ + "/union.sock");
    root_ = Start({goqueryd, "--peers", peers, "--listen", "unix:" + dir_ + "/root.sock",
                   "--host-id", "10", "--host-timeout", "10", "--log-level", "warn"},
                  dir_ + "/root.sock");
  }
  void TearDown() override {
    leaves_.clear();
    union_.reset();
    root_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                      const std::string& socket) {
    auto p = ChildProcess::Start(argv, socket + ".log");
    EXPECT_TRUE(p.ok());
    EXPECT_TRUE((*p)->WaitForPath(socket, absl::Seconds(20))) << (*p)->Log();
    return std::move(*p);
  }

  std::string dir_;
  std::vector<std::unique_ptr<ChildProcess>> leaves_;
  std::unique_ptr<ChildProcess> union_, root_;
};

TEST_F(FanOutTest, RootAnswerEqualsTheUnionsAnswer) {
  struct Case {
    std::vector<v1::Attribute> attributes;
    v1::Direction direction;
    uint64_t limit;
    std::string condition;
  };
  const std::vector<Case> cases = {
      {{v1::ATTRIBUTE_SIP, v1::ATTRIBUTE_DIP}, v1::DIRECTION_BOTH, 20, ""},
      {{v1::ATTRIBUTE_DPORT, v1::ATTRIBUTE_PROTO}, v1::DIRECTION_BOTH, 0, ""},
      {{v1::ATTRIBUTE_SIP}, v1::DIRECTION_IN, 5, ""},
      {{v1::ATTRIBUTE_TIME, v1::ATTRIBUTE_IFACE, v1::ATTRIBUTE_DIP}, v1::DIRECTION_OUT, 50, ""},
      {{v1::ATTRIBUTE_SIP, v1::ATTRIBUTE_DIP}, v1::DIRECTION_BOTH, 30,
       "proto = tcp and snet = 10.0.0.0/8"},
      // A row's direction depends on all hosts' counters: only a root that
      // filters after merging gets this right.
      {{v1::ATTRIBUTE_SIP}, v1::DIRECTION_SUM, 0, "dir = bi"},
      {{v1::ATTRIBUTE_DIP, v1::ATTRIBUTE_DPORT}, v1::DIRECTION_BOTH, 0, "dir = uni and dport = 443"},
      // Refused alike: dir is not a row predicate, so it cannot sit under or.
      {{v1::ATTRIBUTE_DIP}, v1::DIRECTION_BOTH, 0, "dir = uni or dport = 443"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::QueryRequest req;
    for (auto a : cases[i].attributes) req.add_attributes(a);
    req.set_direction(cases[i].direction);
    req.set_limit(cases[i].limit);
    req.set_condition(cases[i].condition);
    const Answer root = Ask("unix:" + dir_ + "/root.sock", req);
    const Answer one = Ask("unix:" + dir_ + "/union.sock", req);
    ExpectSameRows(root, one, absl::StrCat("case ", i));
    if (!one.status.ok()) {
      EXPECT_EQ(one.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      continue;
    }
    ASSERT_EQ(root.hosts.size(), 3u);
    for (const auto& h : root.hosts) EXPECT_EQ(h.code(), v1::HostStatus::CODE_OK) << h.message();
  }
}

TEST_F(FanOutTest, AKilledLeafIsAnErrorRowNotAFailedQuery) {
  leaves_[1]->Signal(SIGKILL);
  ASSERT_TRUE(leaves_[1]->Wait(absl::Seconds(10)).ok());
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.set_limit(0);
  const Answer root = Ask("unix:" + dir_ + "/root.sock", req);
  ASSERT_TRUE(root.status.ok()) << root.status.error_message();
  ASSERT_EQ(root.hosts.size(), 3u);
  int errors = 0;
  for (const auto& h : root.hosts) {
    if (h.code() == v1::HostStatus::CODE_ERROR) {
      ++errors;
      EXPECT_NE(h.address().find("leaf2"), std::string::npos) << h.address();
    } else {
      EXPECT_EQ(h.code(), v1::HostStatus::CODE_OK);
    }
  }
  EXPECT_EQ(errors, 1);
  // The two live leaves' data is all there: compare with asking them directly.
  v1::QueryRequest partial = req;
  uint64_t bytes = 0;
  for (int host : {1, 3}) {
    bytes += Ask(absl::StrCat("unix:", dir_, "/leaf", host, ".sock"), partial)
                 .summary.totals()
                 .bytes_rcvd();
  }
  EXPECT_EQ(root.summary.totals().bytes_rcvd(), bytes);
}

// Leaves on TCP with TLS and API keys, as across hosts: a root that trusts
// their CA gets the same answer as over unix sockets; one that trusts
// another CA gets an error row per leaf, never data.
TEST_F(FanOutTest, RootReachesLeavesOverTls) {
  auto certs = rpc::MakeTestCertificates(dir_);
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string key_file = dir_ + "/leaf.key";
  {
    std::ofstream(key_file) << "fan-out-test-key-0123456789abcdef\n";
    std::filesystem::permissions(key_file, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
  }
  const std::string goqueryd = Runfile("services/query/goqueryd");
  std::vector<std::unique_ptr<ChildProcess>> tls_leaves;
  std::string peers;
  for (int host = 1; host <= 3; ++host) {
    const int port = testing::FreeLoopbackPort();
    const std::string sock = absl::StrCat(dir_, "/tls-leaf", host, ".sock");
    tls_leaves.push_back(Start({goqueryd, "--db", absl::StrCat(dir_, "/db", host), "--listen",
                                absl::StrCat("127.0.0.1:", port), "--listen", "unix:" + sock,
                                "--tls-cert", certs->server_cert, "--tls-key", certs->server_key,
                                "--api-key-file", key_file, "--host-id", std::to_string(host),
                                "--log-level", "warn"},
                               sock));
    EXPECT_TRUE(tls_leaves.back()->WaitForTcpPort(port, absl::Seconds(20)))
        << tls_leaves.back()->Log();
    peers += absl::StrCat(host > 1 ? "," : "", "127.0.0.1:", port);
  }
  auto start_root = [&](const std::string& name, const std::string& ca) {
    const std::string sock = absl::StrCat(dir_, "/", name, ".sock");
    return Start({goqueryd, "--peers", peers, "--listen", "unix:" + sock, "--peer-tls",
                  "--peer-tls-ca", ca, "--peer-tls-server-name", "localhost",
                  "--peer-api-key-file", key_file, "--host-timeout", "10", "--log-level", "warn"},
                 sock);
  };
  auto trusting = start_root("tls-root", certs->ca_cert);
  auto distrusting = start_root("tls-root-other-ca", certs->other_ca_cert);

  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.add_attributes(v1::ATTRIBUTE_DIP);
  req.set_limit(40);
  const Answer over_tls = Ask("unix:" + dir_ + "/tls-root.sock", req);
  ExpectSameRows(over_tls, Ask("unix:" + dir_ + "/union.sock", req), "over TLS");
  ASSERT_EQ(over_tls.hosts.size(), 3u);
  for (const auto& h : over_tls.hosts) EXPECT_EQ(h.code(), v1::HostStatus::CODE_OK) << h.message();

  const Answer refused = Ask("unix:" + dir_ + "/tls-root-other-ca.sock", req);
  ASSERT_TRUE(refused.status.ok()) << refused.status.error_message();
  EXPECT_TRUE(refused.rows.empty());
  ASSERT_EQ(refused.hosts.size(), 3u);
  for (const auto& h : refused.hosts) EXPECT_EQ(h.code(), v1::HostStatus::CODE_ERROR);
}

TEST_F(FanOutTest, ALeafKilledMidQueryIsThatHostsError) {
  // Stopped, the leaf holds the root's call open; killed, it drops it.
  leaves_[1]->Signal(SIGSTOP);
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.set_limit(0);
  Answer root;
  std::thread query([&] { root = Ask("unix:" + dir_ + "/root.sock", req); });
  absl::SleepFor(absl::Seconds(1));
  leaves_[1]->Signal(SIGKILL);
  query.join();
  ASSERT_TRUE(leaves_[1]->Wait(absl::Seconds(10)).ok());
  ASSERT_TRUE(root.status.ok()) << root.status.error_message();
  ASSERT_EQ(root.hosts.size(), 3u);
  uint64_t bytes = 0;
  for (const auto& h : root.hosts) {
    if (h.address().find("leaf2") != std::string::npos) {
      EXPECT_EQ(h.code(), v1::HostStatus::CODE_ERROR) << h.message();
    } else {
      EXPECT_EQ(h.code(), v1::HostStatus::CODE_OK) << h.message();
    }
  }
  for (int host : {1, 3}) {
    bytes += Ask(absl::StrCat("unix:", dir_, "/leaf", host, ".sock"), req)
                 .summary.totals()
                 .bytes_rcvd();
  }
  EXPECT_EQ(root.summary.totals().bytes_rcvd(), bytes);
}

}  // namespace
}  // namespace goprobe
