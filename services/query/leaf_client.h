#ifndef GOPROBE_SERVICES_QUERY_LEAF_CLIENT_H_
#define GOPROBE_SERVICES_QUERY_LEAF_CLIENT_H_

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/rpc/tls.h"
#include "proto/goprobe/v1/query.grpc.pb.h"
#include "services/query/peer_set.h"

namespace goprobe::query {

// How a root reaches its leaves: one connection recipe (plaintext, or TLS
// checked against each peer's name) and the API key the leaves expect.
// Channels are kept per address so successive queries reuse connections;
// the set is dropped whole when it grows past a bound (pods of a headless
// service come and go). Thread-safe.
class LeafClient {
 public:
  LeafClient(rpc::ClientChannelFactory channels, std::string api_key)
      : channels_(std::move(channels)), api_key_(std::move(api_key)) {}

  std::unique_ptr<v1::Query::Stub> Stub(const Peer& peer) const;
  // The API key and a deadline `timeout` from now.
  void Prepare(grpc::ClientContext* context, absl::Duration timeout) const;

 private:
  static constexpr size_t kMaxCachedChannels = 4096;

  const rpc::ClientChannelFactory channels_;
  const std::string api_key_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, std::shared_ptr<grpc::Channel>> cache_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_LEAF_CLIENT_H_
