// goquery as a person uses it: typed into a bash in a tmux pane, the screen
// read back with capture-pane. A table with its headers, units, totals and
// footer; the progress line a long query draws on the terminal, and its
// disappearance before the result; a condition error with the caret under
// the fault. And --live reaching the server through the real flag parsing.

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/goquery/fixture_db_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"
#include "tests/terminal/paced_query_server.h"

namespace goprobe {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunProcess;
using testing::Runfile;

// A tmux server of the test's own (its socket in a fresh directory) with
// one bash pane in `dir`, wide enough for goquery's table, with dir/bin
// first on its PATH.
class Terminal {
 public:
  explicit Terminal(const std::string& dir) : socket_(dir + "/tmux.sock") {
    Tmux({"-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "200", "-y", "50", "-c", dir,
          "env -i PATH=" + dir + "/bin:/usr/bin:/bin HOME=" + dir +
              " TERM=screen TZ=UTC LANG=C.UTF-8 bash --norc --noprofile"});
    Type("PS1='$ '; clear");
  }
  ~Terminal() { Tmux({"kill-server"}); }

  // Types `line` and Enter.
  void Type(const std::string& line) {
    Tmux({"send-keys", "-t", "t", "-l", line});
    Tmux({"send-keys", "-t", "t", "Enter"});
  }
  std::string Screen() { return Tmux({"capture-pane", "-p", "-t", "t"}); }
  // Polls the screen until `done` holds; the last screen either way.
  template <typename Pred>
  std::string WaitFor(Pred done, const std::string& what,
                      absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string screen;
    while (absl::Now() < deadline) {
      screen = Screen();
      if (done(screen)) return screen;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "waited in vain for " << what << "; the screen:\n" << screen;
    return screen;
  }

 private:
  std::string Tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/tmux", "-S", socket_});
    auto r = RunProcess(args);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << absl::StrJoin(args, " ") << ": " << r->err;
    return r->out;
  }
  const std::string socket_;
};

// The screen's lines, without trailing blanks.
std::vector<std::string> Lines(const std::string& screen) {
  std::vector<std::string> lines = absl::StrSplit(screen, '\n');
  for (std::string& l : lines) l = std::string(absl::StripTrailingAsciiWhitespace(l));
  return lines;
}

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmux's socket path must be short; TEST_TMPDIR is not.
    char tmpl[] = "/tmp/goquery-tty.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = dir_ + "/db";
    goquery::WriteFixtureDb(db_);
    if (!std::filesystem::exists("/usr/bin/tmux")) GTEST_SKIP() << "no /usr/bin/tmux";
    // Installed, as far as the shell can tell.
    std::filesystem::create_directory(dir_ + "/bin");
    std::filesystem::create_symlink(Runfile("clients/goquery/goquery"), dir_ + "/bin/goquery");
    terminal_ = std::make_unique<Terminal>(dir_);
    terminal_->WaitFor([](const std::string& s) { return absl::StrContains(s, "$"); }, "a prompt");
  }
  void TearDown() override {
    terminal_.reset();
    // The tmux server removes its socket as it exits, after kill-server.
    std::error_code ec;
    for (int i = 0; i < 50 && std::filesystem::remove_all(dir_, ec) == uintmax_t(-1); ++i) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  std::string dir_, db_;
  std::unique_ptr<Terminal> terminal_;
};

