// gostore deletes old days (retention) while a goqueryd leaf reading the
// same directory answers queries in a loop: every answer covers whole days
// only. Deletion goes oldest first, so each answer's totals must be the sum
// of some newest run of days; a day seen in part would make a sum no such
// run has.

#include <signal.h>

#include <atomic>
#include <set>
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
  // suffix[k]: totals of days k.. (day 0 the oldest); suffix[kDays] is empty.
  std::vector<flow::Counters> suffix(kDays + 1);
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
  for (int d = kDays - 1; d >= 0; --d) {
    suffix[d] = suffix[d + 1];
    suffix[d] += SumTraffic(ReadStoredBlocks(
        db, "eth0", nullptr, first_day + d * godb::kSecondsPerDay,
        first_day + (d + 1) * godb::kSecondsPerDay - 1));
  }
  auto key = [](const flow::Counters& c) {
    return std::make_tuple(c.bytes_rcvd, c.bytes_sent, c.pkts_rcvd, c.pkts_sent);
  };
  std::set<std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>> whole_days;
  for (const flow::Counters& c : suffix) whole_days.insert(key(c));

  const std::string leaf_sock = dir.path() + "/leaf.sock";
  auto leaf = StartLeaf(db, leaf_sock, 7, "leaf");
  ASSERT_NE(leaf, nullptr);

  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::set<int> seen_suffixes;
  std::thread asker([&] {
    while (!done.load()) {
      JsonAnswer a = GoqueryJson("unix:" + leaf_sock,
                                 {"-f", std::to_string(first_day - 1), "-l",
                                  std::to_string(today + godb::kSecondsPerDay), "sip"});
      if (a.exit_code != 0) {
        ADD_FAILURE() << a.err;
        return;
      }
      EXPECT_EQ(a.doc["hosts_statuses"]["leaf"].value("warnings", nlohmann::json::array()).size(),
                0u)
          << a.doc.dump();
      const flow::Counters got = JsonTotals(a.doc);
      EXPECT_TRUE(whole_days.count(key(got)) > 0 || a.doc["rows"].empty())
          << "an answer covered part of a day: " << a.doc["summary"].dump();
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
