#ifndef GOPROBE_TESTS_FAULTS_FAULT_TEST_SUPPORT_H_
#define GOPROBE_TESTS_FAULTS_FAULT_TEST_SUPPORT_H_

// What the fault tests share: a scratch directory short enough for unix
// sockets, services started and awaited, goquery's JSON answer, and the
// blocks of a goDB as goDB records them.

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "nlohmann/json.hpp"
#include "tests/harness/subprocess.h"

namespace goprobe::faults {

// A fresh directory under /tmp (TEST_TMPDIR is too long for unix socket
// paths), removed with everything in it.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    std::string tmpl = "/tmp/goprobe-" + name + ".XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(path_.empty());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Starts a service and waits for the unix socket it listens on.
inline std::unique_ptr<testing::ChildProcess> StartService(const std::vector<std::string>& argv,
                                                           const std::string& socket) {
  auto p = testing::ChildProcess::Start(argv, socket + ".log");
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return nullptr;
  EXPECT_TRUE((*p)->WaitForPath(socket, absl::Seconds(30))) << (*p)->Log();
  return std::move(*p);
}

// A goqueryd leaf over `db` listening on unix:`socket`, as host `host_id`
// named `hostname`.
inline std::unique_ptr<testing::ChildProcess> StartLeaf(const std::string& db,
                                                        const std::string& socket,
                                                        int host_id,
                                                        const std::string& hostname) {
  return StartService({testing::Runfile("services/query/goqueryd"), "--db", db, "--listen",
                       "unix:" + socket, "--host-id", std::to_string(host_id), "--hostname",
                       hostname, "--log-level", "warn", "--metrics-listen", ""},
                      socket);
}

struct JsonAnswer {
  int exit_code = -1;
  std::string err;
  nlohmann::json doc;
};

// goquery --server `server` -e json `args...`, parsed.
inline JsonAnswer GoqueryJson(const std::string& server, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::Runfile("clients/goquery/goquery"), "--server", server,
                                   "-e", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  JsonAnswer a;
  auto r = testing::RunProcess(argv);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return a;
  a.exit_code = r->exit_code;
  a.err = r->err;
  a.doc = nlohmann::json::parse(r->out, nullptr, /*allow_exceptions=*/false);
  return a;
}

// Per block time: the totals goDB recorded for it.
using StoredBlocks = std::map<int64_t, godb::Totals>;

// Every readable block of `iface` in [first, last]; damage is reported in
// *problems (or fails the test when problems is null).
inline StoredBlocks ReadStoredBlocks(const std::string& db, const std::string& iface,
                                     std::vector<godb::ScanProblem>* problems = nullptr,
                                     int64_t first = 0, int64_t last = godb::kMaxBlockTime) {
  StoredBlocks blocks;
  std::vector<godb::ScanProblem> local;
  godb::DbReader reader(db);
  absl::Status s = godb::ScanBlocks(
      reader, iface, first, last, godb::ColumnSet().Add(godb::Column::kProto),
      [&](const godb::BlockInfo& b, const godb::BlockColumns&) {
        blocks[b.time] = b.totals;
        return true;
      },
      problems != nullptr ? problems : &local);
  EXPECT_TRUE(s.ok() || absl::IsNotFound(s)) << s;
  for (const godb::ScanProblem& p : local) ADD_FAILURE() << p.where << ": " << p.status;
  return blocks;
}

// Sums of the traffic counters of `blocks`.
inline flow::Counters SumTraffic(const StoredBlocks& blocks) {
  flow::Counters sum;
  for (const auto& [time, totals] : blocks) sum += totals.traffic;
  return sum;
}

// The "totals" of goquery's JSON summary.
inline flow::Counters JsonTotals(const nlohmann::json& doc) {
  const nlohmann::json& t = doc["summary"]["totals"];
  flow::Counters c;
  c.bytes_rcvd = t.value("br", uint64_t{0});
  c.bytes_sent = t.value("bs", uint64_t{0});
  c.pkts_rcvd = t.value("pr", uint64_t{0});
  c.pkts_sent = t.value("ps", uint64_t{0});
  return c;
}

}  // namespace goprobe::faults

#endif  // GOPROBE_TESTS_FAULTS_FAULT_TEST_SUPPORT_H_
