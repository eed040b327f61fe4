// The Store service in-process: a real gRPC server on loopback and a client.

#include "services/store/store_service.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/rpc_metrics.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"

namespace goprobe::store {
namespace {

constexpr uint64_t kHostId = 42;
constexpr int64_t kT0 = 1700000100;

std::vector<flow::FlowRow> Rows(size_t n, uint64_t seed) {
  auto rows = godb::RandomRows(n, 0.3, seed);
  for (auto& r : rows) r.counters.pkts_rcvd += 1;  // the wire wants a packet in every flow
  return rows;
}

v1::FlowBatch Header(const std::string& iface, int64_t time, uint64_t host_id = kHostId) {
  v1::FlowBatch b;
  b.set_host_id(host_id);
  b.set_hostname("probe-host");
  b.set_iface(iface);
  b.set_block_time(time);
  b.set_sequence(uint64_t(time));
  b.mutable_capture()->set_packets_received(1000);
  b.mutable_capture()->set_packets_dropped_kernel(3);
  return b;
}

class StoreServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    auto store = BlockStore::Open(dir_.path(), {kHostId, "store-host"}, {}, &store_metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    service_ = std::make_unique<StoreService>(store_.get(), &auth_, &store_metrics_);
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:0"};
    options.metrics = &rpc_metrics_;
    auto server = rpc::GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->bound_ports()[0]),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::Store::NewStub(channel_);
  }

  // Sends `messages` on one Ingest stream and returns the acks and the
  // stream's final status.
  std::vector<v1::IngestAck> Ingest(const std::vector<v1::FlowBatch>& messages,
                                    grpc::Status* status) {
    grpc::ClientContext ctx;
    auto stream = stub_->Ingest(&ctx);
    for (const auto& m : messages) {
      v1::IngestRequest req;
      *req.mutable_batch() = m;
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
    std::vector<v1::IngestAck> acks;
    v1::IngestAck ack;
    while (stream->Read(&ack)) acks.push_back(ack);
    *status = stream->Finish();
    return acks;
  }

  std::vector<v1::FlowBatch> Batch(const std::string& iface, int64_t time,
                                   const std::vector<flow::FlowRow>& rows, size_t per_part = 1000,
                                   uint64_t host_id = kHostId) {
    auto parts = flow::EncodeBatchParts(Header(iface, time, host_id), rows, per_part);
    EXPECT_TRUE(parts.ok()) << parts.status();
    return *parts;
  }

  size_t StoredRows(const std::string& iface, int64_t time) {
    godb::DbReader reader(dir_.path());
    std::vector<godb::ScanProblem> problems;
    size_t rows = 0;
    absl::Status s = godb::ScanBlocks(reader, iface, time, time, godb::ColumnSet::All(),
                                      [&](const godb::BlockInfo&, const godb::BlockColumns& c) {
                                        rows += c.rows;
                                        return true;
                                      },
                                      &problems);
    EXPECT_TRUE(s.ok() || absl::IsNotFound(s)) << s;  // NotFound: nothing of iface stored
    return rows;
  }

  // The figure of the sample `series` ("name{labels}") in the exposition.
  double Metric(const std::string& series) {
    const std::string text = registry_.Render();
    const size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) {
      ADD_FAILURE() << series << " not in:\n" << text;
      return -1;
    }
    return std::atof(text.c_str() + at + series.size() + 2);
  }

  // The server finishes a stream (OnDone) after the client has its status:
  // waits up to a second for `series` to reach `want`, and returns it.
  double EventuallyMetric(const std::string& series, double want) {
    for (int i = 0; i < 100 && Metric(series) != want; ++i) absl::SleepFor(absl::Milliseconds(10));
    return Metric(series);
  }

  godb::TempDir dir_;
  metrics::Registry registry_;
  StoreMetrics store_metrics_{&registry_};
  rpc::RpcMetrics rpc_metrics_{&registry_};
  rpc::ApiKeyAuthorizer auth_;
  std::unique_ptr<BlockStore> store_;
  std::unique_ptr<StoreService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Store::Stub> stub_;
};

