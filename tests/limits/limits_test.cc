// A goqueryd leaf as an operator runs it, sent what a hostile or broken
// client sends: conditions nested far too deep, limits of 2^63, negative
// times, huge interface regexes, oversized messages, and requests faster
// than its rate. Each is refused with a status naming the limit, the
// process stays up and small, and /metrics counts the refusals. And the
// services refuse to serve TCP without API keys unless told to.

#include <httplib.h>

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
using ::testing::Not;
using testing::ChildProcess;
using testing::RunProcess;
using testing::Runfile;

constexpr char kKey[] = "limits-key-0123456789abcdef";

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goprobe-limits.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/db");
    std::ofstream(dir_ + "/keys") << kKey << "\n";
    ::chmod((dir_ + "/keys").c_str(), 0600);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A leaf on a unix socket and TCP, with small limits so tests reach them.
  void StartLeaf(std::vector<std::string> extra = {}) {
    port_ = testing::FreeLoopbackPort();
    metrics_port_ = testing::FreeLoopbackPort();
    std::vector<std::string> argv = {Runfile("services/query/goqueryd"),
                                     "--db", dir_ + "/db",
                                     "--listen", "unix:" + dir_ + "/q.sock",
                                     "--listen", absl::StrCat("127.0.0.1:", port_),
                                     "--api-key-file", dir_ + "/keys",
                                     "--host-id", "3",
                                     "--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port_),
                                     "--max-receive-message-bytes", "4MiB",
                                     "--max-rows", "1000",
                                     "--log-level", "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto server = ChildProcess::Start(argv, dir_ + "/goqueryd.log");
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    ASSERT_TRUE(server_->WaitForPath(dir_ + "/q.sock", absl::Seconds(20))) << server_->Log();
    ASSERT_TRUE(server_->WaitForTcpPort(port_, absl::Seconds(20))) << server_->Log();
    ASSERT_TRUE(server_->WaitForTcpPort(metrics_port_, absl::Seconds(20))) << server_->Log();
    stub_ = v1::Query::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                                   grpc::InsecureChannelCredentials()));
  }

  grpc::Status Run(const v1::QueryRequest& request) {
    grpc::ClientContext ctx;
    rpc::AddApiKey(kKey, &ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto reader = stub_->Run(&ctx, request);
    v1::QueryResponse response;
    while (reader->Read(&response)) {
    }
    return reader->Finish();
  }

  grpc::Status List() {
    grpc::ClientContext ctx;
    rpc::AddApiKey(kKey, &ctx);
    v1::QueryListInterfacesResponse response;
    return stub_->ListInterfaces(&ctx, {}, &response);
  }

  std::string Metrics() {
    httplib::Client client("127.0.0.1", metrics_port_);
    auto scrape = client.Get("/metrics");
    return scrape ? scrape->body : "";
  }

  static v1::QueryRequest Query() {
    v1::QueryRequest request;
    request.add_attributes(v1::ATTRIBUTE_SIP);
    return request;
  }

  std::string dir_;
  int port_ = 0, metrics_port_ = 0;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST_F(LimitsTest, AbsurdQueriesAreRefusedNamingTheLimitAndTheLeafStaysSmall) {
  StartLeaf();
  ASSERT_TRUE(Run(Query()).ok());
  const int64_t rss_before = int64_t(server_->StatusKiB("VmRSS")) << 10;
  ASSERT_GT(rss_before, 0);

  struct Case {
    std::string what;
    v1::QueryRequest request;
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  {
    // 100000 levels: refused by length before the parser sees it.
    v1::QueryRequest r = Query();
    r.set_condition(std::string(100000, '(') + "dport = 1" + std::string(100000, ')'));
    cases.push_back({"100000 parentheses", r, grpc::StatusCode::INVALID_ARGUMENT, "condition"});
  }
  {
    // Short enough to be parsed: refused by the nesting limit, not the stack.
    v1::QueryRequest r = Query();
    r.set_condition(std::string(30000, '(') + "dport = 1" + std::string(30000, ')'));
    cases.push_back({"30000 parentheses", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "nesting deeper than 100 levels"});
  }
  {
    v1::QueryRequest r = Query();
    std::string nots;
    for (int i = 0; i < 15000; ++i) nots += "not ";
    r.set_condition(nots + "dport = 1");
    cases.push_back({"15000 nots", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "nesting deeper than 100 levels"});
  }
  {
    v1::QueryRequest r = Query();
    r.set_limit(uint64_t{1} << 63);
    cases.push_back({"limit 2^63", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "limit: 9223372036854775808 rows is more than this server's "
                     "query.max_rows (1000)"});
  }
  {
    v1::QueryRequest r = Query();
    r.set_first(-5);
    cases.push_back({"negative first", r, grpc::StatusCode::INVALID_ARGUMENT, "time range"});
  }
  {
    v1::QueryRequest r = Query();
    r.set_first(2000000000);
    r.set_last(1000000000);
    cases.push_back({"last before first", r, grpc::StatusCode::INVALID_ARGUMENT, "time range"});
  }
  {
    v1::QueryRequest r = Query();
    r.mutable_interfaces()->add_regexes(std::string(1 << 20, 'x') + "(a|b)*");
    cases.push_back({"1 MiB regex", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "more than the 1024 allowed"});
  }
  {
    v1::QueryRequest r = Query();
    for (int i = 0; i < 100000; ++i) r.mutable_interfaces()->add_regexes("^eth[0-9]+$");
    cases.push_back({"100000 regexes", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "100000 names and regexes, more than the 1024 allowed"});
  }
  {
    v1::QueryRequest r = Query();
    r.set_max_memory_percent(1000);
    cases.push_back({"1000 percent", r, grpc::StatusCode::INVALID_ARGUMENT, "max_memory_percent"});
  }
  {
    v1::QueryRequest r = Query();
    r.add_attributes(v1::Attribute(1 << 20));
    cases.push_back({"unknown attribute", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "unknown attribute"});
  }
  {
    // Over --max-receive-message-bytes: gRPC refuses it before any handler.
    v1::QueryRequest r = Query();
    r.set_condition(std::string(5 << 20, ' '));
    cases.push_back({"5 MiB request", r, grpc::StatusCode::RESOURCE_EXHAUSTED, ""});
  }
  for (const Case& c : cases) {
    grpc::Status s = Run(c.request);
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message)) << c.what;
    // Short enough for a status line, whatever the request held.
    EXPECT_LT(s.error_message().size(), 1000u) << c.what;
  }
  ASSERT_TRUE(server_->Running()) << server_->Log();
  EXPECT_TRUE(Run(Query()).ok());
  // Refusing costs no lasting memory: well under what the requests carried
  // (about 20 MiB in all), let alone a copy of each.
  const int64_t rss_after = int64_t(server_->StatusKiB("VmRSS")) << 10;
  EXPECT_LT(rss_after - rss_before, int64_t{64} << 20) << rss_before << " -> " << rss_after;

  // gRPC refuses the oversized message before any handler or interceptor
  // sees the call: the other refusals are counted by code.
  const std::string run =
      "grpc_service=\"goprobe.v1.Query\",grpc_method=\"Run\",grpc_type=\"server_stream\"";
  EXPECT_EQ(testing::PrometheusSample(
                Metrics(), "grpc_server_handled_total{" + run + ",grpc_code=\"InvalidArgument\"}"),
            double(cases.size() - 1));
  // Every call ends; the running count returns to 0 once gRPC is done with
  // the last one (just after its client saw the status).
  double running = -1;
  for (int i = 0; i < 200 && running != 0; ++i) {
    running = testing::PrometheusSample(Metrics(), "grpc_server_calls_running{method=\"Query.Run\"}");
    if (running != 0) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(running, 0);
}

TEST_F(LimitsTest, RequestRateIsLimitedPerKeyAndCounted) {
  StartLeaf({"--requests-per-second", "1", "--request-burst", "5"});
  int refused = 0;
  grpc::Status last;
  for (int i = 0; i < 12; ++i) {
    grpc::Status s = List();
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
      last = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
  }
  // 5 saved up, perhaps one more refilled while the loop ran.
  EXPECT_GE(refused, 5);
  EXPECT_LE(refused, 7);
  EXPECT_THAT(last.error_message(),
              HasSubstr("request rate of " + rpc::ApiKeyId(kKey) +
                        " over limits.requests_per_second = 1 (burst 5)"));
  EXPECT_EQ(testing::PrometheusSample(Metrics(), "grpc_server_limit_refused_total{method=\"Query."
                                                 "ListInterfaces\",limit=\"rate\"}"),
            refused);
  // The key itself is in no log line.
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->Wait(absl::Seconds(20)).ok());
  EXPECT_THAT(server_->Log(), Not(HasSubstr(kKey)));
  EXPECT_THAT(server_->Log(), HasSubstr("request rate 1/s per caller (burst 5)"));
}

