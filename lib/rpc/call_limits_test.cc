// Call limits on a real server: a test service whose calls pass the
// authorizer (as every goProbe handler's do) and can be held open.

#include "lib/rpc/call_limits.h"

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/api_keys.h"
#include "lib/rpc/grpc_server.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "tests/harness/prometheus_sample.h"

namespace goprobe::rpc {
namespace {

using ::testing::HasSubstr;

constexpr char kKeyA[] = "aaaaaaaaaaaaaaaaaaaa";
constexpr char kKeyB[] = "bbbbbbbbbbbbbbbbbbbb";

// ListInterfaces checks the caller, then, while `hold` is set, stays open
// until released.
class HeldService final : public v1::Query::CallbackService {
 public:
  explicit HeldService(const ApiKeyAuthorizer* auth) : auth_(auth) {}

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::QueryListInterfacesRequest*,
                                           v1::QueryListInterfacesResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (RefuseUnauthorized(auth_, context, reactor, "Query.ListInterfaces")) return reactor;
    absl::MutexLock lock(&mu_);
    if (!hold_) {
      reactor->Finish(grpc::Status::OK);
    } else {
      held_.push_back(reactor);
    }
    return reactor;
  }

  void Hold(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_ = hold;
  }
  size_t held() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  void ReleaseAll() {
    absl::MutexLock lock(&mu_);
    for (auto* r : held_) r->Finish(grpc::Status::OK);
    held_.clear();
  }

 private:
  const ApiKeyAuthorizer* const auth_;
  absl::Mutex mu_;
  bool hold_ = false;
  std::vector<grpc::ServerUnaryReactor*> held_;
};

class CallLimitsTest : public ::testing::Test {
 protected:
  void Start(const CallLimitOptions& options) {
    limits_ = std::make_unique<CallLimits>(options, &registry_);
    auth_ = ApiKeyAuthorizer({kKeyA, kKeyB}, /*trust_unix_sockets=*/true, nullptr, limits_.get());
    service_ = std::make_unique<HeldService>(&auth_);
    ServerOptions server_options;
    server_options.listen = {"127.0.0.1:0"};
    server_options.limits = limits_.get();
    auto server = GrpcServer::Start(server_options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Query::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->bound_ports()[0]), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const std::string& key) {
    grpc::ClientContext ctx;
    AddApiKey(key, &ctx);
    v1::QueryListInterfacesRequest request;
    v1::QueryListInterfacesResponse response;
    return stub_->ListInterfaces(&ctx, request, &response);
  }

  void TearDown() override {
    if (service_ != nullptr) service_->ReleaseAll();
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
  }

  metrics::Registry registry_;
  std::unique_ptr<CallLimits> limits_;
  ApiKeyAuthorizer auth_;
  std::unique_ptr<HeldService> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST(CallLimitsNamesTest, ShortMethodName) {
  EXPECT_EQ(CallLimits::ShortMethodName("/goprobe.v1.Query/Run"), "Query.Run");
  EXPECT_EQ(CallLimits::ShortMethodName("/Plain/Call"), "Plain.Call");
  EXPECT_EQ(CallLimits::ShortMethodName("odd"), "odd");
}

TEST_F(CallLimitsTest, RateIsPerKeyAndRefusalsNameTheLimit) {
  CallLimitOptions options;
  options.requests_per_second = 0.001;  // no refill during the test
  options.burst = 3;
  Start(options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Call(kKeyA).ok()) << i;
  grpc::Status refused = Call(kKeyA);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("over limits.requests_per_second = 0.001 (burst 3)"));
  // Named by the key's id, never the key.
  EXPECT_THAT(refused.error_message(), HasSubstr(ApiKeyId(kKeyA)));
  EXPECT_THAT(refused.error_message(), ::testing::Not(HasSubstr(kKeyA)));
  // Another key has its own bucket.
  EXPECT_TRUE(Call(kKeyB).ok());
  // A wrong key is refused as unauthenticated before any rate is charged.
  EXPECT_EQ(Call("cccccccccccccccccccc").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(testing::PrometheusSample(
                registry_.Render(),
                "grpc_server_limit_refused_total{method=\"Query.ListInterfaces\",limit=\"rate\"}"),
            1);
}

TEST_F(CallLimitsTest, RunningCallsBeyondTheCapAreRefusedAndFreedWhenDone) {
  CallLimitOptions options;
  options.max_running = {{"Query.ListInterfaces", 2, "query.max_concurrent"}};
  Start(options);
  service_->Hold(true);
  // Two calls held open on the server.
  grpc::ClientContext ctx[2];
  v1::QueryListInterfacesRequest request;
  v1::QueryListInterfacesResponse response[2];
  grpc::Status status[2];
  absl::Notification done[2];
  for (int i = 0; i < 2; ++i) {
    AddApiKey(kKeyA, &ctx[i]);
    stub_->async()->ListInterfaces(&ctx[i], &request, &response[i], [&, i](grpc::Status s) {
      status[i] = s;
      done[i].Notify();
    });
  }
  for (int i = 0; i < 500 && service_->held() < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(service_->held(), 2u);
  EXPECT_EQ(limits_->running("Query.ListInterfaces"), 2);

  grpc::Status refused = Call(kKeyB);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "Query.ListInterfaces: 2 calls already running (query.max_concurrent = 2); retry "
            "later");
  // The refused call counts as running until the server has finished it,
  // which may be just after its status reached the client.
  for (int i = 0; i < 500 && limits_->running("Query.ListInterfaces") != 2; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const std::string text = registry_.Render();
  EXPECT_EQ(testing::PrometheusSample(text, "grpc_server_limit_refused_total{method=\"Query."
                                            "ListInterfaces\",limit=\"running\"}"),
            1);
  EXPECT_EQ(testing::PrometheusSample(
                text, "grpc_server_calls_running{method=\"Query.ListInterfaces\"}"),
            2);

  service_->Hold(false);
  service_->ReleaseAll();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(done[i].WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_TRUE(status[i].ok()) << status[i].error_message();
  }
  // Finished calls free their places.
  for (int i = 0; i < 500 && limits_->running("Query.ListInterfaces") > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(limits_->running("Query.ListInterfaces"), 0);
  EXPECT_TRUE(Call(kKeyB).ok());
}

TEST_F(CallLimitsTest, NoLimitsConfiguredLetsEverythingThrough) {
  Start(CallLimitOptions{});
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Call(kKeyA).ok()) << i;
}

}  // namespace
}  // namespace goprobe::rpc
