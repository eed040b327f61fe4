#ifndef GOPROBE_SERVICES_QUERY_ROOT_QUERY_SERVICE_H_
#define GOPROBE_SERVICES_QUERY_ROOT_QUERY_SERVICE_H_

#include <string>

#include "absl/time/time.h"
#include "lib/host/host_identity.h"
#include "lib/query/query_proto.h"
#include "lib/rpc/api_keys.h"
#include "lib/rpc/tls.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "services/query/leaf_client.h"
#include "services/query/peer_set.h"

namespace goprobe::query {

struct RootOptions {
  std::string peer_api_key;  // sent to the leaves
  rpc::ClientChannelFactory peer_channels;  // plaintext unless configured with TLS
  absl::Duration host_timeout = absl::Seconds(30);  // unless the request sets one
  int max_concurrent = 32;   // leaves queried at once
  size_t rows_per_chunk = 1000;
};

// The Query service of a root goqueryd: runs each request on every leaf of
// its PeerSet (resolved afresh per request) as a partial query, with bounded
// concurrency and a per-host timeout, merges the leaves' partial aggregates
// exactly (summing rows with equal labels and attributes; the top-N is cut
// only after merging), and streams the merged rows, one HostStatus per leaf
// and a summary. A leaf that fails or times out is an ERROR or TIMEOUT row in
// the host statuses, never a failed query. Leaves answering with the same
// host id (one host reached at two addresses) count once.
class RootQueryService final : public v1::Query::CallbackService {
 public:
  // `auth` (may be null) must outlive the service. `compile_condition`, if
  // given, checks conditions before any leaf is asked.
  RootQueryService(PeerSet peers, host::HostIdentity identity, const rpc::ApiKeyAuthorizer* auth,
                   ConditionCompiler compile_condition, RootOptions options)
      : peers_(std::move(peers)),
        identity_(std::move(identity)),
        auth_(auth),
        compile_condition_(std::move(compile_condition)),
        options_(std::move(options)),
        leaf_client_(options_.peer_channels, options_.peer_api_key) {}

  grpc::ServerWriteReactor<v1::QueryResponse>* Run(grpc::CallbackServerContext* context,
                                                   const v1::QueryRequest* request) override;
  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::QueryListInterfacesRequest* request,
                                           v1::QueryListInterfacesResponse* response) override;

 private:
  const PeerSet peers_;
  const host::HostIdentity identity_;
  const rpc::ApiKeyAuthorizer* auth_;
  const ConditionCompiler compile_condition_;
  const RootOptions options_;
  LeafClient leaf_client_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_ROOT_QUERY_SERVICE_H_
