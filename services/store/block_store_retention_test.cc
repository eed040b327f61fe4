// BlockStore's retention: deletes by age at start and by size after writes,
// counts what it did, and never deletes the day being written.

#include <sys/stat.h>

#include <future>
#include <map>

#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/retention.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/metrics/metrics.h"
#include "services/store/block_store.h"

namespace goprobe::store {
namespace {

constexpr uint64_t kHostId = 42;
constexpr int64_t kDay = godb::kSecondsPerDay;

v1::FlowBatch Header(const std::string& iface, int64_t time) {
  v1::FlowBatch b;
  b.set_host_id(kHostId);
  b.set_iface(iface);
  b.set_block_time(time);
  return b;
}

absl::StatusOr<v1::IngestAck> Store(BlockStore* store, const std::string& iface, int64_t time,
                                    uint32_t seed) {
  std::promise<absl::StatusOr<v1::IngestAck>> done;
  store->Submit(Header(iface, time), godb::RandomRows(10000, 0.3, seed),
                [&](absl::StatusOr<v1::IngestAck> ack) { done.set_value(std::move(ack)); });
  return done.get_future().get();
}

std::map<std::string, int> StoredDays(const std::string& db) {
  std::map<std::string, int> days;
  auto listed = godb::ListStoredDays(godb::DbReader(db));
  EXPECT_TRUE(listed.ok()) << listed.status();
  for (const godb::StoredDay& d : *listed) {
    ++days[d.partition.iface + "@" + std::to_string(d.partition.day_start)];
  }
  return days;
}

bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return condition();
}

TEST(BlockStoreRetentionTest, DaysOverTheAgeLimitGoAtStart) {
  godb::TempDir dir;
  const int64_t today = godb::DayStart(absl::ToUnixSeconds(absl::Now()));
  {
    auto writer = godb::DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    for (int64_t age : {10, 3, 2, 1, 0}) {
      ASSERT_TRUE(
          (*writer)->WriteBlock("eth0", today - age * kDay + 300, godb::RandomRows(100, 0.3, 1), {}).ok());
    }
  }
  metrics::Registry registry;
  StoreMetrics metrics(&registry);
  RetentionPolicy policy;
  policy.max_age_days = 2;  // today and yesterday
  auto store = BlockStore::Open(dir.path(), {kHostId, "h"}, {}, &metrics, policy);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(WaitFor([&] { return metrics.days_deleted.Labels({"age"}).value() == 3; }))
      << metrics.days_deleted.Labels({"age"}).value();
  EXPECT_EQ(StoredDays(dir.path()),
            (std::map<std::string, int>{{"eth0@" + std::to_string(today - kDay), 1},
                                        {"eth0@" + std::to_string(today), 1}}));
  EXPECT_GT(metrics.bytes_freed.value(), 0u);
  EXPECT_EQ(metrics.retention_errors.value(), 0u);
  EXPECT_EQ(metrics.database_bytes.value(),
            double(godb::DirectoryBytes(godb::DayDirectory(dir.path(), "eth0", today - kDay)) +
                   godb::DirectoryBytes(godb::DayDirectory(dir.path(), "eth0", today))));
}

TEST(BlockStoreRetentionTest, WritesOverTheSizeLimitDeleteTheOldestDays) {
  godb::TempDir dir;
  constexpr int64_t kDay0 = 1699920000;
  // Measure what one day of two blocks takes.
  uint64_t day_bytes = 0;
  {
    auto store = BlockStore::Open(dir.path() + "/probe", {kHostId, "h"});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(Store(store->get(), "eth0", kDay0 + 300, 1).ok());
    ASSERT_TRUE(Store(store->get(), "eth0", kDay0 + 600, 2).ok());
    day_bytes = godb::DirectoryBytes(godb::DayDirectory(dir.path() + "/probe", "eth0", kDay0));
    ASSERT_GT(day_bytes, 0u);
  }
  metrics::Registry registry;
  StoreMetrics metrics(&registry);
  RetentionPolicy policy;
  policy.max_bytes = int64_t(day_bytes * 3 + day_bytes * 3 / 4);  // room for three days
  const std::string db = dir.path() + "/db";
  auto store = BlockStore::Open(db, {kHostId, "h"}, {}, &metrics, policy);
  ASSERT_TRUE(store.ok());
  // eth1 writes one day long ago: its newest day, never deleted for size.
  ASSERT_TRUE(Store(store->get(), "eth1", kDay0 - 10 * kDay + 300, 21).ok());
  ASSERT_TRUE(Store(store->get(), "eth1", kDay0 - 10 * kDay + 600, 22).ok());
  for (int d = 0; d < 6; ++d) {
    for (int b = 1; b <= 2; ++b) {
      auto ack = Store(store->get(), "eth0", kDay0 + d * kDay + 300 * b, uint32_t(d * 2 + b));
      ASSERT_TRUE(ack.ok()) << ack.status();
      ASSERT_EQ(ack->result(), v1::IngestAck::RESULT_STORED);
    }
  }
  store->reset();
  // eth1's day and the two newest days of eth0 fit; the rest went, oldest first.
  EXPECT_EQ(StoredDays(db),
            (std::map<std::string, int>{{"eth1@" + std::to_string(kDay0 - 10 * kDay), 1},
                                        {"eth0@" + std::to_string(kDay0 + 4 * kDay), 1},
                                        {"eth0@" + std::to_string(kDay0 + 5 * kDay), 1}}));
  EXPECT_EQ(metrics.days_deleted.Labels({"size"}).value(), 4u);
  EXPECT_EQ(metrics.days_deleted.Labels({"age"}).value(), 0u);
  EXPECT_GE(metrics.bytes_freed.value(), 4 * day_bytes * 9 / 10);
  EXPECT_LE(metrics.database_bytes.value(), double(policy.max_bytes));
  auto days = godb::ListStoredDays(godb::DbReader(db));
  uint64_t total = 0;
  for (const godb::StoredDay& d : *days) total += d.bytes;
  EXPECT_LE(total, uint64_t(policy.max_bytes));
}

}  // namespace
}  // namespace goprobe::store
