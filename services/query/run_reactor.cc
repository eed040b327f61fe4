#include "services/query/run_reactor.h"

namespace goprobe::query {

grpc::Status QueryStatusToGrpc(const absl::Status& s) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (s.code()) {
    case absl::StatusCode::kOk: return grpc::Status::OK;
    case absl::StatusCode::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case absl::StatusCode::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case absl::StatusCode::kDeadlineExceeded: code = grpc::StatusCode::DEADLINE_EXCEEDED; break;
    case absl::StatusCode::kCancelled: code = grpc::StatusCode::CANCELLED; break;
    default: break;
  }
  return grpc::Status(code, std::string(s.message()));
}

RunReactor::RunReactor(Producer produce, std::shared_ptr<ClientCallCanceller> calls)
    : calls_(std::move(calls)) {
  worker_ = std::thread([this, produce = std::move(produce)] {
    grpc::Status status =
        produce([this](v1::QueryResponse m) { Enqueue(std::move(m)); }, cancelled_);
    absl::MutexLock lock(&mu_);
    closed_ = true;
    status_ = std::move(status);
    MaybeFinishLocked();
  });
}

void RunReactor::Enqueue(v1::QueryResponse message) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  // Progress is only worth sending when the client keeps up.
  if (message.has_progress() && queue_.size() > 2) return;
  queue_.push_back(std::move(message));
  if (!writing_) {
    writing_ = true;
    StartWrite(&queue_.front());
  }
}

void RunReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  queue_.pop_front();
  writing_ = false;
  if (!ok) {
    ClientGone();
    queue_.clear();
  } else if (!queue_.empty()) {
    writing_ = true;
    StartWrite(&queue_.front());
  }
  MaybeFinishLocked();
}

void RunReactor::ClientGone() {
  cancelled_ = true;
  if (calls_ != nullptr) calls_->CancelAll();
}

void RunReactor::MaybeFinishLocked() {
  if (finished_ || !closed_ || writing_) return;
  finished_ = true;
  Finish(status_);
}

void RunReactor::OnDone() {
  worker_.join();
  delete this;
}

grpc::ServerWriteReactor<v1::QueryResponse>* RefusedRun(grpc::Status status) {
  class Refused final : public grpc::ServerWriteReactor<v1::QueryResponse> {
   public:
    explicit Refused(grpc::Status s) { Finish(std::move(s)); }
    void OnDone() override { delete this; }
  };
  return new Refused(std::move(status));
}

}  // namespace goprobe::query
