// gostore deletes old days (retention) while a goqueryd leaf reading the
// same directory answers queries in a loop: every answer covers whole days
// only, each with all of its blocks, and reports no damage.

#include <signal.h>

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/retention.h"
#include "tests/faults/fault_test_support.h"
#include "tests/harness/subprocess.h"

namespace goprobe::faults {
namespace {

using testing::ChildProcess;
using testing::Runfile;

constexpr int kDays = 40, kBlocksPerDay = 6;

TEST(RetentionUnderQueryTest, QueriesSeeOnlyWholeDaysWhileGostoreDeletes) {
  ScratchDir dir("retention");
  const std::string db = dir.path() + "/db";
  const int64_t today = godb::DayStart(absl::ToUnixSeconds(absl::Now()));
  const int64_t first_day = today - (kDays - 1) * godb::kSecondsPerDay;
  {
    godb::WriterOptions fast;
    fast.sync = false;
    auto writer = godb::DbWriter::Open(db, fast);
    ASSERT_TRUE(writer.ok());
    for (int d = 0; d < kDays; ++d) {
      for (int b = 0; b < kBlocksPerDay; ++b) {
        ASSERT_TRUE((*writer)
                        ->WriteBlock("eth0", first_day + d * godb::kSecondsPerDay + 300 * (b + 1),
                                     godb::RandomRows(100, 0.3, uint32_t(d * 100 + b)), {})
                        .ok());
      }
    }
  }

  const std::string leaf_sock = dir.path() + "/leaf.sock";
  auto leaf = StartLeaf(db, leaf_sock, 7, "leaf");
  ASSERT_NE(leaf, nullptr);

  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::thread asker([&] {
    while (!done.load()) {
      // One row per five-minute block: each day must have all its blocks
      // or none. (Days are opened at different moments of one query, so
      // which days are present is not a snapshot; that each is whole is.)
      JsonAnswer a = GoqueryJson("unix:" + leaf_sock,
                                 {"-f", std::to_string(first_day - 1), "-l",
                                  std::to_string(today + godb::kSecondsPerDay), "time"});
      if (a.exit_code != 0) {
        ADD_FAILURE() << a.err;
        return;
      }
      EXPECT_EQ(a.doc["hosts_statuses"]["leaf"].value("warnings", nlohmann::json::array()).size(),
                0u)
          << a.doc.dump();
      std::map<std::string, int> blocks_per_day;
      for (const nlohmann::json& row : a.doc["rows"]) {
        ++blocks_per_day[row["labels"]["timestamp"].get<std::string>().substr(0, 10)];
      }
      for (const auto& [day, blocks] : blocks_per_day) {
        EXPECT_EQ(blocks, kBlocksPerDay) << "an answer covered part of day " << day;
      }
      EXPECT_FALSE(blocks_per_day.empty()) << a.doc.dump();
      ++answers;
    }
  });

  // gostore started over and over with a shorter age limit each time: each
  // start deletes the days now over it, oldest first.
  const std::string store_sock = dir.path() + "/store.sock";
  for (int keep : {30, 20, 10, 3, 1}) {
    auto store = StartService({Runfile("services/store/gostore"), "--db", db, "--listen",
                               "unix:" + store_sock, "--host-id", "7", "--log-level", "info",
                               "--metrics-listen", "", "--retention-max-age-days",
                               std::to_string(keep)},
                              store_sock);
    ASSERT_NE(store, nullptr);
    const int64_t oldest_kept = today - (keep - 1) * godb::kSecondsPerDay;
    bool trimmed = false;
    for (int i = 0; i < 1000 && !trimmed; ++i) {
      auto days = godb::ListStoredDays(godb::DbReader(db));
      trimmed = days.ok() && !days->empty() && days->front().partition.day_start == oldest_kept;
      if (!trimmed) absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_TRUE(trimmed) << "keep " << keep << ": " << store->Log();
    const int before = answers.load();
    for (int i = 0; i < 3000 && answers.load() < before + 2; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    store->Signal(SIGTERM);
    ASSERT_TRUE(store->Wait(absl::Seconds(20)).ok());
  }
  done = true;
  asker.join();
  EXPECT_GT(answers.load(), 10);
  EXPECT_EQ(ReadStoredBlocks(db, "eth0").size(), size_t(kBlocksPerDay));
  EXPECT_TRUE(std::filesystem::is_empty(db + "/.deleted"));
}

}  // namespace
}  // namespace goprobe::faults
