#include "services/query/query_service.h"

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/query/query_proto.h"
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

// Reads a whole Run stream.
struct RunOutput {
  std::vector<ResultRow> rows;
  std::vector<v1::HostStatus> hosts;
  std::vector<v1::Summary> summaries;
  int progress = 0;
  grpc::Status status;
};

RunOutput RunStream(v1::Query::Stub* stub, const v1::QueryRequest& req) {
  RunOutput out;
  grpc::ClientContext ctx;
  auto reader = stub->Run(&ctx, req);
  v1::QueryResponse m;
  while (reader->Read(&m)) {
    if (m.has_rows()) {
      auto rows = RowsFromChunk(m.rows());
      EXPECT_TRUE(rows.ok()) << rows.status();
      if (rows.ok()) out.rows.insert(out.rows.end(), rows->begin(), rows->end());
    } else if (m.has_host_status()) {
      out.hosts.push_back(m.host_status());
    } else if (m.has_summary()) {
      out.summaries.push_back(m.summary());
    } else if (m.has_progress()) {
      ++out.progress;
    }
  }
  out.status = reader->Finish();
  return out;
}

TEST_F(LeafQueryServiceTest, RunStreamsTheEnginesAnswer) {
  std::vector<flow::FlowRow> all;
  {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    for (int b = 0; b < 5; ++b) {
      auto rows = godb::RandomRows(400, 0.3, b);
      ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300 * b, rows, {}).ok());
      all.insert(all.end(), rows.begin(), rows.end());
    }
  }
  Start();
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.add_attributes(v1::ATTRIBUTE_DIP);
  req.set_limit(25);
  req.set_progress_interval_ms(1);
  RunOutput out = RunStream(stub_.get(), req);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.rows.size(), 25u);
  ASSERT_EQ(out.hosts.size(), 1u);
  EXPECT_EQ(out.hosts[0].code(), v1::HostStatus::CODE_OK);
  EXPECT_EQ(out.hosts[0].hostname(), "leaf-host");
  ASSERT_EQ(out.summaries.size(), 1u);
  const v1::Summary& s = out.summaries[0];
  EXPECT_EQ(s.hits_displayed(), 25u);
  EXPECT_GT(s.hits_total(), 25u);
  EXPECT_EQ(s.time_first(), kT0);
  EXPECT_EQ(s.time_last(), kT0 + 1200);
  uint64_t bytes = 0;
  for (const auto& r : all) bytes += r.counters.bytes_rcvd;
  EXPECT_EQ(s.totals().bytes_rcvd(), bytes);
  // Sorted by bytes, largest first.
  for (size_t i = 1; i < out.rows.size(); ++i) {
    EXPECT_GE(out.rows[i - 1].counters.bytes_rcvd + out.rows[i - 1].counters.bytes_sent,
              out.rows[i].counters.bytes_rcvd + out.rows[i].counters.bytes_sent);
  }
}

TEST_F(LeafQueryServiceTest, RunRefusesBadRequestsNamingTheField) {
  Start();
  v1::QueryRequest req;
  RunOutput out = RunStream(stub_.get(), req);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.status.error_message(), testing::HasSubstr("attributes"));
  req.add_attributes(v1::ATTRIBUTE_TIME);
  req.set_resolution_seconds(7);
  out = RunStream(stub_.get(), req);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(out.status.error_message(), testing::HasSubstr("resolution_seconds"));
}

}  // namespace
}  // namespace goprobe::query
