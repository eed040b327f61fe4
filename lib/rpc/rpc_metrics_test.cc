// The gRPC server metrics, counted by the interceptor on a real server.

#include "lib/rpc/rpc_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/rpc/grpc_server.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"

namespace goprobe::rpc {
namespace {

using ::testing::HasSubstr;

class RpcMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    options.metrics = &rpc_metrics_;
    auto server = GrpcServer::Start(options, {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->bound_ports()[0]), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Check(const std::string& service) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    return stub_->Check(&ctx, request, &response);
  }

  metrics::Registry registry_;
  RpcMetrics rpc_metrics_{&registry_};
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(RpcMetricsTest, CountsCallsByMethodAndCode) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Check("").ok());
  EXPECT_EQ(Check("no.such.Service").error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string text = registry_.Render();
  const std::string labels =
      "grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Check\",grpc_type=\"unary\"";
  EXPECT_THAT(text, HasSubstr("grpc_server_started_total{" + labels + "} 4\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("grpc_server_handled_total{" + labels + ",grpc_code=\"NotFound\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_handling_seconds_count{" + labels + "} 4\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_handling_seconds_bucket{" + labels +
                              ",le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_msg_received_total{" + labels + "} 4\n"));
  EXPECT_THAT(text, HasSubstr("grpc_server_msg_sent_total{" + labels + "} 3\n"));
}

TEST_F(RpcMetricsTest, AStreamTheClientAbandonsCountsAsCanceled) {
  {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest request;
    auto reader = stub_->Watch(&ctx, request);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(reader->Read(&response));  // the first status
    ctx.TryCancel();
    while (reader->Read(&response)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  const std::string labels =
      "grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Watch\",grpc_type=\"server_stream\"";
  // The server learns of the cancellation asynchronously.
  for (int i = 0; i < 200; ++i) {
    if (registry_.Render().find("grpc_server_handled_total{" + labels) != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(registry_.Render(),
              HasSubstr("grpc_server_handled_total{" + labels + ",grpc_code=\"Canceled\"} 1\n"));
}

TEST(GrpcCodeNameTest, NamesAsGoGrpcPrometheus) {
  EXPECT_STREQ(GrpcCodeName(0), "OK");
  EXPECT_STREQ(GrpcCodeName(1), "Canceled");
  EXPECT_STREQ(GrpcCodeName(16), "Unauthenticated");
  EXPECT_STREQ(GrpcCodeName(99), "Unknown");
}

}  // namespace
}  // namespace goprobe::rpc
