#ifndef GOPROBE_SERVICES_QUERY_CLIENT_CALL_CANCELLER_H_
#define GOPROBE_SERVICES_QUERY_CLIENT_CALL_CANCELLER_H_

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace goprobe::query {

// The outgoing calls a server-side request made on its client's behalf (a
// root's calls to its leaves), so that they all stop the moment that client
// goes away instead of at their next message or deadline.
//
// Thread-safe. A call is Add()ed before it starts and Remove()d before its
// ClientContext is destroyed; CancelAll() cancels every call added and makes
// every later Add() fail, so a call starting after the cancel never runs.
class ClientCallCanceller {
 public:
  // False once cancelled: the caller must not start the call.
  bool Add(grpc::ClientContext* context);
  void Remove(grpc::ClientContext* context);
  void CancelAll();
  bool cancelled() const;

 private:
  mutable absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<grpc::ClientContext*> calls_ ABSL_GUARDED_BY(mu_);
};

// Add()s on construction, Remove()s on destruction.
class ScopedClientCall {
 public:
  ScopedClientCall(ClientCallCanceller* canceller, grpc::ClientContext* context)
      : canceller_(canceller), context_(context) {
    added_ = canceller_ == nullptr || canceller_->Add(context_);
  }
  ~ScopedClientCall() {
    if (canceller_ != nullptr && added_) canceller_->Remove(context_);
  }
  ScopedClientCall(const ScopedClientCall&) = delete;
  ScopedClientCall& operator=(const ScopedClientCall&) = delete;

  // False when the request was already cancelled.
  bool may_start() const { return added_; }

 private:
  ClientCallCanceller* canceller_;
  grpc::ClientContext* context_;
  bool added_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_CLIENT_CALL_CANCELLER_H_
