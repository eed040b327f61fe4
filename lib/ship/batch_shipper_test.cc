// The shipper against a real in-process gostore, including a store that goes
// away and comes back.

#include "lib/ship/batch_shipper.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/test_certificates.h"
#include "lib/rpc/tls.h"
#include "services/store/block_store.h"
#include "services/store/store_service.h"

namespace goprobe::ship {
namespace {

constexpr uint64_t kHost = 77;

v1::FlowBatch MakeBatch(int64_t time, size_t rows, flow::Counters* sum) {
  v1::FlowBatch b;
  b.set_host_id(kHost);
  b.set_hostname("probe");
  b.set_iface("eth0");
  b.set_block_time(time);
  auto r = godb::RandomRows(rows, 0.3, uint64_t(time));
  for (auto& row : r) {
    row.counters.pkts_sent += 1;
    *sum += row.counters;
  }
  EXPECT_TRUE(flow::SetBatchRows(r, &b).ok());
  return b;
}

// A gostore that can be stopped and started on the same port, plaintext or
// with `tls`.
class Store {
 public:
  explicit Store(const std::string& db, const rpc::ServerTlsFiles& tls = {}) : db_(db) {
    if (tls.enabled()) {
      auto creds = rpc::LoadServerCredentials(tls);
      EXPECT_TRUE(creds.ok()) << creds.status();
      tls_ = *creds;
    }
  }
  void Start(int port) {
    auto blocks = store::BlockStore::Open(db_, {kHost, "store"});
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    blocks_ = std::move(*blocks);
    service_ = std::make_unique<store::StoreService>(blocks_.get(), nullptr);
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:" + std::to_string(port)};
    options.tls = tls_;
    auto server = rpc::GrpcServer::Start(options, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    port_ = server_->bound_ports()[0];
  }
  void Stop() {
    server_.reset();
    service_.reset();
    blocks_.reset();
  }
  int port() const { return port_; }

 private:
  std::string db_;
  std::shared_ptr<grpc::ServerCredentials> tls_;
  int port_ = 0;
  std::unique_ptr<store::BlockStore> blocks_;
  std::unique_ptr<store::StoreService> service_;
  std::unique_ptr<rpc::GrpcServer> server_;
};

flow::Counters StoredTotals(const std::string& db, size_t* blocks) {
  godb::DbReader reader(db);
  std::vector<godb::ScanProblem> problems;
  flow::Counters sum;
  *blocks = 0;
  EXPECT_TRUE(godb::ScanBlocks(reader, "eth0", 0, godb::kMaxBlockTime, godb::ColumnSet::All(),
                               [&](const godb::BlockInfo& b, const godb::BlockColumns&) {
                                 sum += b.totals.traffic;
                                 ++*blocks;
                                 return true;
                               },
                               &problems)
                  .ok());
  EXPECT_TRUE(problems.empty());
  return sum;
}

TEST(BatchShipperTest, DeliversEverythingOnceThroughStoreRestarts) {
  godb::TempDir spool_dir, db;
  auto spool = BatchSpool::Open(spool_dir.path(), 1 << 30);
  ASSERT_TRUE(spool.ok());
  Store store(db.path());
  store.Start(0);
  const int port = store.port();

  ShipperOptions options;
  options.address = "127.0.0.1:" + std::to_string(port);
  options.min_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  BatchShipper shipper(spool->get(), options);
  ASSERT_TRUE(shipper.Start().ok());

  flow::Counters sent;
  int64_t t = 1700000100;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 10; ++i, t += 300) {
      // Every third batch is large enough to travel in parts.
      ASSERT_TRUE((*spool)->Add(MakeBatch(t, i % 3 == 0 ? 40000 : 200, &sent)).ok());
      shipper.Notify();
    }
    store.Stop();  // mid-stream: some batches are in flight, some spooled
    absl::SleepFor(absl::Milliseconds(50));
    store.Start(port);
  }
  ASSERT_TRUE(shipper.WaitUntilDrained(absl::Seconds(60)));
  shipper.Stop();
  store.Stop();

