#ifndef GOPROBE_SERVICES_QUERY_LIST_INTERFACES_FAN_OUT_H_
#define GOPROBE_SERVICES_QUERY_LIST_INTERFACES_FAN_OUT_H_

#include <memory>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "services/query/client_call_canceller.h"
#include "services/query/leaf_client.h"
#include "services/query/peer_set.h"

namespace goprobe::query {

// A root's Query.ListInterfaces: asks every leaf at once with gRPC's callback
// client (no thread waits), and finishes when the last leaf has answered or
// failed: the leaves' interfaces sorted by (hostname, iface), one HostStatus
// per leaf (its own, or ERROR / TIMEOUT with the reason); leaves answering
// with the same host id count once. The client going away cancels every leaf
// call. Deletes itself when done; `client` must outlive it.
class ListInterfacesFanOut final : public grpc::ServerUnaryReactor {
 public:
  // Starts the calls. `response` belongs to the server call.
  static ListInterfacesFanOut* Start(const LeafClient* client, std::vector<Peer> leaves,
                                     const v1::QueryListInterfacesRequest& request,
                                     v1::QueryListInterfacesResponse* response,
                                     absl::Duration host_timeout);

  void OnCancel() override { calls_.CancelAll(); }
  void OnDone() override { delete this; }

 private:
  struct LeafCall {
    grpc::ClientContext context;
    std::unique_ptr<v1::Query::Stub> stub;
    v1::QueryListInterfacesResponse response;
    grpc::Status status;
  };

  ListInterfacesFanOut(std::vector<Peer> leaves, v1::QueryListInterfacesResponse* response);
  void LeafDone(size_t i, grpc::Status status);
  void Assemble();

  const std::vector<Peer> leaves_;
  v1::QueryListInterfacesResponse* const response_;
  std::vector<std::unique_ptr<LeafCall>> leaf_calls_;
  ClientCallCanceller calls_;
  std::atomic<size_t> pending_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_LIST_INTERFACES_FAN_OUT_H_