TEST_F(StoreServiceTest, StoresBatchesAndAcknowledgesEachOnce) {
  std::vector<v1::FlowBatch> messages;
  for (int i = 0; i < 3; ++i) {
    auto parts = Batch("eth0", kT0 + 300 * i, Rows(2500, i));  // three parts each
    messages.insert(messages.end(), parts.begin(), parts.end());
  }
  grpc::Status status;
  auto acks = Ingest(messages, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(acks[i].result(), v1::IngestAck::RESULT_STORED) << acks[i].message();
    EXPECT_EQ(acks[i].block_time(), kT0 + 300 * i);
    EXPECT_EQ(acks[i].iface(), "eth0");
    EXPECT_EQ(acks[i].rows_written(), 2500u);
    EXPECT_EQ(StoredRows("eth0", kT0 + 300 * i), 2500u);
  }
}

TEST_F(StoreServiceTest, RetriedBatchIsADuplicateAndStoredOnce) {
  const auto batch = Batch("eth0", kT0, Rows(100, 1));
  grpc::Status status;
  ASSERT_EQ(Ingest(batch, &status)[0].result(), v1::IngestAck::RESULT_STORED);
  auto again = Ingest(batch, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].result(), v1::IngestAck::RESULT_DUPLICATE);
  EXPECT_EQ(StoredRows("eth0", kT0), 100u);
}

TEST_F(StoreServiceTest, InvalidBatchIsRejectedAndTheStreamGoesOn) {
  auto bad = Batch("eth0", kT0, Rows(10, 2));
  bad[0].mutable_totals()->set_bytes_sent(bad[0].totals().bytes_sent() + 1);
  auto good = Batch("eth0", kT0 + 300, Rows(10, 3));
  auto foreign = Batch("eth0", kT0 + 600, Rows(10, 4), 1000, /*host_id=*/7);
  std::vector<v1::FlowBatch> messages = {bad[0], good[0], foreign[0]};
  grpc::Status status;
  auto acks = Ingest(messages, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[0].result(), v1::IngestAck::RESULT_REJECTED);
  EXPECT_THAT(acks[0].message(), testing::HasSubstr("totals"));
  EXPECT_EQ(acks[1].result(), v1::IngestAck::RESULT_STORED);
  EXPECT_EQ(acks[2].result(), v1::IngestAck::RESULT_REJECTED);
  EXPECT_THAT(acks[2].message(), testing::HasSubstr("store-host"));
  EXPECT_EQ(StoredRows("eth0", kT0), 0u);
  EXPECT_EQ(StoredRows("eth0", kT0 + 600), 0u);
}

