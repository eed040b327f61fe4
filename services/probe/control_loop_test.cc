#include "services/probe/control_loop.h"

#include <signal.h>

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

TEST(ControlLoopTest, RunsPostedTasksOnTheWaitingThreadAndTakesSignals) {
  absl::StatusOr<std::unique_ptr<ControlLoop>> loop = ControlLoop::Create({SIGUSR1});
  ASSERT_TRUE(loop.ok()) << loop.status();
  const std::thread::id self = std::this_thread::get_id();
  std::atomic<int> ran{0};
  std::thread poster([&] {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*loop)->Post([&] {
        EXPECT_EQ(std::this_thread::get_id(), self);
        ++ran;
      }));
    }
  });
  poster.join();
  // Tasks do not end the wait; the time running out does.
  EXPECT_EQ((*loop)->Wait(absl::Milliseconds(50)), 0);
  EXPECT_EQ(ran.load(), 3);
  // A signal to the process is taken by the loop, not delivered.
  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  EXPECT_EQ((*loop)->Wait(absl::Seconds(10)), SIGUSR1);
}

TEST(ControlLoopTest, AWaitingLoopRunsATaskAtOnce) {
  absl::StatusOr<std::unique_ptr<ControlLoop>> loop = ControlLoop::Create({SIGUSR2});
  ASSERT_TRUE(loop.ok());
  std::atomic<bool> ran{false};
  absl::Duration latency;
  std::thread poster([&] {
    absl::SleepFor(absl::Milliseconds(50));  // the loop is waiting by now
    const absl::Time posted = absl::Now();
    (*loop)->Post([&] { ran = true; });
    while (!ran) absl::SleepFor(absl::Milliseconds(1));
    latency = absl::Now() - posted;
    ::kill(::getpid(), SIGUSR2);  // ends the wait
  });
  EXPECT_EQ((*loop)->Wait(absl::Seconds(60)), SIGUSR2);
  poster.join();
  EXPECT_LT(latency, absl::Seconds(1));
}

TEST(ControlLoopTest, ClosedLoopRefusesTasksAndRunsQueuedOnes) {
  absl::StatusOr<std::unique_ptr<ControlLoop>> loop = ControlLoop::Create({SIGUSR2});
  ASSERT_TRUE(loop.ok());
  bool ran = false;
  ASSERT_TRUE((*loop)->Post([&] { ran = true; }));
  (*loop)->Close();
  EXPECT_TRUE(ran);
  EXPECT_FALSE((*loop)->Post([] {}));
}

}  // namespace
}  // namespace goprobe::probe
