#include "services/probe/capture_manager.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records what happened to each fake capture.
class FakeCapture;
struct Log {
  std::map<std::string, int> starts, stops;
  std::map<std::string, FakeCapture*> handles;  // the latest of each name
};

class FakeCapture : public CaptureHandle {
 public:
  FakeCapture(std::string name, Log* log) : name_(std::move(name)), log_(log) {
    log_->handles[name_] = this;
  }
  void Stop() override {
    if (!stopped_) ++log_->stops[name_];
    stopped_ = true;
  }
  absl::Status failure() const override {
    return failed_ ? absl::UnavailableError("interface gone") : absl::OkStatus();
  }
  void Query(std::shared_ptr<CaptureQuery> query) override {
    query->Answer(CaptureSnapshot{});
  }
  bool failed_ = false;

 private:
  std::string name_;
  Log* log_;
  bool stopped_ = false;
};

ResolvedInterface Itf(const std::string& name, bool promisc = false) {
  ResolvedInterface r{name, CaptureSettings()};
  r.settings.promisc = promisc;
  return r;
}

TEST(CaptureManagerTest, ReloadTouchesOnlyWhatChanged) {
  Log log;
  CaptureManager m([&log](const ResolvedInterface& itf)
                       -> absl::StatusOr<std::unique_ptr<CaptureHandle>> {
    if (itf.name == "bad0") return absl::NotFoundError("interface bad0: no such device");
    ++log.starts[itf.name];
    return std::unique_ptr<CaptureHandle>(new FakeCapture(itf.name, &log));
  });
  CaptureManager::Changes c = m.Apply({Itf("eth0"), Itf("eth1"), Itf("eth2"), Itf("bad0")});
  EXPECT_THAT(c.started, ElementsAre("eth0", "eth1", "eth2"));
  ASSERT_EQ(c.failed.size(), 1u);
  EXPECT_EQ(c.failed[0].code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(m.running(), ElementsAre("eth0", "eth1", "eth2"));
  std::vector<CaptureManager::Entry> entries = m.Entries();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "bad0");
  EXPECT_EQ(entries[0].capture, nullptr);
  EXPECT_EQ(entries[0].status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(entries[1].name, "eth0");
  EXPECT_EQ(entries[1].capture, log.handles["eth0"]);
  EXPECT_TRUE(entries[1].status.ok());

  // eth0 unchanged, eth1 changed, eth2 gone, eth3 new.
  c = m.Apply({Itf("eth0"), Itf("eth1", true), Itf("eth3")});
  EXPECT_THAT(c.unchanged, ElementsAre("eth0"));
  EXPECT_THAT(c.restarted, ElementsAre("eth1"));
  EXPECT_THAT(c.stopped, ElementsAre("eth2"));
  EXPECT_THAT(c.started, ElementsAre("eth3"));
  EXPECT_THAT(c.failed, IsEmpty());
  EXPECT_EQ(log.starts["eth0"], 1);
  EXPECT_EQ(log.stops["eth0"], 0);
  EXPECT_EQ(log.starts["eth1"], 2);
  EXPECT_EQ(log.stops["eth1"], 1);
  EXPECT_EQ(log.stops["eth2"], 1);
  EXPECT_THAT(m.running(), ElementsAre("eth0", "eth1", "eth3"));

  // bad0 is no longer wanted: no longer reported.
  EXPECT_EQ(m.Entries().size(), 3u);

  // A capture that failed on its own reports why, and is started again by
  // the next Apply.
  log.handles["eth3"]->failed_ = true;
  EXPECT_EQ(m.Entries()[2].status.code(), absl::StatusCode::kUnavailable);
  c = m.Apply({Itf("eth0"), Itf("eth1", true), Itf("eth3")});
  EXPECT_THAT(c.unchanged, ElementsAre("eth0", "eth1"));
  EXPECT_THAT(c.restarted, ElementsAre("eth3"));
  EXPECT_EQ(log.starts["eth3"], 2);

  m.StopAll();
  EXPECT_THAT(m.running(), IsEmpty());
  EXPECT_EQ(log.stops["eth0"], 1);
  EXPECT_EQ(log.stops["eth3"], 2);
}

}  // namespace
}  // namespace goprobe::probe