  size_t blocks = 0;
  const flow::Counters stored = StoredTotals(db.path(), &blocks);
  EXPECT_EQ(blocks, 40u);
  EXPECT_EQ(stored, sent);
  const ShipperStats stats = shipper.stats();
  // A batch stored just before a restart loses its ack and comes back as a
  // duplicate: every batch is acknowledged at least once, stored once.
  EXPECT_LE(stats.stored, 40u);
  EXPECT_GE(stats.stored + stats.duplicates, 40u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_GE(stats.streams, 2u);
  EXPECT_EQ(stats.last_result, ShipperStats::Result::kOk);
  EXPECT_GT(stats.last_result_time, absl::InfinitePast());
  // Sequences are handed out from 1: the last of the 40 is the newest acked.
  EXPECT_EQ(stats.last_acked_sequence, 40u);
  EXPECT_EQ((*spool)->max_bytes(), uint64_t{1} << 30);
}

TEST(BatchShipperTest, RejectedBatchesLeaveTheSpool) {
  godb::TempDir spool_dir, db;
  auto spool = BatchSpool::Open(spool_dir.path(), 1 << 30);
  ASSERT_TRUE(spool.ok());
  Store store(db.path());
  store.Start(0);
  flow::Counters sent;
  v1::FlowBatch foreign = MakeBatch(1700000100, 10, &sent);
  foreign.set_host_id(kHost + 1);  // the store holds another host's flows
  ASSERT_TRUE((*spool)->Add(foreign).ok());
  ShipperOptions options;
  options.address = "127.0.0.1:" + std::to_string(store.port());
  BatchShipper shipper(spool->get(), options);
  ASSERT_TRUE(shipper.Start().ok());
  ASSERT_TRUE(shipper.WaitUntilDrained(absl::Seconds(20)));
  EXPECT_EQ(shipper.stats().rejected, 1u);
  EXPECT_EQ(shipper.stats().last_result, ShipperStats::Result::kRejected);
  EXPECT_EQ(shipper.stats().last_acked_sequence, 1u);
}

TEST(BatchShipperTest, StopKeepsUnsentBatchesSpooled) {
  godb::TempDir spool_dir;
  auto spool = BatchSpool::Open(spool_dir.path(), 1 << 30);
  ASSERT_TRUE(spool.ok());
  flow::Counters sent;
  ASSERT_TRUE((*spool)->Add(MakeBatch(1700000100, 10, &sent)).ok());
  ShipperOptions options;
  options.address = "127.0.0.1:1";  // nothing listens there
  options.min_backoff = absl::Milliseconds(10);
  BatchShipper shipper(spool->get(), options);
  ASSERT_TRUE(shipper.Start().ok());
  EXPECT_FALSE(shipper.WaitUntilDrained(absl::Milliseconds(300)));
  shipper.Stop();
  EXPECT_EQ((*spool)->depth(), 1u);
  const ShipperStats stats = shipper.stats();
  EXPECT_FALSE(stats.last_error.empty());
  EXPECT_EQ(stats.last_result, ShipperStats::Result::kError);
  EXPECT_FALSE(stats.connected);
  EXPECT_EQ(stats.last_acked_sequence, 0u);
}

class BatchShipperTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto certs = rpc::MakeTestCertificates(certs_dir_.path());
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
    auto spool = BatchSpool::Open(spool_dir_.path(), 1 << 30);
    ASSERT_TRUE(spool.ok());
    spool_ = std::move(*spool);
  }

  // Spools `n` batches and returns their sum.
  flow::Counters Spool(int n) {
    flow::Counters sent;
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(spool_->Add(MakeBatch(1700000100 + 300 * i, 500, &sent)).ok());
    }
    return sent;
  }

  ShipperOptions Options(int port, rpc::ClientTlsOptions tls) const {
    ShipperOptions options;
    options.address = "127.0.0.1:" + std::to_string(port);
    options.tls = std::move(tls);
    options.min_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(100);
    return options;
  }

  godb::TempDir certs_dir_, spool_dir_, db_;
  rpc::TestCertificates certs_;
  std::unique_ptr<BatchSpool> spool_;
};

TEST_F(BatchShipperTlsTest, ShipsOverTlsWithAClientCertificate) {
  Store store(db_.path(), {certs_.server_cert, certs_.server_key, certs_.ca_cert});
  store.Start(0);
  const flow::Counters sent = Spool(5);
  BatchShipper shipper(
      spool_.get(),
      Options(store.port(), {true, certs_.ca_cert, certs_.client_cert, certs_.client_key, ""}));
  ASSERT_TRUE(shipper.Start().ok());
  ASSERT_TRUE(shipper.WaitUntilDrained(absl::Seconds(30))) << shipper.stats().last_error;
  shipper.Stop();
  store.Stop();
  size_t blocks = 0;
  EXPECT_EQ(StoredTotals(db_.path(), &blocks), sent);
  EXPECT_EQ(blocks, 5u);
}

TEST_F(BatchShipperTlsTest, WithoutTheClientCertificateNothingLeavesTheSpool) {
  Store store(db_.path(), {certs_.server_cert, certs_.server_key, certs_.ca_cert});
  store.Start(0);
  Spool(2);
  BatchShipper shipper(spool_.get(), Options(store.port(), {true, certs_.ca_cert, "", "", ""}));
  ASSERT_TRUE(shipper.Start().ok());
  EXPECT_FALSE(shipper.WaitUntilDrained(absl::Milliseconds(500)));
  shipper.Stop();
  EXPECT_EQ(spool_->depth(), 2u);
  EXPECT_FALSE(shipper.stats().last_error.empty());
}

TEST_F(BatchShipperTlsTest, ARenewedCaFileIsPickedUpWithoutARestart) {
  Store store(db_.path(), {certs_.server_cert, certs_.server_key, ""});
  store.Start(0);
  const flow::Counters sent = Spool(3);
  // The probe starts out trusting the wrong CA: the store's certificate is
  // refused and the batches stay spooled...
  const std::string ca = certs_dir_.path() + "/trusted.pem";
  std::filesystem::copy_file(certs_.other_ca_cert, ca);
  BatchShipper shipper(spool_.get(), Options(store.port(), {true, ca, "", "", ""}));
  ASSERT_TRUE(shipper.Start().ok());
  EXPECT_FALSE(shipper.WaitUntilDrained(absl::Milliseconds(400)));
  // ...until the right CA is put in place.
  absl::SleepFor(absl::Milliseconds(20));  // a distinct modification time
  std::filesystem::copy_file(certs_.ca_cert, ca, std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(shipper.WaitUntilDrained(absl::Seconds(30))) << shipper.stats().last_error;
  shipper.Stop();
  store.Stop();
  size_t blocks = 0;
  EXPECT_EQ(StoredTotals(db_.path(), &blocks), sent);
}

TEST_F(BatchShipperTlsTest, StartRefusesBadTlsSettings) {
  ShipperOptions options = Options(1, {true, certs_dir_.path() + "/missing.pem", "", "", ""});
  BatchShipper missing(spool_.get(), options);
  absl::Status s = missing.Start();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("missing.pem"));

  options.address = "unix:/run/goprobe/gostore.sock";
  options.tls = {true, certs_.ca_cert, "", "", ""};
  BatchShipper unix_tls(spool_.get(), options);
  s = unix_tls.Start();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("is a unix socket"));
}

}  // namespace
}  // namespace goprobe::ship
