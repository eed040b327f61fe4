// The store's disk fills while goprobe ships to it: gostore refuses the
// batch it cannot make durable (a clear status, no partial block visible),
// goprobe keeps what was refused in its spool, every block stored before is
// intact, and once space is freed the rest arrives: the store then holds
// exactly what the probe produced.
//
// gostore's database is on a tmpfs this test mounts (and unmounts); the
// probe's spool is on another filesystem. Without permission to mount the
// test is skipped.

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/retention.h"
#include "tests/faults/fault_test_support.h"
#include "tests/harness/subprocess.h"

namespace goprobe::faults {
namespace {

using testing::ChildProcess;
using testing::RunProcess;
using testing::Runfile;

// Batch files in goprobe's spool (lib/ship/batch_spool.h: <sequence>.batch).
size_t SpooledBatches(const std::string& spool) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(spool, ec)) {
    n += e.path().extension() == ".batch";
  }
  return n;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = dir_.path() + "/store-fs";
    std::filesystem::create_directories(fs_);
    // Small enough to fill, big enough for gostore to start.
    if (::mount("tmpfs", fs_.c_str(), "tmpfs", 0, "size=64k") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs for the store's database (" << std::strerror(errno)
                   << "): this test needs root outside a sandbox";
    }
    mounted_ = true;
    goprobe_ = Runfile("services/probe/goprobe");
    capture_ = Runfile("tests/data/pcaps/goprobe__default.pcap.gz");
    auto local = RunProcess({goprobe_, "--pcap", capture_, "--iface", "eth0", "--db",
                             dir_.path() + "/reference", "--host-id", "7"});
    ASSERT_TRUE(local.ok());
    ASSERT_EQ(local->exit_code, 0) << local->err;
    reference_ = ReadStoredBlocks(dir_.path() + "/reference", "eth0");
    ASSERT_GT(reference_.size(), 200u);
    auto days = godb::ListStoredDays(godb::DbReader(dir_.path() + "/reference"));
    ASSERT_TRUE(days.ok());
    for (const godb::StoredDay& d : *days) reference_bytes_ += d.bytes;
  }
  void TearDown() override {
    store_.reset();
    if (mounted_) {
      EXPECT_EQ(::umount2(fs_.c_str(), MNT_DETACH), 0) << std::strerror(errno);
    }
  }

  // Room for about `fraction` of what the whole capture takes.
  void ResizeStoreFs(double fraction) {
    const uint64_t bytes = uint64_t(double(reference_bytes_) * fraction) / 4096 * 4096 + 4096;
    ASSERT_EQ(::mount("tmpfs", fs_.c_str(), "tmpfs", MS_REMOUNT,
                      absl::StrCat("size=", bytes).c_str()),
              0)
        << std::strerror(errno);
  }

  std::vector<std::string> Probe(const std::string& capture, int ship_timeout_s) {
    return {goprobe_,  "--pcap",  capture, "--iface", "eth0",
            "--store", "unix:" + socket_, "--spool", dir_.path() + "/spool",
            "--host-id", "7", "--ship-timeout", std::to_string(ship_timeout_s)};
  }

  ScratchDir dir_{"diskfull"};
  std::string fs_, socket_ = dir_.path() + "/store.sock", goprobe_, capture_;
  bool mounted_ = false;
  StoredBlocks reference_;
  uint64_t reference_bytes_ = 0;
  std::unique_ptr<ChildProcess> store_;
};

TEST_F(DiskFullTest, RefusedBatchesStayInTheSpoolAndArriveOnceThereIsSpace) {
  ResizeStoreFs(0.4);
  store_ = StartService({Runfile("services/store/gostore"), "--db", fs_ + "/db", "--listen",
                         "unix:" + socket_, "--host-id", "7", "--log-level", "warn",
                         "--metrics-listen", ""},
                        socket_);
  ASSERT_NE(store_, nullptr);

  // The disk fills part way: the probe gives up waiting with batches left.
  auto first = RunProcess(Probe(capture_, 8));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->exit_code, 1) << first->out << first->err;
  EXPECT_NE(first->err.find("not acknowledged"), std::string::npos) << first->err;
  EXPECT_NE(first->err.find("No space left on device"), std::string::npos) << first->err;
  EXPECT_GT(SpooledBatches(dir_.path() + "/spool"), 0u);
  EXPECT_TRUE(store_->Running()) << store_->Log();

  // What was stored is whole and correct, and no partial block shows.
  const StoredBlocks stored = ReadStoredBlocks(fs_ + "/db", "eth0");
  EXPECT_GT(stored.size(), 10u) << "the disk filled before anything was stored";
  EXPECT_LT(stored.size(), reference_.size()) << "the disk never filled";
  for (const auto& [time, totals] : stored) {
    auto it = reference_.find(time);
    ASSERT_NE(it, reference_.end()) << "block " << time << " was never sent";
    EXPECT_EQ(totals, it->second) << "block " << time;
  }

  // Space returns; the next probe run (with nothing new to capture) ships
  // the spool, and the store takes it without a restart.
  ResizeStoreFs(3);
  auto second = RunProcess(Probe(Runfile("tests/data/pcaps/tcpdump__empty.pcap"), 120));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->exit_code, 0) << second->err;
  EXPECT_EQ(SpooledBatches(dir_.path() + "/spool"), 0u);
  const StoredBlocks all = ReadStoredBlocks(fs_ + "/db", "eth0");
  ASSERT_EQ(all.size(), reference_.size());
  for (const auto& [time, totals] : reference_) {
    auto it = all.find(time);
    ASSERT_NE(it, all.end()) << "block " << time << " missing";
    EXPECT_EQ(it->second, totals) << "block " << time;
  }
  const flow::Counters sent = SumTraffic(reference_), got = SumTraffic(all);
  EXPECT_EQ(got, sent);
}

}  // namespace
}  // namespace goprobe::faults
