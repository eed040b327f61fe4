#include "services/probe/capture_query.h"

#include <thread>

#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

TEST(CaptureQueryTest, ServedOnTheOwningThread) {
  QueryMailbox mailbox;
  auto q = std::make_shared<CaptureQuery>(/*with_rows=*/true);
  EXPECT_FALSE(mailbox.pending());
  mailbox.Post(q);
  EXPECT_TRUE(mailbox.pending());
  std::thread capture([&] {
    while (!mailbox.pending()) std::this_thread::yield();
    mailbox.Serve([](const CaptureQuery& query) -> absl::StatusOr<CaptureSnapshot> {
      CaptureSnapshot s;
      s.active_flows = query.with_rows() ? 7 : 0;
      return s;
    });
  });
  absl::StatusOr<CaptureSnapshot> s = q->Take(absl::Seconds(10));
  capture.join();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->active_flows, 7u);
  EXPECT_FALSE(mailbox.pending());
}

TEST(CaptureQueryTest, UnansweredQueryTimesOut) {
  QueryMailbox mailbox;
  auto q = std::make_shared<CaptureQuery>(false);
  mailbox.Post(q);
  EXPECT_EQ(q->Take(absl::Milliseconds(20)).status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(CaptureQueryTest, CloseAnswersWaitingAndLaterQueries) {
  QueryMailbox mailbox;
  auto waiting = std::make_shared<CaptureQuery>(false);
  mailbox.Post(waiting);
  mailbox.Close(absl::UnavailableError("interface eth0: capture stopped"));
  EXPECT_EQ(waiting->Take(absl::Seconds(1)).status().message(), "interface eth0: capture stopped");
  auto later = std::make_shared<CaptureQuery>(false);
  mailbox.Post(later);
  EXPECT_FALSE(mailbox.pending());
  EXPECT_EQ(later->Take(absl::Seconds(1)).status().code(), absl::StatusCode::kUnavailable);
}

TEST(CaptureQueryTest, FirstAnswerWins) {
  CaptureQuery q(false);
  CaptureSnapshot first;
  first.last_block_time = 300;
  q.Answer(first);
  q.Answer(absl::UnavailableError("late"));
  absl::StatusOr<CaptureSnapshot> s = q.Take(absl::Seconds(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->last_block_time, 300);
}

}  // namespace
}  // namespace goprobe::probe
