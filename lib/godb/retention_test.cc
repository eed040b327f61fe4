// Deleting days: what readers see before, during and after, and what a
// crash in the middle leaves.

#include "lib/godb/retention.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::godb {
namespace {

constexpr int64_t kDay0 = 1699920000;  // 2023-11-14 00:00 UTC
constexpr int kBlocksPerDay = 4;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// kBlocksPerDay blocks of 200 rows on each of `days` days of eth0, and one
// day of eth1 on the first day.
void WriteDays(DbWriter* writer, int days) {
  for (int d = 0; d < days; ++d) {
    for (int b = 0; b < kBlocksPerDay; ++b) {
      const int64_t t = kDay0 + d * kSecondsPerDay + 300 * (b + 1);
      ASSERT_TRUE(writer->WriteBlock("eth0", t, RandomRows(200, 0.3, uint32_t(d * 10 + b)), {}).ok());
    }
  }
  ASSERT_TRUE(writer->WriteBlock("eth1", kDay0 + 300, RandomRows(50, 0.0, 99), {}).ok());
}

// Blocks per day start of eth0, scanning every column; problems fail.
std::map<int64_t, int> BlocksPerDay(const std::string& db, bool* problem_seen = nullptr) {
  std::map<int64_t, int> days;
  std::vector<ScanProblem> problems;
  DbReader reader(db);
  absl::Status s = ScanBlocks(
      reader, "eth0", 0, kMaxBlockTime, ColumnSet::All(),
      [&](const BlockInfo& b, const BlockColumns& cols) {
        EXPECT_EQ(cols.rows, b.rows);
        ++days[DayStart(b.time)];
        return true;
      },
      &problems);
  EXPECT_TRUE(s.ok()) << s;
  if (problem_seen != nullptr) *problem_seen = !problems.empty();
  for (const ScanProblem& p : problems) ADD_FAILURE() << p.where << ": " << p.status;
  return days;
}

TEST(RetentionTest, ListsDaysOldestFirstAndDeletesOneWhole) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  WriteDays(writer->get(), 3);

  auto days = ListStoredDays(DbReader(dir.path()));
  ASSERT_TRUE(days.ok()) << days.status();
  ASSERT_EQ(days->size(), 4u);
  EXPECT_EQ((*days)[0].partition.iface, "eth0");
  EXPECT_EQ((*days)[0].partition.day_start, kDay0);
  EXPECT_EQ((*days)[1].partition.iface, "eth1");
  EXPECT_EQ((*days)[1].partition.day_start, kDay0);
  EXPECT_EQ((*days)[3].partition.day_start, kDay0 + 2 * kSecondsPerDay);
  for (const StoredDay& d : *days) EXPECT_GT(d.bytes, 0u) << d.partition.dir;

  auto freed = (*writer)->DeleteDay("eth0", kDay0);
  ASSERT_TRUE(freed.ok()) << freed.status();
  EXPECT_EQ(*freed, (*days)[0].bytes);
  EXPECT_FALSE(Exists(DayDirectory(dir.path(), "eth0", kDay0)));
  EXPECT_EQ(BlocksPerDay(dir.path()),
            (std::map<int64_t, int>{{kDay0 + kSecondsPerDay, kBlocksPerDay},
                                    {kDay0 + 2 * kSecondsPerDay, kBlocksPerDay}}));
  // Nothing is left behind, and the other interface is untouched.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/.deleted"));
  EXPECT_TRUE(Exists(DayDirectory(dir.path(), "eth1", kDay0)));

  EXPECT_TRUE(absl::IsNotFound((*writer)->DeleteDay("eth0", kDay0).status()));
  EXPECT_TRUE(absl::IsInvalidArgument((*writer)->DeleteDay("eth0", kDay0 + 300).status()));
  EXPECT_TRUE(absl::IsInvalidArgument((*writer)->DeleteDay("../x", kDay0).status()));
}

TEST(RetentionTest, EmptyMonthAndYearDirectoriesGoWithTheirLastDay) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  const int64_t dec31 = 1703980800;  // 2023-12-31
  ASSERT_TRUE((*writer)->WriteBlock("eth0", dec31 + 300, RandomRows(10, 0, 1), {}).ok());
  ASSERT_TRUE((*writer)->WriteBlock("eth0", dec31 + kSecondsPerDay + 300, RandomRows(10, 0, 2), {}).ok());
  ASSERT_TRUE((*writer)->DeleteDay("eth0", dec31).ok());
  EXPECT_FALSE(Exists(dir.path() + "/eth0/2023"));
  EXPECT_TRUE(Exists(dir.path() + "/eth0/2024/01/01"));
}

TEST(RetentionTest, AReaderThatOpenedTheDayKeepsReadingAllOfIt) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  WriteDays(writer->get(), 1);
  DbReader db(dir.path());
  auto days = db.Days("eth0", 0, kMaxBlockTime);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 1u);
  auto reader = DayReader::Open((*days)[0]);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto second = (*reader)->Another();

  ASSERT_TRUE((*writer)->DeleteDay("eth0", kDay0).ok());
  EXPECT_TRUE(absl::IsNotFound(DayReader::Open((*days)[0]).status()));
  BlockColumns cols;
  for (DayReader* r : {reader->get(), second.get()}) {
    ASSERT_EQ(r->metadata().blocks.size(), size_t(kBlocksPerDay));
    for (size_t i = 0; i < r->metadata().blocks.size(); ++i) {
      absl::Status s = r->ReadBlock(i, ColumnSet::All(), &cols);
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_EQ(cols.rows, 200u);
    }
  }
}

