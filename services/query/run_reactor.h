#ifndef GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_
#define GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_

#include <atomic>
#include <deque>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/synchronization/mutex.h"
#include "lib/godb/db_reader.h"
#include "lib/host/host_identity.h"
#include "lib/query/query_spec.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::query {

// One Query.Run stream of a leaf: runs the query on a thread of its own (a
// scan must not hold a gRPC callback thread) and writes what it produces in
// order. Deletes itself when the stream is done.
class RunReactor final : public grpc::ServerWriteReactor<v1::QueryResponse> {
 public:
  RunReactor(const godb::DbReader* reader, host::HostIdentity identity, QuerySpec spec,
             bool report_progress, size_t rows_per_chunk);

  void OnWriteDone(bool ok) override;
  void OnCancel() override { cancelled_ = true; }
  void OnDone() override;

 private:
  void Work();
  void Push(v1::QueryResponse message);
  // Finishes once everything produced is written.
  void Close(grpc::Status status);
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const godb::DbReader* const reader_;
  const host::HostIdentity identity_;
  QuerySpec spec_;
  const bool report_progress_;
  const size_t rows_per_chunk_;
  std::atomic<bool> cancelled_{false};

  absl::Mutex mu_;
  std::deque<v1::QueryResponse> queue_ ABSL_GUARDED_BY(mu_);  // front() is being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread worker_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_RUN_REACTOR_H_
