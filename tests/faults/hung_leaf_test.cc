// A leaf that stops answering: a real goqueryd leaf frozen with SIGSTOP, and
// a socket that accepts connections and never speaks. The root answers
// within its per-host timeout with the healthy leaf's data and reports the
// hung one's timeout; a leaf that thaws answers again.

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/random_rows_for_test.h"
#include "tests/faults/fault_test_support.h"
#include "tests/harness/subprocess.h"

namespace goprobe::faults {
namespace {

using testing::ChildProcess;
using testing::Runfile;

constexpr int64_t kT0 = 1700000100;
constexpr int kHostTimeoutSeconds = 2;

class HungLeafTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int host = 1; host <= 2; ++host) {
      const std::string db = absl::StrCat(dir_.path(), "/db", host);
      auto writer = godb::DbWriter::Open(db);
      ASSERT_TRUE(writer.ok());
      for (int b = 0; b < 4; ++b) {
        ASSERT_TRUE((*writer)
                        ->WriteBlock("eth0", kT0 + 300 * b, godb::RandomRows(200, 0.3, uint32_t(host * 10 + b)), {})
                        .ok());
      }
      totals_.push_back(SumTraffic(ReadStoredBlocks(db, "eth0")));
      const std::string sock = absl::StrCat(dir_.path(), "/leaf", host, ".sock");
      leaves_.push_back(StartLeaf(db, sock, host, absl::StrCat("leaf", host)));
      ASSERT_NE(leaves_.back(), nullptr);
      leaf_addresses_.push_back("unix:" + sock);
    }
  }
  void TearDown() override {
    for (auto& leaf : leaves_) {
      if (leaf != nullptr) leaf->Signal(SIGCONT);
    }
  }

  std::unique_ptr<ChildProcess> StartRoot(const std::string& name, const std::string& peers) {
    const std::string sock = absl::StrCat(dir_.path(), "/", name, ".sock");
    root_address_ = "unix:" + sock;
    return StartService({Runfile("services/query/goqueryd"), "--peers", peers, "--listen",
                         "unix:" + sock, "--host-id", "10", "--host-timeout",
                         std::to_string(kHostTimeoutSeconds), "--log-level", "warn",
                         "--metrics-listen", ""},
                        sock);
  }

  // Asks the root; checks it answered in time with leaf1's data only, and
  // returns the status it gave for the other host.
  nlohmann::json AskExpectingOnlyLeaf1(const std::string& hung_key) {
    const absl::Time start = absl::Now();
    JsonAnswer a = GoqueryJson(root_address_, {"-f", std::to_string(kT0 - 300), "sip,dip"});
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_GE(took, absl::Seconds(kHostTimeoutSeconds) - absl::Milliseconds(100));
    EXPECT_LT(took, absl::Seconds(kHostTimeoutSeconds + 4)) << "the root waited for the hung leaf";
    EXPECT_EQ(JsonTotals(a.doc), totals_[0]) << a.doc.dump();
    const nlohmann::json& hosts = a.doc["hosts_statuses"];
    EXPECT_EQ(hosts["leaf1"]["code"], "ok") << a.doc.dump();
    EXPECT_TRUE(hosts.contains(hung_key)) << a.doc.dump();
    return hosts.contains(hung_key) ? hosts[hung_key] : nlohmann::json();
  }

  ScratchDir dir_{"hungleaf"};
  std::string root_address_;
  std::vector<std::unique_ptr<ChildProcess>> leaves_;
  std::vector<std::string> leaf_addresses_;
  std::vector<flow::Counters> totals_;
};

TEST_F(HungLeafTest, AStoppedLeafTimesOutAndAnswersAgainOnceResumed) {
  auto root = StartRoot("root", leaf_addresses_[0] + "," + leaf_addresses_[1]);
  ASSERT_NE(root, nullptr);
  leaves_[1]->Signal(SIGSTOP);
  // A leaf that never answered is known by its address.
  const nlohmann::json hung = AskExpectingOnlyLeaf1(leaf_addresses_[1]);
  EXPECT_EQ(hung.value("code", ""), "error") << hung.dump();
  EXPECT_EQ(hung.value("message", ""), absl::StrCat("no answer within ", kHostTimeoutSeconds, "s"))
      << hung.dump();
  EXPECT_TRUE(root->Running()) << root->Log();

  leaves_[1]->Signal(SIGCONT);
  JsonAnswer both = GoqueryJson(root_address_, {"-f", std::to_string(kT0 - 300), "sip,dip"});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  flow::Counters sum = totals_[0];
  sum += totals_[1];
  EXPECT_EQ(JsonTotals(both.doc), sum) << both.doc.dump();
  EXPECT_EQ(both.doc["hosts_statuses"]["leaf2"]["code"], "ok") << both.doc.dump();
}

TEST_F(HungLeafTest, ALeafThatAcceptsAndNeverSpeaksTimesOut) {
  // The kernel completes connections to a listening socket on its own; no
  // one ever reads from them.
  const std::string mute = dir_.path() + "/mute.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(mute.size(), sizeof(addr.sun_path));
  std::copy(mute.begin(), mute.end(), addr.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 64), 0);

  auto root = StartRoot("root-mute", leaf_addresses_[0] + ",unix:" + mute);
  ASSERT_NE(root, nullptr);
  const nlohmann::json hung = AskExpectingOnlyLeaf1("unix:" + mute);
  EXPECT_EQ(hung.value("code", ""), "error") << hung.dump();
  EXPECT_FALSE(hung.value("message", "").empty()) << hung.dump();
  ::close(fd);
}

}  // namespace
}  // namespace goprobe::faults
