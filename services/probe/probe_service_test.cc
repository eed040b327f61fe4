#include "services/probe/probe_service.h"

#include <grpcpp/grpcpp.h>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/rpc/grpc_server.h"

namespace goprobe::probe {
namespace {

using ::testing::ElementsAre;

constexpr uint64_t kHost = 77;
constexpr char kKey[] = "probe-api-key-0123456789";

// Answers as a running probe would, from fixed reports.
class FakeControl : public ProbeControl {
 public:
  absl::StatusOr<std::vector<InterfaceReport>> Inspect(const std::vector<std::string>& ifaces,
                                                       bool with_rows) override {
    absl::MutexLock lock(&mu_);
    asked_ifaces = ifaces;
    asked_rows = with_rows;
    std::vector<InterfaceReport> out = reports;
    if (!with_rows) {
      for (InterfaceReport& r : out) {
        if (r.snapshot) r.snapshot->rows.clear();
      }
    }
    return out;
  }
  absl::StatusOr<CaptureManager::Changes> Reload() override { return reload; }

  absl::Mutex mu_;
  std::vector<InterfaceReport> reports;
  absl::StatusOr<CaptureManager::Changes> reload;
  std::vector<std::string> asked_ifaces;
  bool asked_rows = false;
};

flow::FlowRow Row(uint32_t i) {
  const uint8_t sip[4] = {10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
  const uint8_t dip[4] = {192, 0, 2, 1};
  return flow::FlowRow{flow::FlowKey{flow::IpAddress::V4(sip), flow::IpAddress::V4(dip), 443, 6},
                       flow::Counters{100, 60, 2, 1}};
}

class ProbeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaptureSnapshot eth0;
    eth0.taken = absl::FromUnixMillis(1700000123456);
    eth0.capture_started_at = 1700000000;
    eth0.total.packets = 5000;
    eth0.total.dropped_kernel = 3;
    eth0.window.packets = 210003;
    eth0.window.not_ip = 3;
    eth0.window.dropped_iface = 2;
    eth0.traffic = flow::Counters{7000000, 4200000, 140000, 70000};
    eth0.active_flows = 70000;
    eth0.window_block_time = 1700000100;
    eth0.last_block_time = 1699999800;
    for (uint32_t i = 0; i < 70000; ++i) eth0.rows.push_back(Row(i));
    CaptureSnapshot eth1;
    eth1.window_block_time = 1700000100;
    control_.reports = {
        {"eth0", ProbeControl::State::kCapturing, "", eth0},
        {"eth1", ProbeControl::State::kCapturing, "", eth1},
        {"eth2", ProbeControl::State::kError, "interface eth2: no such device", std::nullopt},
        {"eth3", ProbeControl::State::kDisabled, "disabled", std::nullopt},
    };
    auth_ = rpc::ApiKeyAuthorizer({kKey}, /*trust_unix_sockets=*/true);
    service_ = std::make_unique<ProbeService>(
        &control_, ProbeService::Info{{kHost, "probe-host"}, "test", 1699990000}, nullptr,
        &auth_);
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Probe::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->bound_ports()[0]), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  void Authorize(grpc::ClientContext* context, const std::string& key = kKey) {
    context->AddMetadata("authorization", "Bearer " + key);
  }

