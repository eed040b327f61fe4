// gostore and goprobe as real processes on loopback: the store is killed with
// SIGKILL and restarted while batches flow, the probe is killed and started
// again with its spool; afterwards the store holds exactly what the probe
// produced, block by block: nothing lost, nothing counted twice.

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using testing::ChildProcess;
using testing::RunProcess;
using testing::Runfile;

// Per block: its totals as goDB recorded them.
using Blocks = std::map<int64_t, godb::Totals>;

Blocks ReadBlocks(const std::string& db) {
  Blocks blocks;
  godb::DbReader reader(db);
  std::vector<godb::ScanProblem> problems;
  absl::Status s = godb::ScanBlocks(
      reader, "eth0", 0, godb::kMaxBlockTime, godb::ColumnSet().Add(godb::Column::kProto),
      [&](const godb::BlockInfo& b, const godb::BlockColumns&) {
        EXPECT_EQ(blocks.count(b.time), 0u);
        blocks[b.time] = b.totals;
        return true;
      },
      &problems);
  EXPECT_TRUE(s.ok() || absl::IsNotFound(s)) << s;
  EXPECT_TRUE(problems.empty());
  return blocks;
}

void ExpectSameBlocks(const Blocks& got, const Blocks& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [time, totals] : want) {
    auto it = got.find(time);
    ASSERT_NE(it, got.end()) << "block " << time << " missing";
    EXPECT_EQ(it->second.traffic, totals.traffic) << "block " << time;
    EXPECT_EQ(it->second.flows_v4, totals.flows_v4) << "block " << time;
    EXPECT_EQ(it->second.flows_v6, totals.flows_v6) << "block " << time;
    EXPECT_EQ(it->second.capture, totals.capture) << "block " << time;
  }
}

class StoreRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unix socket paths must stay short; TEST_TMPDIR is too long for them.
    char tmpl[] = "/tmp/goprobe-restart.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = dir_ + "/store.sock";
    gostore_ = Runfile("services/store/gostore");
    goprobe_ = Runfile("services/probe/goprobe");
    capture_ = Runfile("tests/data/pcaps/goprobe__default.pcap.gz");
    // The reference: the same capture written by goprobe in-process.
    auto local = RunProcess({goprobe_, "--pcap", capture_, "--iface", "eth0", "--db",
                             dir_ + "/reference", "--host-id", "7"});
    ASSERT_TRUE(local.ok());
    ASSERT_EQ(local->exit_code, 0) << local->err;
    reference_ = ReadBlocks(dir_ + "/reference");
    ASSERT_GT(reference_.size(), 200u);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ChildProcess> StartStore() {
    auto store = ChildProcess::Start({gostore_, "--db", dir_ + "/store", "--listen",
                                      "unix:" + socket_, "--host-id", "7", "--log-level", "warn"},
                                     dir_ + "/gostore.log");
    EXPECT_TRUE(store.ok());
    EXPECT_TRUE((*store)->WaitForPath(socket_, absl::Seconds(20))) << (*store)->Log();
    return std::move(*store);
  }

  std::vector<std::string> Probe(const std::string& capture) {
    return {goprobe_, "--pcap", capture, "--iface", "eth0", "--store", "unix:" + socket_,
            "--spool", dir_ + "/spool", "--host-id", "7"};
  }

  std::string dir_, socket_, gostore_, goprobe_, capture_;
  Blocks reference_;
};

TEST_F(StoreRestartTest, StoreKilledRepeatedlyWhileBatchesFlowLosesNothing) {
  auto store = StartStore();
  auto probe = ChildProcess::Start(Probe(capture_), dir_ + "/goprobe.log");
  ASSERT_TRUE(probe.ok());
  std::mt19937 rng(1);
  int kills = 0;
  for (; kills < 5 && (*probe)->Running(); ++kills) {
    absl::SleepFor(absl::Milliseconds(40 + rng() % 120));
    store->Signal(SIGKILL);
    ASSERT_TRUE(store->Wait(absl::Seconds(10)).ok());
    std::filesystem::remove(socket_);  // a killed store leaves its socket behind
    absl::SleepFor(absl::Milliseconds(rng() % 100));
    store = StartStore();
  }
  auto exit_code = (*probe)->Wait(absl::Seconds(120));
  ASSERT_TRUE(exit_code.ok()) << (*probe)->Log();
  EXPECT_EQ(*exit_code, 0) << (*probe)->Log();
  EXPECT_GE(kills, 2) << "the probe finished before the store could be killed twice";
  store.reset();
  ExpectSameBlocks(ReadBlocks(dir_ + "/store"), reference_);
}

TEST_F(StoreRestartTest, ProbeKilledMidShippingResumesFromItsSpool) {
  // No store yet: everything stays in the spool.
  auto first = RunProcess({goprobe_, "--pcap", capture_, "--iface", "eth0", "--store",
                           "unix:" + socket_, "--spool", dir_ + "/spool", "--host-id", "7",
                           "--ship-timeout", "1"});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->exit_code, 1);
  EXPECT_NE(first->err.find("not acknowledged"), std::string::npos) << first->err;
  // The store comes up; a probe run is killed while it drains the spool.
  auto store = StartStore();
  const std::string empty = Runfile("tests/data/pcaps/tcpdump__empty.pcap");
  auto second = ChildProcess::Start(Probe(empty), dir_ + "/goprobe2.log");
  ASSERT_TRUE(second.ok());
  absl::SleepFor(absl::Milliseconds(150));
  (*second)->Signal(SIGKILL);
  ASSERT_TRUE((*second)->Wait(absl::Seconds(10)).ok());
  EXPECT_LT(ReadBlocks(dir_ + "/store").size(), reference_.size())
      << "the spool drained before the probe could be killed";
  // The next start ships what is left.
  auto third = RunProcess(Probe(empty));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->exit_code, 0) << third->err;
  store.reset();
  ExpectSameBlocks(ReadBlocks(dir_ + "/store"), reference_);
}

}  // namespace
}  // namespace goprobe
