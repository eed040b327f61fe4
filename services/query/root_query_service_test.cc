#include "services/query/root_query_service.h"

#include <grpcpp/grpcpp.h>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/query/condition_row_selector.h"
#include "lib/rpc/grpc_server.h"

namespace goprobe::query {
namespace {

// A leaf that never answers: its calls end only when the caller cancels them
// (or their deadline passes), and it notes when that happened.
class HungLeaf;

// One call of HungLeaf: started, then silent until cancelled.
template <typename Reactor>
class Hang final : public Reactor {
 public:
  explicit Hang(HungLeaf* leaf);
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  HungLeaf* leaf_;
};

class HungLeaf final : public v1::Query::CallbackService {
 public:
  grpc::ServerWriteReactor<v1::QueryResponse>* Run(grpc::CallbackServerContext*,
                                                   const v1::QueryRequest*) override {
    return new Hang<grpc::ServerWriteReactor<v1::QueryResponse>>(this);
  }

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext*,
                                           const v1::QueryListInterfacesRequest*,
                                           v1::QueryListInterfacesResponse*) override {
    return new Hang<grpc::ServerUnaryReactor>(this);
  }

  absl::Notification started_, cancelled_;
  absl::Time cancelled_at_;
};

template <typename Reactor>
Hang<Reactor>::Hang(HungLeaf* leaf) : leaf_(leaf) {
  leaf_->started_.Notify();
}

template <typename Reactor>
void Hang<Reactor>::OnCancel() {
  leaf_->cancelled_at_ = absl::Now();
  leaf_->cancelled_.Notify();
  this->Finish(grpc::Status::CANCELLED);
}

class RootQueryServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    rpc::ServerOptions leaf_options;
    leaf_options.listen = {"127.0.0.1:0"};
    auto leaf = rpc::GrpcServer::Start(leaf_options, {&leaf_});
    ASSERT_TRUE(leaf.ok()) << leaf.status();
    leaf_server_ = std::move(*leaf);
    auto peers =
        PeerSet::Parse("127.0.0.1:" + std::to_string(leaf_server_->bound_ports()[0]));
    ASSERT_TRUE(peers.ok());
    RootOptions options;
    options.host_timeout = absl::Seconds(60);  // far beyond the test: only cancelling ends it
    root_ = std::make_unique<RootQueryService>(std::move(*peers), host::HostIdentity{1, "root"},
                                               nullptr, CompileCondition, std::move(options));
    rpc::ServerOptions root_options;
    root_options.listen = {"127.0.0.1:0"};
    auto root = rpc::GrpcServer::Start(root_options, {root_.get()});
    ASSERT_TRUE(root.ok()) << root.status();
    root_server_ = std::move(*root);
    stub_ = v1::Query::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(root_server_->bound_ports()[0]),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    root_server_->Shutdown(absl::Seconds(1));
    leaf_server_->Shutdown(absl::Seconds(1));
  }

  HungLeaf leaf_;
  std::unique_ptr<rpc::GrpcServer> leaf_server_, root_server_;
  std::unique_ptr<RootQueryService> root_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST_F(RootQueryServiceTest, ClientGoingAwayCancelsTheLeafCallsAtOnce) {
  grpc::ClientContext context;
  v1::QueryRequest request;
  request.add_attributes(v1::ATTRIBUTE_SIP);
  auto reader = stub_->Run(&context, request);
  ASSERT_TRUE(leaf_.started_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const absl::Time cancelled = absl::Now();
  context.TryCancel();
  v1::QueryResponse m;
  while (reader->Read(&m)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(leaf_.cancelled_.WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "the leaf call outlived its client";
  EXPECT_LT(leaf_.cancelled_at_ - cancelled, absl::Seconds(5));
}

TEST_F(RootQueryServiceTest, ListingCancelledByItsClientCancelsTheLeafCalls) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
  v1::QueryListInterfacesResponse response;
  const grpc::Status s = stub_->ListInterfaces(&context, {}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(leaf_.cancelled_.WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "the leaf call outlived its client";
}

TEST_F(RootQueryServiceTest, AHungLeafIsATimeoutRowWithinTheHostTimeout) {
  grpc::ClientContext context;
  v1::QueryRequest request;
  request.add_attributes(v1::ATTRIBUTE_SIP);
  request.set_host_timeout_ms(300);
  auto reader = stub_->Run(&context, request);
  v1::QueryResponse m;
  std::vector<v1::HostStatus> hosts;
  bool summary = false;
  const absl::Time start = absl::Now();
  while (reader->Read(&m)) {
    if (m.has_host_status()) hosts.push_back(m.host_status());
    summary |= m.has_summary();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_TRUE(summary);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].code(), v1::HostStatus::CODE_TIMEOUT);
  EXPECT_THAT(hosts[0].message(), testing::HasSubstr("300ms"));
}

}  // namespace
}  // namespace goprobe::query
