#include "services/probe/capture_query.h"

#include <utility>

namespace goprobe::probe {

void CaptureQuery::Answer(absl::StatusOr<CaptureSnapshot> answer) {
  absl::MutexLock lock(&mu_);
  if (!answer_.has_value()) answer_ = std::move(answer);
}

absl::StatusOr<CaptureSnapshot> CaptureQuery::Take(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return answer_.has_value();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&answered), timeout)) {
    return absl::DeadlineExceededError("the capture thread did not answer in time");
  }
  absl::StatusOr<CaptureSnapshot> out = std::move(*answer_);
  answer_ = absl::StatusOr<CaptureSnapshot>(absl::FailedPreconditionError("answer already taken"));
  return out;
}

void QueryMailbox::Post(std::shared_ptr<CaptureQuery> query) {
  absl::MutexLock lock(&mu_);
  if (closed_.has_value()) {
    query->Answer(*closed_);
    return;
  }
  waiting_.push_back(std::move(query));
  pending_.store(true, std::memory_order_relaxed);
}

void QueryMailbox::Serve(
    const std::function<absl::StatusOr<CaptureSnapshot>(const CaptureQuery&)>& answer) {
  std::vector<std::shared_ptr<CaptureQuery>> queries;
  {
    absl::MutexLock lock(&mu_);
    queries.swap(waiting_);
    pending_.store(false, std::memory_order_relaxed);
  }
  for (const std::shared_ptr<CaptureQuery>& q : queries) q->Answer(answer(*q));
}

void QueryMailbox::Close(const absl::Status& why) {
  std::vector<std::shared_ptr<CaptureQuery>> queries;
  {
    absl::MutexLock lock(&mu_);
    closed_ = why;
    queries.swap(waiting_);
    pending_.store(false, std::memory_order_relaxed);
  }
  for (const std::shared_ptr<CaptureQuery>& q : queries) q->Answer(why);
}

}  // namespace goprobe::probe
