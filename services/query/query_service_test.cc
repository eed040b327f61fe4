#include "services/query/query_service.h"

#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/rpc/grpc_server.h"

namespace goprobe::query {
namespace {

constexpr int64_t kT0 = 1700000100;

class LeafQueryServiceTest : public testing::Test {
 protected:
  void Start() {
    service_ = std::make_unique<LeafQueryService>(dir_.path(), host::HostIdentity{5, "leaf-host"}, nullptr);
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Query::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->bound_ports()[0]), grpc::InsecureChannelCredentials()));
  }

  godb::TempDir dir_;
  std::unique_ptr<LeafQueryService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::unique_ptr<v1::Query::Stub> stub_;
};

TEST_F(LeafQueryServiceTest, ListsSelectedInterfaces) {
  {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    for (const char* iface : {"eth0", "eth1", "wlan0"}) {
      ASSERT_TRUE((*writer)->WriteBlock(iface, kT0, godb::RandomRows(30, 0.5, 1), {}).ok());
    }
  }
  Start();
  grpc::ClientContext ctx;
  v1::QueryListInterfacesRequest req;
  req.mutable_interfaces()->add_regexes("^eth");
  v1::QueryListInterfacesResponse resp;
  ASSERT_TRUE(stub_->ListInterfaces(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.interfaces_size(), 2);
  EXPECT_EQ(resp.interfaces(0).iface(), "eth0");
  EXPECT_EQ(resp.interfaces(1).iface(), "eth1");
  EXPECT_EQ(resp.interfaces(0).hostname(), "leaf-host");
  EXPECT_EQ(resp.interfaces(0).ipv4_flows() + resp.interfaces(0).ipv6_flows(), 30u);
  ASSERT_EQ(resp.hosts_size(), 1);
  EXPECT_EQ(resp.hosts(0).code(), v1::HostStatus::CODE_OK);
}

TEST_F(LeafQueryServiceTest, EmptyDatabaseIsEmptyNotAnError) {
  Start();
  grpc::ClientContext ctx;
  v1::QueryListInterfacesResponse resp;
  ASSERT_TRUE(stub_->ListInterfaces(&ctx, {}, &resp).ok());
  EXPECT_EQ(resp.interfaces_size(), 0);
  ASSERT_EQ(resp.hosts_size(), 1);
  EXPECT_EQ(resp.hosts(0).code(), v1::HostStatus::CODE_EMPTY);
}

TEST_F(LeafQueryServiceTest, BadRegexOrRangeIsInvalidArgument) {
  Start();
  grpc::ClientContext ctx;
  v1::QueryListInterfacesRequest req;
  req.mutable_interfaces()->add_regexes("(");
  v1::QueryListInterfacesResponse resp;
  EXPECT_EQ(stub_->ListInterfaces(&ctx, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx2;
  v1::QueryListInterfacesRequest range;
  range.set_first(100);
  range.set_last(50);
  EXPECT_EQ(stub_->ListInterfaces(&ctx2, range, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace goprobe::query
