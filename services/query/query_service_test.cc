#include "services/query/query_service.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/query/condition_row_selector.h"
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
  void Start(LeafOptions options = {}) {
    service_ = std::make_unique<LeafQueryService>(dir_.path(), host::HostIdentity{5, "leaf-host"},
                                                  nullptr, CompileCondition, std::move(options));
    rpc::ServerOptions server_options;
    server_options.listen = {"127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(server_options, {service_.get()});
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

TEST_F(LeafQueryServiceTest, RunResolvesNamesWhenAsked) {
  {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, godb::RandomRows(50, 0.3, 4), {}).ok());
  }
  Start();
  v1::QueryRequest req;
  req.add_attributes(v1::ATTRIBUTE_SIP);
  req.set_limit(10);
  req.mutable_dns()->set_enabled(true);
  req.mutable_dns()->set_timeout_ms(300);
  grpc::ClientContext ctx;
  auto reader = stub_->Run(&ctx, req);
  v1::QueryResponse m;
  int rows = 0, names = 0;
  while (reader->Read(&m)) {
    if (!m.has_rows()) continue;
    rows += m.rows().row_count();
    names += m.rows().sip_name_size();
    EXPECT_EQ(m.rows().dip_name_size(), 0);
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(rows, 10);
  EXPECT_EQ(names, 10);  // a name or "" for every row
}

// A probe whose current window is fixed: what LiveFlows sends.
class FakeProbe final : public v1::Probe::CallbackService {
 public:
  void AddWindow(const std::string& iface, int64_t block_time,
                 const std::vector<flow::FlowRow>& rows) {
    v1::FlowBatch header;
    header.set_host_id(5);
    header.set_hostname("leaf-host");
    header.set_iface(iface);
    header.set_block_time(block_time);
    // Small parts, so the leaf reassembles them.
    auto parts = flow::EncodeBatchParts(header, rows, 7);
    ASSERT_TRUE(parts.ok()) << parts.status();
    for (v1::FlowBatch& p : *parts) batches_.push_back(std::move(p));
  }

  grpc::ServerWriteReactor<v1::LiveFlowsResponse>* LiveFlows(
      grpc::CallbackServerContext*, const v1::LiveFlowsRequest*) override {
    class Writer final : public grpc::ServerWriteReactor<v1::LiveFlowsResponse> {
     public:
      explicit Writer(const std::vector<v1::FlowBatch>& batches) {
        for (const v1::FlowBatch& b : batches) *messages_.emplace_back().mutable_batch() = b;
        Next();
      }
      void OnWriteDone(bool ok) override {
        if (!ok) return Finish(grpc::Status::CANCELLED);
        Next();
      }
      void OnDone() override { delete this; }

     private:
      void Next() {
        if (next_ == messages_.size()) return Finish(grpc::Status::OK);
        StartWrite(&messages_[next_++]);
      }
      std::vector<v1::LiveFlowsResponse> messages_;
      size_t next_ = 0;
    };
    return new Writer(batches_);
  }

 private:
  std::vector<v1::FlowBatch> batches_;
};

class LiveWindowTest : public LeafQueryServiceTest {
 protected:
  void SetUp() override {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    for (int b = 0; b < 3; ++b) {
      auto rows = godb::RandomRows(300, 0.3, 10 + b);
      ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300 * b, rows, {}).ok());
      stored_.insert(stored_.end(), rows.begin(), rows.end());
    }
    live_ = Sendable(godb::RandomRows(100, 0.3, 99));
  }

  // The wire refuses flows without packets; goDB test rows may have them.
  static std::vector<flow::FlowRow> Sendable(std::vector<flow::FlowRow> rows) {
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [](const flow::FlowRow& r) {
                                return r.counters.pkts_rcvd + r.counters.pkts_sent == 0;
                              }),
               rows.end());
    return rows;
  }

  void StartProbe() {
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(options, {&probe_});
    ASSERT_TRUE(server.ok()) << server.status();
    probe_server_ = std::move(*server);
    probe_addr_ = "127.0.0.1:" + std::to_string(probe_server_->bound_ports()[0]);
  }

  LeafOptions WithProbe(const std::string& addr) {
    LeafOptions options;
    options.live = std::make_shared<ProbeLiveSource>(
        grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()), addr, "",
        absl::Seconds(2));
    return options;
  }

  static v1::QueryRequest TalkersRequest(bool live) {
    v1::QueryRequest req;
    req.add_attributes(v1::ATTRIBUTE_SIP);
    req.add_attributes(v1::ATTRIBUTE_DIP);
    req.set_limit(0);
    req.set_live(live);
    return req;
  }

  static uint64_t BytesRcvd(const std::vector<flow::FlowRow>& rows) {
    uint64_t sum = 0;
    for (const flow::FlowRow& r : rows) sum += r.counters.bytes_rcvd;
    return sum;
  }

  FakeProbe probe_;
  std::unique_ptr<rpc::GrpcServer> probe_server_;
  std::string probe_addr_;
  std::vector<flow::FlowRow> stored_, live_;
};

