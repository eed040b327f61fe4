// goconvert --store against a real gostore process: every block is
// acknowledged before goconvert exits 0, a block the store already has is
// kept (an error unless --skip-existing), a rejected block is named by file,
// lines and time with nothing of it written, and an unreachable store or one
// refusing the API key ends in one clear line instead of a hang.

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/loopback_port.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using testing::ChildProcess;
using ::testing::HasSubstr;
using testing::ProcessResult;
using testing::Runfile;
using testing::RunProcess;

constexpr char kKey[] = "goconvert-e2e-key-0123456789";
constexpr char kImported[] =
    "goconvert: 8 rows read, 8 written in 5 blocks (7 flows) on 2 interfaces\n";

class GoconvertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unix socket paths must be short; TEST_TMPDIR is not.
    char tmpl[] = "/tmp/goconvert-store.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // goconvert's temporary spool goes here, where the test can see it.
    ::setenv("TMPDIR", dir_.c_str(), 1);
    std::ofstream(dir_ + "/keys") << kKey << "\n";
    socket_ = dir_ + "/store.sock";
    tcp_port_ = testing::FreeLoopbackPort();
    tcp_ = absl::StrCat("127.0.0.1:", tcp_port_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // gostore for host 7; TCP clients must present kKey, unix ones are
  // trusted.
  void StartStore() {
    std::vector<std::string> args = {Runfile("services/store/gostore"),
                                     "--db", dir_ + "/db",
                                     "--listen", "unix:" + socket_,
                                     "--listen", tcp_,
                                     "--api-key-file", dir_ + "/keys",
                                     "--host-id", "7",
                                     "--hostname", "storehost",
                                     "--log-level", "warn",
                                     "--metrics-listen", ""};
    auto p = ChildProcess::Start(args, dir_ + "/gostore.log");
    ASSERT_TRUE(p.ok()) << p.status();
    store_ = std::move(*p);
    ASSERT_TRUE(store_->WaitForPath(socket_, absl::Seconds(30))) << store_->Log();
    ASSERT_TRUE(store_->WaitForTcpPort(tcp_port_, absl::Seconds(30))) << store_->Log();
  }
  ProcessResult Run(const std::string& binary, std::vector<std::string> args) {
    args.insert(args.begin(), Runfile(binary));
    auto r = RunProcess(args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : ProcessResult{};
  }
  ProcessResult Convert(const std::string& store, std::vector<std::string> extra) {
    std::vector<std::string> args = {"-i", csv_, "--store", store};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run("clients/goconvert/goconvert", args);
  }
  // What a goDB holds, as goquery prints every flow.
  std::string Flows(const std::string& db) {
    ProcessResult r = Run("clients/goquery/goquery", {"-d", db, "-f", "0", "-e", "csv", "raw"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  bool SpoolsLeft() {
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      if (e.path().filename().string().rfind("goconvert-spool.", 0) == 0) return true;
    }
    return false;
  }

  std::string dir_, socket_, tcp_;
  int tcp_port_ = 0;
  const std::string csv_ = Runfile("clients/testdata/flows.csv");
  std::unique_ptr<ChildProcess> store_;
};

TEST_F(GoconvertStoreTest, EveryBlockAcknowledgedBeforeExitZero) {
  StartStore();
  ProcessResult c = Convert(tcp_, {"--api-key-file", dir_ + "/keys", "--host-id", "7"});
  ASSERT_EQ(c.exit_code, 0) << c.err << store_->Log();
  EXPECT_EQ(c.out, kImported);
  EXPECT_EQ(c.err, "");
  EXPECT_FALSE(SpoolsLeft());
  // Durable once acknowledged: the store's goDB has all of it now, and says
  // what goconvert writing the directory itself would.
  const ProcessResult direct =
      Run("clients/goconvert/goconvert", {"-i", csv_, "-d", dir_ + "/direct"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  const std::string stored = Flows(dir_ + "/db");
  EXPECT_EQ(stored, Flows(dir_ + "/direct"));
  EXPECT_EQ(std::count(stored.begin(), stored.end(), '\n'), 1 + 7);

  // Again: the store keeps what it has; only --skip-existing makes that fine.
  c = Convert("unix:" + socket_, {"--host-id", "7"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr(absl::StrCat(csv_, ":5-7: block 2023-11-14T22:15:00Z (1700000100) "
                                            "of eth0 and 4 more blocks were already stored; the "
                                            "store kept what it had (--skip-existing skips such "
                                            "blocks)")));
  EXPECT_THAT(c.err, HasSubstr("goconvert: stopped: 8 rows read, 0 written in 0 blocks (0 flows) "
                               "on 0 interfaces; 5 stored blocks skipped (8 rows)"));
  c = Convert("unix:" + socket_, {"--host-id", "7", "--skip-existing"});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out,
            "goconvert: 8 rows read, 0 written in 0 blocks (0 flows) on 0 interfaces; 5 stored "
            "blocks skipped (8 rows)\n");
  EXPECT_FALSE(SpoolsLeft());
}

TEST_F(GoconvertStoreTest, RejectedBlocksNameFileLinesAndTimeAndWriteNothing) {
  StartStore();
  // Host 8's flows offered to host 7's store.
  ProcessResult c = Convert("unix:" + socket_, {"--host-id", "8", "--hostname", "elsewhere"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.out, "");
  EXPECT_THAT(c.err, HasSubstr(absl::StrCat(
                         "goconvert: ", csv_,
                         ":5-7: block 2023-11-14T22:15:00Z (1700000100) of eth0: rejected by the "
                         "store: this store holds the flows of host storehost (id 7), not of "
                         "elsewhere (id 8)\n")));
  EXPECT_THAT(c.err, HasSubstr(absl::StrCat(
                         "goconvert: ", csv_,
                         ":10-11: block 2023-11-14T22:20:00Z (1700000400) of eth1: rejected")));
  EXPECT_THAT(c.err, HasSubstr("goconvert: stopped: 8 rows read, 0 written in 0 blocks (0 flows) "
                               "on 0 interfaces; 8 rows not written\n"));
  ProcessResult list = Run("clients/goquery/goquery", {"-d", dir_ + "/db", "list", "-e", "csv"});
  EXPECT_EQ(list.out.find("eth"), std::string::npos) << list.out;
}

TEST_F(GoconvertStoreTest, UnreachableOrRefusingStoreEndsInOneLine) {
  ProcessResult c = Convert("unix:" + socket_, {"--host-id", "7", "--store-timeout", "1"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr(absl::StrCat("goconvert: store unix:", socket_,
                                            " acknowledged nothing for 1s")));
  EXPECT_THAT(c.err, HasSubstr("; 5 blocks not stored"));

  StartStore();
  c = Convert(tcp_, {"--host-id", "7", "--store-timeout", "2"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_THAT(c.err, HasSubstr("acknowledged nothing for 2s"));
  EXPECT_THAT(c.err, HasSubstr("code 16"));  // UNAUTHENTICATED
  ProcessResult list = Run("clients/goquery/goquery", {"-d", dir_ + "/db", "list", "-e", "csv"});
  EXPECT_EQ(list.out.find("eth"), std::string::npos) << list.out;

  // Usage mistakes are caught before any work.
  c = Convert(tcp_, {"--host-id", "7", "-d", dir_ + "/x"});
  EXPECT_EQ(c.exit_code, 2);
  c = Run("clients/goconvert/goconvert", {"-i", csv_, "--api-key-file", dir_ + "/keys"});
  EXPECT_EQ(c.exit_code, 2);
}

}  // namespace
}  // namespace goprobe
