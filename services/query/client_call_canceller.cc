#include "services/query/client_call_canceller.h"

namespace goprobe::query {

bool ClientCallCanceller::Add(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (cancelled_) return false;
  calls_.insert(context);
  return true;
}

void ClientCallCanceller::Remove(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  calls_.erase(context);
}

void ClientCallCanceller::CancelAll() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  // TryCancel is thread-safe and never blocks; holding the lock keeps each
  // context alive (Remove waits) until it is cancelled.
  for (grpc::ClientContext* c : calls_) c->TryCancel();
}

bool ClientCallCanceller::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

}  // namespace goprobe::query