TEST_F(StoreServiceTest, MetricsCountBatchesRowsBytesAndStreams) {
  // Every series is there before the first batch.
  EXPECT_EQ(Metric("gostore_batches_total{result=\"stored\"}"), 0);
  EXPECT_EQ(Metric("gostore_ingest_streams_open"), 0);
  EXPECT_EQ(Metric("gostore_last_write_timestamp_seconds"), 0);

  auto first = Batch("eth0", kT0, Rows(2500, 1));  // three parts
  auto second = Batch("eth0", kT0 + 300, Rows(40, 2));
  auto bad = Batch("eth0", kT0 + 600, Rows(10, 3));
  bad[0].mutable_totals()->set_bytes_sent(bad[0].totals().bytes_sent() + 1);
  auto foreign = Batch("eth0", kT0 + 900, Rows(10, 4), 1000, /*host_id=*/7);
  std::vector<v1::FlowBatch> messages = first;
  messages.insert(messages.end(), second.begin(), second.end());
  messages.push_back(first[0]);  // a resend: part 0 of a stored batch...
  messages.push_back(first[1]);
  messages.push_back(first[2]);  // ...and the rest of it
  messages.push_back(bad[0]);
  messages.push_back(foreign[0]);
  grpc::Status status;
  auto acks = Ingest(messages, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acks.size(), 5u);

  EXPECT_EQ(Metric("gostore_batches_total{result=\"stored\"}"), 2);
  EXPECT_EQ(Metric("gostore_batches_total{result=\"duplicate\"}"), 1);
  EXPECT_EQ(Metric("gostore_batches_total{result=\"rejected\"}"), 2);
  EXPECT_EQ(Metric("gostore_rows_written_total"), 2540);
  EXPECT_EQ(Metric("gostore_write_seconds_count"), 2);
  EXPECT_EQ(Metric("gostore_write_errors_total"), 0);
  EXPECT_EQ(Metric("gostore_write_queue_batches"), 0);
  EXPECT_EQ(EventuallyMetric("gostore_ingest_streams_open", 0), 0);
  EXPECT_NEAR(Metric("gostore_last_write_timestamp_seconds"),
              absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()), 60);
  // Bytes written are the growth of the day's files.
  uint64_t on_disk = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path() + "/eth0")) {
    if (e.is_regular_file()) on_disk += e.file_size();
  }
  EXPECT_EQ(Metric("gostore_bytes_written_total"), double(on_disk));
  // The interceptor saw the stream and its messages.
  const std::string ingest =
      "grpc_service=\"goprobe.v1.Store\",grpc_method=\"Ingest\",grpc_type=\"bidi_stream\"";
  EXPECT_EQ(Metric("grpc_server_msg_received_total{" + ingest + "}"), double(messages.size()));
  EXPECT_EQ(Metric("grpc_server_msg_sent_total{" + ingest + "}"), 5);
  EXPECT_EQ(Metric("grpc_server_handled_total{" + ingest + ",grpc_code=\"OK\"}"), 1);
}

TEST_F(StoreServiceTest, StreamsOpenGaugeFollowsOpenStreams) {
  grpc::ClientContext ctx;
  auto stream = stub_->Ingest(&ctx);
  v1::IngestRequest req;
  *req.mutable_batch() = Batch("eth0", kT0, Rows(5, 1))[0];
  ASSERT_TRUE(stream->Write(req));
  v1::IngestAck ack;
  ASSERT_TRUE(stream->Read(&ack));  // the stream is open on the server now
  EXPECT_EQ(Metric("gostore_ingest_streams_open"), 1);
  stream->WritesDone();
  EXPECT_FALSE(stream->Read(&ack));
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(EventuallyMetric("gostore_ingest_streams_open", 0), 0);
}

