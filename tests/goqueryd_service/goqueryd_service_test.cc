// goqueryd as an operator runs it: from a YAML file, API keys on TCP, and
// its requests counted by method and code on /metrics, scraped over
// loopback; and the role mistakes it refuses at start.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "tests/harness/loopback_port.h"
#include "tests/harness/prometheus_sample.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using ::testing::HasSubstr;
using testing::ChildProcess;
using testing::RunProcess;
using testing::Runfile;

constexpr char kKey[] = "query-key-0123456789abcdef";

class GoquerydProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goprobe-goqueryd.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    goqueryd_ = Runfile("services/query/goqueryd");
    std::filesystem::create_directories(dir_ + "/db");
    std::ofstream(dir_ + "/keys") << "# goquery's key\n" << kKey << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  grpc::StatusCode List(const std::string& address, const std::string& key) {
    auto stub = v1::Query::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    rpc::AddApiKey(key, &ctx);
    v1::QueryListInterfacesResponse response;
    return stub->ListInterfaces(&ctx, {}, &response).error_code();
  }

  std::string dir_, goqueryd_;
};

TEST_F(GoquerydProcessTest, CountsRequestsByMethodAndCode) {
  const int port = testing::FreeLoopbackPort();
  const int metrics_port = testing::FreeLoopbackPort();
  const std::string config = Write("goqueryd.yaml", absl::StrCat(
      "db_path: ", dir_, "/db\n",
      "listen:\n  - unix:", dir_, "/q.sock\n  - 127.0.0.1:", port, "\n",
      "host_id: 11\n",
      "api_key_file: ", dir_, "/keys\n",
      "logging: {level: warn}\n",
      "metrics: {listen: 127.0.0.1:", metrics_port, "}\n",
      "query: {threads: 1}\n"));
  auto server = ChildProcess::Start({goqueryd_, "--config", config}, dir_ + "/goqueryd.log");
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->WaitForPath(dir_ + "/q.sock", absl::Seconds(20))) << (*server)->Log();
  ASSERT_TRUE((*server)->WaitForTcpPort(port, absl::Seconds(20))) << (*server)->Log();
  ASSERT_TRUE((*server)->WaitForTcpPort(metrics_port, absl::Seconds(20))) << (*server)->Log();

  const std::string tcp = absl::StrCat("127.0.0.1:", port);
  EXPECT_EQ(List("unix:" + dir_ + "/q.sock", ""), grpc::StatusCode::OK);  // trusted socket
  EXPECT_EQ(List(tcp, kKey), grpc::StatusCode::OK);
  EXPECT_EQ(List(tcp, ""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(List(tcp, "wrong-key-0123456789abcdef"), grpc::StatusCode::UNAUTHENTICATED);
  {
    // A query without attributes is refused before it runs.
    auto stub = v1::Query::NewStub(
        grpc::CreateChannel(tcp, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    rpc::AddApiKey(kKey, &ctx);
    auto reader = stub->Run(&ctx, v1::QueryRequest());
    v1::QueryResponse response;
    while (reader->Read(&response)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }

  httplib::Client client("127.0.0.1", metrics_port);
  auto scrape = client.Get("/metrics");
  ASSERT_TRUE(scrape) << httplib::to_string(scrape.error());
  const std::string& text = scrape->body;
  const std::string list =
      "grpc_service=\"goprobe.v1.Query\",grpc_method=\"ListInterfaces\",grpc_type=\"unary\"";
  const std::string run =
      "grpc_service=\"goprobe.v1.Query\",grpc_method=\"Run\",grpc_type=\"server_stream\"";
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_started_total{" + list + "}"), 4);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_handled_total{" + list + ",grpc_code=\"OK\"}"), 2);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_handled_total{" + list + ",grpc_code=\"Unauthenticated\"}"),
            2);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_handled_total{" + run + ",grpc_code=\"InvalidArgument\"}"),
            1);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_handling_seconds_count{" + list + "}"), 4);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_handling_seconds_bucket{" + list + ",le=\"+Inf\"}"), 4);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_auth_refused_total{method=\"Query.ListInterfaces\","
                         "reason=\"missing_key\"}"),
            1);
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_auth_refused_total{method=\"Query.ListInterfaces\","
                         "reason=\"invalid_key\"}"),
            1);
  // The log names the refusals, never the key presented.
  (*server)->Signal(SIGTERM);
  auto code = (*server)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  EXPECT_THAT((*server)->Log(), HasSubstr("refused Query.ListInterfaces from ipv4:127.0.0.1"));
  EXPECT_THAT((*server)->Log(), ::testing::Not(HasSubstr("wrong-key")));
}

TEST_F(GoquerydProcessTest, RefusesRoleMistakesAtStart) {
  struct Case {
    std::vector<std::string> args;
    std::string want;
  };
  const std::vector<Case> cases = {
      {{"--listen", "127.0.0.1:0"}, "give db_path (--db) for a leaf or peers (--peers) for a root"},
      {{"--db", dir_ + "/db", "--peers", "a:1", "--listen", "127.0.0.1:0"},
       "--peers: a goqueryd is a leaf over --db or a root over peers, not both"},
      {{"--peers", "a:1,bogus", "--listen", "127.0.0.1:0"},
       "--peers: peer \"bogus\": want host:port, [ipv6]:port or unix:/path"},
      {{"--db", dir_ + "/db", "--host-timeout", "5", "--listen", "127.0.0.1:0"},
       "--host-timeout: a root's setting; this goqueryd is a leaf (db_path)"},
      {{"--peers", "a:1", "--query-threads", "2", "--listen", "127.0.0.1:0"},
       "--query-threads: a leaf's setting; this goqueryd is a root (peers)"},
      {{"--db", dir_ + "/db", "--listen", "127.0.0.1:0", "--metrics-listen", "9102"},
       "--metrics-listen: want host:port or [ipv6]:port (got \"9102\")"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {goqueryd_};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = RunProcess(argv);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << c.want;
    EXPECT_THAT(r->err, HasSubstr(c.want));
  }
}

}  // namespace
}  // namespace goprobe
