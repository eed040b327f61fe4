// The shipper against a real in-process gostore, including a store that goes
// away and comes back.

#include "lib/ship/batch_shipper.h"

#include "gtest/gtest.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/rpc/grpc_server.h"
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

// A gostore that can be stopped and started on the same port.
class Store {
 public:
  explicit Store(const std::string& db) : db_(db) {}
  void Start(int port) {
    auto blocks = store::BlockStore::Open(db_, {kHost, "store"});
    ASSERT_TRUE(blocks.ok()) << blocks.status();
    blocks_ = std::move(*blocks);
    service_ = std::make_unique<store::StoreService>(blocks_.get(), nullptr);
    rpc::ServerOptions options;
    options.listen = {"127.0.0.1:" + std::to_string(port)};
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
  shipper.Start();

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
  shipper.Start();
  ASSERT_TRUE(shipper.WaitUntilDrained(absl::Seconds(20)));
  EXPECT_EQ(shipper.stats().rejected, 1u);
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
  shipper.Start();
  EXPECT_FALSE(shipper.WaitUntilDrained(absl::Milliseconds(300)));
  shipper.Stop();
  EXPECT_EQ((*spool)->depth(), 1u);
  EXPECT_FALSE(shipper.stats().last_error.empty());
}

}  // namespace
}  // namespace goprobe::ship