TEST_F(StoreServiceTest, BrokenPartsProtocolEndsTheStream) {
  auto parts = Batch("eth0", kT0, Rows(3000, 5));
  ASSERT_GE(parts.size(), 2u);
  grpc::Status status;
  auto acks = Ingest({parts[1]}, &status);  // part 1 without part 0
  EXPECT_TRUE(acks.empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(StoredRows("eth0", kT0), 0u);
}

TEST_F(StoreServiceTest, ListsInterfacesWithTotals) {
  grpc::Status status;
  const auto rows = Rows(50, 6);
  Ingest(Batch("eth1", kT0, rows), &status);
  Ingest(Batch("eth0", kT0, Rows(20, 7)), &status);
  grpc::ClientContext ctx;
  v1::StoreListInterfacesRequest req;
  v1::StoreListInterfacesResponse resp;
  ASSERT_TRUE(stub_->ListInterfaces(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.interfaces_size(), 2);
  const v1::InterfaceSummary& eth1 = resp.interfaces(1);
  EXPECT_EQ(eth1.iface(), "eth1");
  EXPECT_EQ(eth1.host_id(), kHostId);
  EXPECT_EQ(eth1.hostname(), "store-host");
  EXPECT_EQ(eth1.ipv4_flows() + eth1.ipv6_flows(), 50u);
  EXPECT_EQ(eth1.blocks(), 1u);
  EXPECT_EQ(eth1.first_block_time(), kT0);
  EXPECT_EQ(eth1.capture().packets_dropped_kernel(), 3u);
  uint64_t bytes = 0;
  for (const auto& r : rows) bytes += r.counters.bytes_rcvd;
  EXPECT_EQ(eth1.totals().bytes_rcvd(), bytes);

  grpc::ClientContext bad_ctx;
  req.add_ifaces("../etc");
  EXPECT_EQ(stub_->ListInterfaces(&bad_ctx, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StoreServiceTest, ServesHealth) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

class StoreAuthTest : public StoreServiceTest {
 protected:
  void SetUp() override {
    auth_ = rpc::ApiKeyAuthorizer({"store-key-0123456789"}, /*trust_unix_sockets=*/true,
                                  &rpc_metrics_.auth_refused());
    StoreServiceTest::SetUp();
  }
  grpc::StatusCode ListWithKey(const std::string& key) {
    grpc::ClientContext ctx;
    rpc::AddApiKey(key, &ctx);
    v1::StoreListInterfacesResponse resp;
    return stub_->ListInterfaces(&ctx, {}, &resp).error_code();
  }
};

TEST_F(StoreAuthTest, RefusesMissingWrongAndOtherServicesKeys) {
  EXPECT_EQ(ListWithKey(""), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListWithKey("wrong-key-0123456789"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListWithKey("query-key-0123456789"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ListWithKey("store-key-0123456789"), grpc::StatusCode::OK);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "store-key-0123456789");  // not "Bearer <key>"
    v1::StoreListInterfacesResponse resp;
    EXPECT_EQ(stub_->ListInterfaces(&ctx, {}, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // Ingest without a key stores nothing.
  grpc::ClientContext ctx;
  auto stream = stub_->Ingest(&ctx);
  v1::IngestRequest req;
  *req.mutable_batch() = Batch("eth0", kT0, Rows(5, 1))[0];
  stream->Write(req);
  stream->WritesDone();
  v1::IngestAck ack;
  EXPECT_FALSE(stream->Read(&ack));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(StoredRows("eth0", kT0), 0u);

  // Refusals are counted by method and reason.
  EXPECT_EQ(Metric("grpc_server_auth_refused_total{method=\"Store.ListInterfaces\",reason=\"missing_key\"}"), 1);
  EXPECT_EQ(Metric("grpc_server_auth_refused_total{method=\"Store.ListInterfaces\",reason=\"invalid_key\"}"), 3);
  EXPECT_EQ(Metric("grpc_server_auth_refused_total{method=\"Store.Ingest\",reason=\"missing_key\"}"), 1);
  EXPECT_EQ(Metric("grpc_server_handled_total{grpc_service=\"goprobe.v1.Store\",grpc_method=\"ListInterfaces\",grpc_type=\"unary\",grpc_code=\"Unauthenticated\"}"), 4);
  EXPECT_EQ(Metric("gostore_batches_total{result=\"stored\"}"), 0);
}

TEST(GrpcServerTest, ServesOnAUnixSocketOwnerOnly) {
  char tmpl[] = "/tmp/gostore_test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string sock = std::string(tmpl) + "/s.sock";
  godb::TempDir db;
  auto store = BlockStore::Open(db.path(), {kHostId, "h"});
  ASSERT_TRUE(store.ok());
  StoreService service(store->get(), nullptr);
  rpc::ServerOptions options;
  options.listen = {"unix:" + sock};
  auto server = rpc::GrpcServer::Start(options, {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(std::filesystem::status(sock).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none);
  auto stub = v1::Store::NewStub(grpc::CreateChannel("unix:" + sock, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::StoreListInterfacesResponse resp;
  EXPECT_TRUE(stub->ListInterfaces(&ctx, {}, &resp).ok());
  server->reset();
  EXPECT_FALSE(std::filesystem::exists(sock));
  std::filesystem::remove_all(tmpl);
}

TEST(GrpcServerTest, RejectsBadListenAddresses) {
  for (const char* bad : {"", "nocolon", "host:99999", "unix:relative", ":80x", "::1:9000"}) {
    EXPECT_FALSE(rpc::ValidateListenAddress(bad).ok()) << bad;
  }
  for (const char* good : {"127.0.0.1:0", "[::1]:9000", "localhost:8080", "unix:/run/x.sock"}) {
    EXPECT_TRUE(rpc::ValidateListenAddress(good).ok()) << good;
  }
}

}  // namespace
}  // namespace goprobe::store