TEST_F(LimitsTest, TcpWithoutKeysDoesNotStartUnlessOptedOut) {
  for (const std::string& binary : {std::string("services/store/gostore"),
                                    std::string("services/query/goqueryd")}) {
    auto r = RunProcess({Runfile(binary), "--db", dir_ + "/db", "--listen", "127.0.0.1:0",
                         "--host-id", "3", "--check-config"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << binary;
    EXPECT_THAT(r->err, HasSubstr("--listen: TCP listener 127.0.0.1:0 needs API keys: set "
                                  "api_key_file (--api-key-file) or api_key_env"))
        << binary;

    r = RunProcess({Runfile(binary), "--db", dir_ + "/db", "--listen", "127.0.0.1:0",
                    "--host-id", "3", "--insecure-no-auth", "--check-config"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0) << binary << ": " << r->err;

    // A unix socket alone needs no key.
    r = RunProcess({Runfile(binary), "--db", dir_ + "/db", "--listen", "unix:" + dir_ + "/s.sock",
                    "--host-id", "3", "--check-config"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0) << binary << ": " << r->err;
  }
}

TEST_F(LimitsTest, KeysFromTheEnvironmentAreAcceptedAndNotLogged) {
  ::setenv("GOQUERYD_TEST_KEYS", kKey, 1);
  port_ = testing::FreeLoopbackPort();
  auto server = ChildProcess::Start(
      {Runfile("services/query/goqueryd"), "--db", dir_ + "/db", "--listen",
       "unix:" + dir_ + "/q.sock", "--listen", absl::StrCat("127.0.0.1:", port_),
       "--api-key-env", "GOQUERYD_TEST_KEYS", "--host-id", "3", "--log-level", "trace"},
      dir_ + "/env.log");
  ::unsetenv("GOQUERYD_TEST_KEYS");
  ASSERT_TRUE(server.ok());
  server_ = std::move(*server);
  ASSERT_TRUE(server_->WaitForPath(dir_ + "/q.sock", absl::Seconds(20))) << server_->Log();
  ASSERT_TRUE(server_->WaitForTcpPort(port_, absl::Seconds(20))) << server_->Log();
  stub_ = v1::Query::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                                 grpc::InsecureChannelCredentials()));
  EXPECT_TRUE(List().ok());
  grpc::ClientContext ctx;
  v1::QueryListInterfacesResponse response;
  EXPECT_EQ(stub_->ListInterfaces(&ctx, {}, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->Wait(absl::Seconds(20)).ok());
  EXPECT_THAT(server_->Log(), HasSubstr("API keys required on TCP"));
  EXPECT_THAT(server_->Log(), Not(HasSubstr(kKey)));
}

}  // namespace
}  // namespace goprobe
