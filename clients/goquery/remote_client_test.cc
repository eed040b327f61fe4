// goquery's --server path against a goqueryd leaf running in-process: the
// same answer as -d, streamed; API keys; the errors a person meets.

#include "clients/goquery/remote_client.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "clients/goquery/exit_codes.h"
#include "clients/goquery/fixture_db_for_test.h"
#include "clients/goquery/query_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/query/condition_error.h"
#include "lib/query/condition_row_selector.h"
#include "lib/rpc/api_keys.h"
#include "lib/rpc/grpc_server.h"
#include "nlohmann/json.hpp"
#include "services/query/query_service.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

struct Outcome {
  int code = -1;
  std::string out, err;
};

RemoteServer Remote(const std::string& address, const std::string& key = "") {
  RemoteServer s;
  s.address = address;
  s.api_key = key;
  return s;
}

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

class RemoteClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unix socket paths are short; TEST_TMPDIR is not.
    char tmpl[] = "/tmp/goquery-remote.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = dir_ + "/db";
    WriteFixtureDb(db_);
    auth_ = std::make_unique<rpc::ApiKeyAuthorizer>(std::vector<std::string>{kKey},
                                                    /*trust_unix_sockets=*/true);
    service_ = std::make_unique<query::LeafQueryService>(db_, host::HostIdentity{7, "testhost"},
                                                         auth_.get(), query::CompileCondition);
    rpc::ServerOptions options;
    options.listen = {"unix:" + dir_ + "/q.sock", "127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    unix_ = "unix:" + dir_ + "/q.sock";
    tcp_ = "127.0.0.1:" + std::to_string(server_->bound_ports()[1]);
  }
  void TearDown() override {
    server_->Shutdown(absl::Seconds(1));
    std::filesystem::remove_all(dir_);
  }

  Outcome Query(const QueryArgs& args, const QuerySource& source) {
    std::ostringstream out, err;
    CommandEnv env;
    env.out = &out;
    env.err = &err;
    env.now = absl::FromUnixSeconds(1700001000);
    env.tz = absl::UTCTimeZone();
    env.identity = {7, "testhost"};
    Outcome r;
    r.code = RunQueryCommand(args, source, env);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  QuerySource Server(const std::string& address, const std::string& key = "") {
    QuerySource s;
    s.server = Remote(address, key);
    return s;
  }
  QueryArgs Args(const std::string& query) {
    QueryArgs a;
    a.query = query;
    a.first = "1700000000";
    return a;
  }

  std::string dir_, db_, unix_, tcp_;
  std::unique_ptr<rpc::ApiKeyAuthorizer> auth_;
  std::unique_ptr<query::LeafQueryService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
};

// Both ways in print the same, in every format.
TEST_F(RemoteClientTest, SameOutputAsInProcess) {
  for (const char* format : {"txt", "csv", "json"}) {
    for (const char* query : {"talk_conv", "raw", "apps_port"}) {
      QueryArgs args = Args(query);
      args.format = format;
      args.ifaces = std::string(query) == "apps_port" ? "eth0,eth1" : "";
      const Outcome local = Query(args, QuerySource{db_, std::nullopt});
      const Outcome remote = Query(args, Server(unix_));
      ASSERT_EQ(local.code, kExitOk) << local.err;
      ASSERT_EQ(remote.code, kExitOk) << remote.err;
      EXPECT_EQ(remote.err, "");
      if (std::string(format) == "json") {
        // Timings differ; everything else is the same document.
        auto a = nlohmann::json::parse(local.out), b = nlohmann::json::parse(remote.out);
        a["summary"].erase("timings");
        b["summary"].erase("timings");
        EXPECT_EQ(a, b) << query;
      } else {
        EXPECT_EQ(MaskTiming(remote.out), MaskTiming(local.out)) << format << " " << query;
      }
    }
  }
}

TEST_F(RemoteClientTest, ApiKeysOverTcp) {
  const Outcome none = Query(Args("sip"), Server(tcp_));
  EXPECT_EQ(none.code, kExitRefused);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "goquery: goqueryd at " + tcp_ +
                          " refused the request: missing or invalid API key (send "
                          "\"authorization: Bearer <key>\"); give the key with --api-key-file\n");
  const Outcome wrong = Query(Args("sip"), Server(tcp_, "fedcba9876543210fedcba9876543210"));
  EXPECT_EQ(wrong.code, kExitRefused);
  EXPECT_THAT(wrong.err, HasSubstr("; check the key in --api-key-file\n"));
  const Outcome right = Query(Args("sip"), Server(tcp_, kKey));
  EXPECT_EQ(right.code, kExitOk) << right.err;
  EXPECT_THAT(right.out, HasSubstr("10.0.0.1"));
}

TEST_F(RemoteClientTest, UnreachableServer) {
  const Outcome r = Query(Args("sip"), Server("unix:" + dir_ + "/nobody.sock"));
  EXPECT_EQ(r.code, kExitUnreachable);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err,
              StartsWith("goquery: cannot reach goqueryd at unix:" + dir_ + "/nobody.sock: "));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

// A server's condition error keeps its position, so the caret can be drawn.
TEST_F(RemoteClientTest, ServerConditionErrorsCarryThePosition) {
  class Ignore : public AnswerSink {
    absl::Status OnRows(std::vector<query::ResultRow>) override { return absl::OkStatus(); }
    void OnHostStatus(const v1::HostStatus&) override {}
    absl::Status OnSummary(const v1::Summary&) override { return absl::OkStatus(); }
  } sink;
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.mutable_interfaces()->set_any(true);
  req.set_condition("dport = 443 and sip = foo");
  const absl::Status s = RunRemoteQuery(Remote(unix_), req, absl::InfiniteFuture(), &sink);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_EQ(query::FormatConditionError(req.condition(), s),
            "condition: position 22: expected an IP address after \"sip =\", found \"foo\"\n"
            "\n"
            "dport = 443 and sip = foo\n"
            "                      ^\n");
}

TEST_F(RemoteClientTest, ListsInterfaces) {
  absl::StatusOr<RemoteInterfaces> list =
      ListRemoteInterfaces(Remote(tcp_, kKey), {}, 0, 0, absl::InfiniteFuture());
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->interfaces.size(), 2u);
  EXPECT_EQ(list->interfaces[0].iface(), "eth0");
  EXPECT_EQ(list->interfaces[0].hostname(), "testhost");
  EXPECT_EQ(list->interfaces[1].blocks(), 2u);
  ASSERT_EQ(list->hosts.size(), 1u);
  EXPECT_EQ(list->hosts[0].code(), v1::HostStatus::CODE_OK);
}

TEST_F(RemoteClientTest, TlsIsRefusedForUnixSockets) {
  QuerySource source = Server(unix_);
  source.server->tls.enabled = true;
  const Outcome r = Query(Args("sip"), source);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, StartsWith("goquery: --tls: TLS is for TCP addresses; unix:"));
}

TEST_F(RemoteClientTest, ApiKeyFiles) {
  const std::string path = dir_ + "/key";
  std::ofstream(path) << "# goqueryd key\n" << kKey << "\n";
  EXPECT_EQ(*ReadClientApiKey(path), kKey);
  std::ofstream(path) << "short\n";
  absl::StatusOr<std::string> bad = ReadClientApiKey(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr(path + ":1: API key shorter than"));
}

}  // namespace
}  // namespace goprobe::goquery