TEST_F(TerminalTest, TableWithHeadersUnitsTotalsAndFooter) {
  terminal_->Type("goquery -d db -f 1700000000 -l 1700001000 -n 2 talk_conv");
  const std::string screen = terminal_->WaitFor(
      [](const std::string& s) { return absl::StrContains(s, "Query stats"); }, "the table");
  const std::vector<std::string> lines = Lines(screen);
  // Two right-aligned header rows, then the rows, the cut, the totals.
  auto at = std::find_if(lines.begin(), lines.end(),
                         [](const std::string& l) { return absl::StrContains(l, "packets"); });
  ASSERT_NE(at, lines.end()) << screen;
  EXPECT_THAT(*at, HasSubstr("packets  packets             bytes      bytes"));
  EXPECT_THAT(*(at + 1), HasSubstr("sip           dip       in      out      %         in"));
  EXPECT_THAT(*(at + 2), HasSubstr("10.0.0.1  192.168.1.10  15.00    52.00    77.01    1.95 kB   63.48 kB  96.08"));
  EXPECT_THAT(*(at + 3), HasSubstr("10.0.0.2  192.168.1.10   4.00     5.00    10.34  800.00  B  900.00  B   2.44"));
  EXPECT_THAT(*(at + 4), HasSubstr("...      ...               ...        ..."));
  EXPECT_THAT(*(at + 5), HasSubstr("24.00    63.00             3.34 kB   64.75 kB"));
  EXPECT_THAT(screen, HasSubstr("Totals:                         87.00                       68.10 kB"));
  EXPECT_THAT(screen, HasSubstr(
      "Timespan / Interface : [2023-11-14 22:15:00, 2023-11-14 22:25:00] / eth0,eth1"));
  EXPECT_THAT(screen,
              HasSubstr("Sorted by            : accumulated data volume (sent and received)"));
  EXPECT_THAT(screen, ContainsRegex(
      "Query stats          : 6 hits in [^ ]+ \\(top 2 displayed\\)"));
}

TEST_F(TerminalTest, ProgressWhileALongQueryRunsThenTheResult) {
  testing::PacedQueryServer server(absl::Seconds(4), absl::Milliseconds(100));
  terminal_->Type("goquery --server " + server.address() + " -f 1700000000 sip");
  // goquery stays quiet for a second, then draws the line in place.
  const std::string during = terminal_->WaitFor(
      [](const std::string& s) { return absl::StrContains(s, " blocks ("); }, "progress");
  EXPECT_THAT(during, ContainsRegex(
                          "goquery: [0-9.]+ k? ?of 4.03 k blocks \\([0-9]+%\\), [0-9.]+ [kM]? ?rows, [0-9.]+s"));
  EXPECT_THAT(during, Not(HasSubstr("Query stats")));
  const std::string after = terminal_->WaitFor(
      [](const std::string& s) { return absl::StrContains(s, "Query stats"); }, "the result");
  // The line is wiped before the table is printed.
  EXPECT_THAT(after, Not(HasSubstr(" blocks (")));
  EXPECT_THAT(after, HasSubstr("10.1.2.3"));
  EXPECT_THAT(after, HasSubstr("1.43 MB"));
}

TEST_F(TerminalTest, ConditionErrorWithACaretUnderTheFault) {
  const std::string condition = "dport = 443 and sip = foo";
  terminal_->Type("goquery -d db -c '" + condition + "' sip; echo \"exit=$?\"");
  const std::string screen = terminal_->WaitFor(
      [](const std::string& s) { return absl::StrContains(s, "\nexit="); }, "the error");
  const std::vector<std::string> lines = Lines(screen);
  auto at = std::find(lines.begin(), lines.end(), condition);
  ASSERT_NE(at, lines.end()) << screen;
  ASSERT_NE(at + 1, lines.end());
  EXPECT_EQ(*(at + 1), std::string(condition.find("foo"), ' ') + "^") << screen;
  EXPECT_THAT(screen, HasSubstr("goquery: condition: position 22: expected an IP address after "
                                "\"sip =\", found \"foo\""));
  EXPECT_THAT(screen, HasSubstr("exit=2"));
}

// --live as typed reaches the server's request; -d refuses it.
TEST(LiveFlagTest, ReachesTheServerAndIsRefusedInProcess) {
  testing::PacedQueryServer server(absl::ZeroDuration(), absl::Milliseconds(1));
  const std::string goquery = Runfile("clients/goquery/goquery");
  auto r = RunProcess({goquery, "--server", server.address(), "--live", "-f", "-1h", "sip"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_TRUE(server.last_request().live());
  r = RunProcess({goquery, "--server", server.address(), "-f", "-1h", "sip"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_FALSE(server.last_request().live());

  r = RunProcess({goquery, "-d", "/nonexistent", "--live", "sip"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_THAT(r->err, HasSubstr("--live needs a goqueryd (--server ADDR)"));
}

}  // namespace
}  // namespace goprobe
