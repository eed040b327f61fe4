#ifndef GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_
#define GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "proto/goprobe/v1/query.pb.h"
#include "services/query/client_call_canceller.h"

namespace goprobe::query {

// One Query.Run stream: runs `produce` on a thread of its own (a query must
// not hold a gRPC callback thread) and writes what it pushes, in order, then
// finishes with the status it returns. `cancelled` turns true when the client
// goes away; producers pass it on so the work stops. Deletes itself when the
// stream is done.
class RunReactor final : public grpc::ServerWriteReactor<v1::QueryResponse> {
 public:
  using Push = std::function<void(v1::QueryResponse)>;
  using Producer = std::function<grpc::Status(const Push& push, const std::atomic<bool>& cancelled)>;

  // `calls` (may be null): outgoing calls made for this stream, cancelled
  // the moment the client goes away.
  explicit RunReactor(Producer produce, std::shared_ptr<ClientCallCanceller> calls = nullptr);

  void OnWriteDone(bool ok) override;
  void OnCancel() override { ClientGone(); }
  void OnDone() override;

 private:
  void Enqueue(v1::QueryResponse message);
  void ClientGone();
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::atomic<bool> cancelled_{false};
  const std::shared_ptr<ClientCallCanceller> calls_;
  absl::Mutex mu_;
  std::deque<v1::QueryResponse> queue_ ABSL_GUARDED_BY(mu_);  // front() is being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
};

// A stream refused before any work: finishes at once with `status`.
grpc::ServerWriteReactor<v1::QueryResponse>* RefusedRun(grpc::Status status);

// absl errors of a query as gRPC statuses.
grpc::Status QueryStatusToGrpc(const absl::Status& status);

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_
