// Kills a writer process between every two steps that touch the disk and
// checks what it leaves: every block that was complete is readable and
// correct, no partial block is visible, and a new writer carries on.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::godb {
namespace {

constexpr int64_t kT0 = 1700000100;

struct PlannedBlock {
  std::string iface;
  int64_t time;
  std::vector<flow::FlowRow> rows;
};

// Covers a new database, appends to an open day, a second interface, and a
// day change.
std::vector<PlannedBlock> Plan() {
  return {{"eth0", kT0, RandomRows(300, 0.3, 1)},
          {"eth0", kT0 + 300, RandomRows(300, 0.3, 2)},
          {"eth1", kT0 + 300, RandomRows(50, 0.0, 3)},
          {"eth0", kT0 + kSecondsPerDay, RandomRows(300, 1.0, 4)}};
}

std::vector<flow::FlowRow> Sorted(std::vector<flow::FlowRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const flow::FlowRow& a, const flow::FlowRow& b) { return a.key < b.key; });
  return rows;
}

// Writes the plan, calling hook(step, block index) at every step.
absl::Status WritePlan(const std::string& db, const std::vector<PlannedBlock>& plan,
                       const std::function<void(absl::string_view, size_t)>& hook) {
  size_t current = 0;
  WriterOptions options;
  options.step_hook = [&](absl::string_view step) { hook(step, current); };
  auto writer = DbWriter::Open(db, options);
  if (!writer.ok()) return writer.status();
  for (current = 0; current < plan.size(); ++current) {
    const PlannedBlock& b = plan[current];
    absl::Status s = (*writer)->WriteBlock(b.iface, b.time, b.rows, {});
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Blocks found per (iface, time), checked against the plan.
size_t CheckVisible(const std::string& db, const std::vector<PlannedBlock>& plan,
                    const std::vector<bool>& must_be_visible, const std::string& context) {
  DbReader reader(db);
  size_t visible = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    std::vector<ScanProblem> problems;
    bool found = false;
    absl::Status s = ScanBlocks(
        reader, plan[i].iface, plan[i].time, plan[i].time, ColumnSet::All(),
        [&](const BlockInfo&, const BlockColumns& cols) {
          std::vector<flow::FlowRow> rows;
          for (uint32_t r = 0; r < cols.rows; ++r) rows.push_back(cols.Row(r));
          EXPECT_EQ(rows, Sorted(plan[i].rows)) << context << " block " << i;
          found = true;
          return true;
        },
        &problems);
    // A crash before anything of an interface was written leaves no directory.
    EXPECT_TRUE(s.ok() || absl::IsNotFound(s)) << context << ": " << s;
    EXPECT_TRUE(problems.empty()) << context << ": " << problems[0].status;
    EXPECT_EQ(found, bool(must_be_visible[i])) << context << " block " << i;
    visible += found;
  }
  return visible;
}

TEST(CrashTest, EveryCrashPointLeavesAReadableDatabase) {
  const std::vector<PlannedBlock> plan = Plan();

  // A clean run names the steps and where each block becomes visible.
  std::vector<std::string> steps;
  std::vector<size_t> step_block;
  {
    TempDir dir;
    ASSERT_TRUE(WritePlan(dir.path(), plan, [&](absl::string_view step, size_t block) {
                  steps.emplace_back(step);
                  step_block.push_back(block);
                }).ok());
  }
  ASSERT_GT(steps.size(), plan.size() * 10);

  for (size_t kill_at = 0; kill_at < steps.size(); ++kill_at) {
    TempDir dir;
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      size_t calls = 0;
      (void)WritePlan(dir.path(), plan, [&](absl::string_view, size_t) {
        if (calls++ == kill_at) _exit(0);  // no destructors, no flushing: a crash
      });
      _exit(1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    const std::string context =
        absl::StrCat("killed after step ", kill_at, " (", steps[kill_at], " of block ",
                     step_block[kill_at], ")");
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << context;

    std::vector<bool> visible(plan.size(), false);
    for (size_t s = 0; s <= kill_at; ++s) {
      if (steps[s] == "metadata_renamed") visible[step_block[s]] = true;
    }
    CheckVisible(dir.path(), plan, visible, context);

    // A new writer finishes the job: blocks already stored are refused as
    // duplicates, the rest are written, and everything reads back.
    auto writer = DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok()) << context << ": " << writer.status();
    for (size_t i = 0; i < plan.size(); ++i) {
      absl::Status s = (*writer)->WriteBlock(plan[i].iface, plan[i].time, plan[i].rows, {});
      if (visible[i]) {
        EXPECT_TRUE(absl::IsAlreadyExists(s)) << context << ": " << s;
      } else {
        EXPECT_TRUE(s.ok()) << context << ": " << s;
      }
    }
    writer->reset();
    EXPECT_EQ(CheckVisible(dir.path(), plan, std::vector<bool>(plan.size(), true), context),
              plan.size());
  }
}

}  // namespace
}  // namespace goprobe::godb