TEST_F(LiveWindowTest, CountsTheProbesCurrentWindow) {
  probe_.AddWindow("eth0", kT0 + 900, live_);
  StartProbe();
  Start(WithProbe(probe_addr_));

  RunOutput out = RunStream(stub_.get(), TalkersRequest(true));
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  ASSERT_EQ(out.summaries.size(), 1u);
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_) + BytesRcvd(live_));
  EXPECT_EQ(out.summaries[0].time_last(), kT0 + 900);
  ASSERT_EQ(out.hosts.size(), 1u);
  EXPECT_EQ(out.hosts[0].warnings_size(), 0);
  // Every row is distinct: live flows equal to stored ones were merged.
  std::set<std::pair<flow::IpAddress, flow::IpAddress>> keys;
  for (const ResultRow& r : out.rows) EXPECT_TRUE(keys.emplace(r.sip, r.dip).second);

  out = RunStream(stub_.get(), TalkersRequest(false));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));
  EXPECT_EQ(out.summaries[0].time_last(), kT0 + 600);
}

TEST_F(LiveWindowTest, AppliesConditionAndTopNAfterMerging) {
  // The live window repeats the stored flows: merged, each doubles.
  const std::vector<flow::FlowRow> first_block =
      Sendable(std::vector<flow::FlowRow>(stored_.begin(), stored_.begin() + 300));
  probe_.AddWindow("eth0", kT0 + 900, first_block);
  StartProbe();
  Start(WithProbe(probe_addr_));
  v1::QueryRequest req = TalkersRequest(true);
  req.set_condition("proto = 6");
  req.set_limit(5);
  RunOutput out = RunStream(stub_.get(), req);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  uint64_t expected = 0;
  for (const flow::FlowRow& r : stored_) {
    if (r.key.proto == 6) expected += r.counters.bytes_rcvd;
  }
  for (const flow::FlowRow& r : first_block) {
    if (r.key.proto == 6) expected += r.counters.bytes_rcvd;
  }
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), expected);
  EXPECT_EQ(out.rows.size(), std::min<size_t>(5, out.summaries[0].hits_total()));
  EXPECT_EQ(out.summaries[0].hits_displayed(), out.rows.size());
}

TEST_F(LiveWindowTest, IgnoresAWindowThatIsAlreadyStored) {
  probe_.AddWindow("eth0", kT0 + 600, live_);  // rotated into goDB meanwhile
  StartProbe();
  Start(WithProbe(probe_addr_));
  RunOutput out = RunStream(stub_.get(), TalkersRequest(true));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));
}

TEST_F(LiveWindowTest, OnlySelectedInterfacesAndTimes) {
  probe_.AddWindow("wlan0", kT0 + 900, live_);
  StartProbe();
  Start(WithProbe(probe_addr_));
  v1::QueryRequest req = TalkersRequest(true);
  req.mutable_interfaces()->add_names("eth0");
  RunOutput out = RunStream(stub_.get(), req);
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));

  req = TalkersRequest(true);
  req.set_last(kT0 + 600);
  out = RunStream(stub_.get(), req);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));
}

TEST_F(LiveWindowTest, WithoutAProbeAnswersFromStorageAndSaysSo) {
  Start();
  RunOutput out = RunStream(stub_.get(), TalkersRequest(true));
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));
  ASSERT_EQ(out.hosts.size(), 1u);
  ASSERT_EQ(out.hosts[0].warnings_size(), 1);
  EXPECT_THAT(out.hosts[0].warnings(0), testing::HasSubstr("no probe configured"));
}

TEST_F(LiveWindowTest, ADeadProbeIsAWarningNotAFailure) {
  Start(WithProbe("127.0.0.1:1"));
  RunOutput out = RunStream(stub_.get(), TalkersRequest(true));
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.summaries[0].totals().bytes_rcvd(), BytesRcvd(stored_));
  ASSERT_EQ(out.hosts[0].warnings_size(), 1);
  EXPECT_THAT(out.hosts[0].warnings(0), testing::HasSubstr("probe at 127.0.0.1:1"));
}

}  // namespace
}  // namespace goprobe::query