TEST(RetentionTest, TheWriterStartsADeletedDayAfresh) {
  TempDir dir;
  auto writer = DbWriter::Open(dir.path());
  ASSERT_TRUE(writer.ok());
  WriteDays(writer->get(), 1);
  ASSERT_TRUE((*writer)->DeleteDay("eth0", kDay0).ok());
  // The same block time again: not a duplicate, the day is new.
  ASSERT_TRUE((*writer)->WriteBlock("eth0", kDay0 + 300, RandomRows(30, 0.5, 7), {}).ok());
  EXPECT_EQ(BlocksPerDay(dir.path()), (std::map<int64_t, int>{{kDay0, 1}}));
}

// Readers scan over and over while the writer deletes every day but the
// last, one by one: each scan sees each day whole or not at all, and never
// reports damage.
TEST(RetentionTest, ConcurrentReadersNeverSeeAHalfDeletedDay) {
  TempDir dir;
  constexpr int kDays = 12;
  {
    WriterOptions fast;
    fast.sync = false;
    auto writer = DbWriter::Open(dir.path(), fast);
    ASSERT_TRUE(writer.ok());
    WriteDays(writer->get(), kDays);
  }
  std::atomic<bool> done{false};
  std::atomic<int> scans{0};
  auto scan_loop = [&] {
    while (!done.load()) {
      bool problem = false;
      const std::map<int64_t, int> seen = BlocksPerDay(dir.path(), &problem);
      ASSERT_FALSE(problem);
      for (const auto& [day, blocks] : seen) {
        ASSERT_EQ(blocks, kBlocksPerDay) << "day " << day << " seen in part";
      }
      ++scans;
    }
  };
  std::thread a(scan_loop), b(scan_loop);
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    for (int d = 0; d + 1 < kDays; ++d) {
      // Each deletion waits for a scan to finish after the previous one, so
      // the readers really run between deletions however slow they are
      // (sanitizer builds).
      const int before = scans.load();
      const absl::Time give_up = absl::Now() + absl::Seconds(30);
      while (scans.load() == before && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
      auto freed = (*writer)->DeleteDay("eth0", kDay0 + d * kSecondsPerDay);
      ASSERT_TRUE(freed.ok()) << freed.status();
    }
  }
  done = true;
  a.join();
  b.join();
  EXPECT_GE(scans.load(), kDays - 1);
  EXPECT_EQ(BlocksPerDay(dir.path()),
            (std::map<int64_t, int>{{kDay0 + (kDays - 1) * kSecondsPerDay, kBlocksPerDay}}));
}

// A process deleting a day is killed after each step: the day is then
// whole or gone, and the next writer removes what was left in .deleted.
TEST(RetentionTest, ACrashDuringDeletionLeavesTheWholeDayOrNone) {
  for (int kill_at = 0; kill_at < 4; ++kill_at) {
    TempDir dir;
    {
      auto writer = DbWriter::Open(dir.path());
      ASSERT_TRUE(writer.ok());
      WriteDays(writer->get(), 2);
    }
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int calls = 0;
      WriterOptions options;
      options.step_hook = [&](absl::string_view) {
        if (calls++ == kill_at) _exit(0);  // no destructors: a crash
      };
      auto writer = DbWriter::Open(dir.path(), options);
      if (!writer.ok()) _exit(2);
      (void)(*writer)->DeleteDay("eth0", kDay0);
      _exit(1);  // finished without reaching step kill_at
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << kill_at;
    const bool crashed = WEXITSTATUS(status) == 0;
    ASSERT_TRUE(crashed || WEXITSTATUS(status) == 1) << kill_at;

    // Every step reported comes after the rename: the day is gone.
    EXPECT_EQ(BlocksPerDay(dir.path()),
              (std::map<int64_t, int>{{kDay0 + kSecondsPerDay, kBlocksPerDay}}))
        << "killed after step " << kill_at;
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/.deleted")) << "killed after step " << kill_at;
    if (!crashed) break;  // every step was covered
  }
}

TEST(RetentionTest, LeftoversOfAnInterruptedDeletionAreRemovedAtOpen) {
  TempDir dir;
  {
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    WriteDays(writer->get(), 1);
  }
  // What a crash right after the rename leaves.
  std::filesystem::create_directories(dir.path() + "/.deleted");
  std::filesystem::rename(DayDirectory(dir.path(), "eth0", kDay0),
                          dir.path() + "/.deleted/eth0.2023-11-14");
  EXPECT_TRUE(BlocksPerDay(dir.path()).empty());
  auto leftovers = RemoveDeletedLeftovers(dir.path());
  ASSERT_TRUE(leftovers.ok());
  EXPECT_GT(*leftovers, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/.deleted"));
  auto none = RemoveDeletedLeftovers(dir.path() + "/nonexistent");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
}

}  // namespace
}  // namespace goprobe::godb
