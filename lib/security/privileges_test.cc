// Privileges are dropped in a forked child (the test process keeps its own),
// which reports what it finds in /proc/thread-self/status and what it can
// still do. Needs root, as goprobe does; skipped otherwise.

#include "lib/security/privileges.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::security {
namespace {

using ::testing::HasSubstr;

// Runs `body` in a forked child; returns what it wrote (empty: all checks
// passed) or a note that it crashed.
std::string InChild(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const std::string out = body();
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += " (child did not exit cleanly)";
  return out;
}

std::string CheckCaptureOnlySets() {
  absl::StatusOr<CapabilitySets> sets = ReadCapabilities();
  if (!sets.ok()) return std::string(sets.status().message());
  const uint64_t want = (uint64_t{1} << CAP_NET_RAW) | (uint64_t{1} << CAP_NET_ADMIN);
  std::string out;
  const auto expect = [&out](const char* name, uint64_t got, uint64_t wanted) {
    if (got != wanted) absl::StrAppend(&out, name, " ", absl::Hex(got), " want ", absl::Hex(wanted), "; ");
  };
  expect("CapEff", sets->effective, want);
  expect("CapPrm", sets->permitted, want);
  expect("CapBnd", sets->bounding, want);
  expect("CapInh", sets->inheritable, 0);
  expect("CapAmb", sets->ambient, 0);
  // CAP_NET_RAW still works: a packet socket opens, as a capture reopens.
  const int raw = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (raw < 0) absl::StrAppend(&out, "AF_PACKET socket: ", std::strerror(errno), "; ");
  else ::close(raw);
  std::ifstream no_new_privs("/proc/thread-self/status");
  std::string line;
  bool nnp = false;
  while (std::getline(no_new_privs, line)) nnp |= line == "NoNewPrivs:\t1";
  if (!nnp) absl::StrAppend(&out, "NoNewPrivs not set; ");
  return out;
}

class PrivilegesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, as goprobe has";
    const char* dir = std::getenv("TEST_TMPDIR");
    dir_ = dir != nullptr ? dir : "/tmp";
  }
  std::string dir_;
};

TEST_F(PrivilegesTest, AsRootKeepsOnlyCaptureCapabilities) {
  const std::string file = dir_ + "/owned";
  std::ofstream(file) << "x";
  EXPECT_EQ(InChild([&] {
              absl::Status s = DropPrivileges(CaptureOnly());
              if (!s.ok()) return std::string(s.message());
              std::string out = CheckCaptureOnlySets();
              // CAP_CHOWN is gone, even for uid 0.
              if (::chown(file.c_str(), 4242, 4242) == 0) out += "chown still allowed; ";
              if (::getuid() != 0) out += "uid changed; ";
              return out;
            }),
            "");
}

TEST_F(PrivilegesTest, BecomesAnotherUserKeepingCaptureCapabilities) {
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  const std::string secret = dir_ + "/secret";
  std::ofstream(secret) << "root only";
  ::chmod(secret.c_str(), 0600);
  EXPECT_EQ(InChild([&] {
              absl::Status s = DropPrivileges(CaptureOnly("nobody"));
              if (!s.ok()) return std::string(s.message());
              std::string out = CheckCaptureOnlySets();
              uid_t r, e, saved;
              ::getresuid(&r, &e, &saved);
              if (r != uid || e != uid || saved != uid) out += "uids not all nobody; ";
              gid_t gr, ge, gs;
              ::getresgid(&gr, &ge, &gs);
              if (gr != gid || ge != gid || gs != gid) out += "gids not all nobody's; ";
              gid_t groups[8];
              const int n = ::getgroups(8, groups);
              if (n != 1 || groups[0] != gid) out += "supplementary groups kept; ";
              // No CAP_DAC_OVERRIDE: a root-only file stays closed.
              if (::open(secret.c_str(), O_RDONLY) >= 0) out += "root-only file readable; ";
              // And no way back to root.
              if (::setuid(0) == 0) out += "setuid(0) succeeded; ";
              return out;
            }),
            "");
}

TEST_F(PrivilegesTest, RefusesWithThreadsRunningAndUnknownUsers) {
  EXPECT_EQ(InChild([] {
              std::string out;
              absl::Status s = DropPrivileges(CaptureOnly("no-such-user-goprobe"));
              if (!absl::IsNotFound(s) || s.message() != "no user named no-such-user-goprobe") {
                out += "user: " + s.ToString() + "; ";
              }
              bool stop = false;
              std::thread t([&stop] {
                while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) ::usleep(1000);
              });
              s = DropPrivileges(CaptureOnly());
              __atomic_store_n(&stop, true, __ATOMIC_RELEASE);
              t.join();
              if (!absl::IsFailedPrecondition(s) ||
                  std::string(s.message()).find("the process has 2 threads") == std::string::npos) {
                out += "threads: " + s.ToString() + "; ";
              }
              // Neither refusal changed anything.
              absl::StatusOr<CapabilitySets> sets = ReadCapabilities();
              if (!sets.ok() || sets->bounding == CapabilityMask({CAP_NET_RAW, CAP_NET_ADMIN})) {
                out += "bounding set changed by a refused drop; ";
              }
              return out;
            }),
            "");
}

TEST(CapabilityMaskTest, Bits) {
  EXPECT_EQ(CapabilityMask({CAP_NET_RAW, CAP_NET_ADMIN}), (uint64_t{1} << 13) | (uint64_t{1} << 12));
  EXPECT_EQ(CapabilityMask({}), 0u);
}

}  // namespace
}  // namespace goprobe::security