  FakeControl control_;
  rpc::ApiKeyAuthorizer auth_;
  std::unique_ptr<ProbeService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::unique_ptr<v1::Probe::Stub> stub_;
};

TEST_F(ProbeServiceTest, StatusReportsEveryInterface) {
  grpc::ClientContext context;
  Authorize(&context);
  v1::GetStatusRequest request;
  request.add_ifaces("eth0");
  v1::GetStatusResponse response;
  const grpc::Status status = stub_->GetStatus(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(control_.asked_ifaces, ElementsAre("eth0"));
  EXPECT_FALSE(control_.asked_rows);
  EXPECT_EQ(response.host_id(), kHost);
  EXPECT_EQ(response.hostname(), "probe-host");
  EXPECT_EQ(response.started_at(), 1699990000);
  EXPECT_FALSE(response.has_shipper());  // writes goDB itself
  ASSERT_EQ(response.interfaces_size(), 4);
  const v1::InterfaceStatus& eth0 = response.interfaces(0);
  EXPECT_EQ(eth0.iface(), "eth0");
  EXPECT_EQ(eth0.state(), v1::InterfaceStatus::STATE_CAPTURING);
  EXPECT_EQ(eth0.capture_started_at(), 1700000000);
  EXPECT_EQ(eth0.capture_total().packets_received(), 5000u);
  EXPECT_EQ(eth0.capture_total().packets_dropped_kernel(), 3u);
  EXPECT_EQ(eth0.capture_window().packets_received(), 210003u);
  EXPECT_EQ(eth0.capture_window().packets_malformed(), 3u);
  EXPECT_EQ(eth0.capture_window().packets_dropped_iface(), 2u);
  EXPECT_EQ(eth0.traffic_window().packets_sent(), 70000u);
  EXPECT_EQ(eth0.traffic_window().bytes_rcvd(), 7000000u);
  EXPECT_EQ(eth0.active_flows(), 70000u);
  EXPECT_EQ(eth0.window_block_time(), 1700000100);
  EXPECT_EQ(eth0.last_block_time(), 1699999800);
  EXPECT_EQ(response.interfaces(2).state(), v1::InterfaceStatus::STATE_ERROR);
  EXPECT_EQ(response.interfaces(2).message(), "interface eth2: no such device");
  EXPECT_EQ(response.interfaces(2).capture_started_at(), 0);
  EXPECT_EQ(response.interfaces(3).state(), v1::InterfaceStatus::STATE_DISABLED);
}

TEST_F(ProbeServiceTest, LiveFlowsStreamsEachCapturingInterfaceInParts) {
  grpc::ClientContext context;
  Authorize(&context);
  auto reader = stub_->LiveFlows(&context, v1::LiveFlowsRequest());
  v1::LiveFlowsResponse response;
  flow::BatchAssembler assembler;
  std::vector<std::pair<std::string, std::vector<flow::FlowRow>>> batches;
  std::vector<uint32_t> part_rows;
  while (reader->Read(&response)) {
    EXPECT_EQ(response.batch().sequence(), 0u);
    EXPECT_EQ(response.batch().block_time(), 1700000100);
    EXPECT_EQ(response.batch().host_id(), kHost);
    part_rows.push_back(response.batch().flows().row_count());
    absl::StatusOr<flow::BatchAssembler::Progress> p = assembler.Add(response.batch());
    ASSERT_TRUE(p.ok()) << p.status();
    if (*p == flow::BatchAssembler::Progress::kComplete) {
      batches.emplace_back(assembler.header().iface(), std::move(assembler.rows()));
      if (batches.size() == 1) {
        EXPECT_EQ(response.snapshot_time_unix_ms(), 1700000123456);
        EXPECT_EQ(assembler.header().capture().packets_received(), 210003u);
      }
    }
  }
  const grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(control_.asked_rows);
  // 70000 rows in parts of at most 32768; the idle interface as one empty
  // batch; the failed one not at all.
  EXPECT_THAT(part_rows, ElementsAre(32768u, 32768u, 4464u, 0u));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].first, "eth0");
  ASSERT_EQ(batches[0].second.size(), 70000u);
  for (uint32_t i = 0; i < 70000; ++i) ASSERT_EQ(batches[0].second[i], Row(i)) << i;
  EXPECT_EQ(batches[1].first, "eth1");
  EXPECT_TRUE(batches[1].second.empty());
}

TEST_F(ProbeServiceTest, ReloadReportsChangesAndRefusals) {
  CaptureManager::Changes changes;
  changes.started = {"eth4"};
  changes.restarted = {"eth1"};
  changes.unchanged = {"eth0"};
  control_.reload = changes;
  {
    grpc::ClientContext context;
    Authorize(&context);
    v1::ReloadConfigResponse response;
    ASSERT_TRUE(stub_->ReloadConfig(&context, v1::ReloadConfigRequest(), &response).ok());
    EXPECT_THAT(response.added(), ElementsAre("eth4"));
    EXPECT_THAT(response.restarted(), ElementsAre("eth1"));
    EXPECT_THAT(response.unchanged(), ElementsAre("eth0"));
    EXPECT_TRUE(response.removed().empty());
  }
  control_.reload = absl::InvalidArgumentError("/etc/probe.yaml: interfaces.eth0.snaplen: must be between 64 and 262144");
  grpc::ClientContext context;
  Authorize(&context);
  v1::ReloadConfigResponse response;
  const grpc::Status status = stub_->ReloadConfig(&context, v1::ReloadConfigRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "/etc/probe.yaml: interfaces.eth0.snaplen: must be between 64 and 262144");
}

TEST_F(ProbeServiceTest, EveryCallNeedsTheKey) {
  for (const std::string key : {"", "not-the-right-key-at-all"}) {
    {
      grpc::ClientContext context;
      if (!key.empty()) Authorize(&context, key);
      v1::GetStatusResponse response;
      EXPECT_EQ(stub_->GetStatus(&context, v1::GetStatusRequest(), &response).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
    {
      grpc::ClientContext context;
      if (!key.empty()) Authorize(&context, key);
      v1::ReloadConfigResponse response;
      EXPECT_EQ(stub_->ReloadConfig(&context, v1::ReloadConfigRequest(), &response).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
    }
    grpc::ClientContext context;
    if (!key.empty()) Authorize(&context, key);
    auto reader = stub_->LiveFlows(&context, v1::LiveFlowsRequest());
    v1::LiveFlowsResponse response;
    EXPECT_FALSE(reader->Read(&response));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

}  // namespace
}  // namespace goprobe::probe
