#ifndef GOPROBE_SERVICES_STORE_STORE_SERVICE_H_
#define GOPROBE_SERVICES_STORE_STORE_SERVICE_H_

#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/store.grpc.pb.h"
#include "services/store/block_store.h"
#include "services/store/store_metrics.h"

namespace goprobe::store {

// The Store gRPC service (callback API) over a BlockStore.
//
// Every call must pass `auth` first (rpc/api_keys.h).
//
// Ingest: each stream reassembles batches from their parts, queues complete
// ones to the BlockStore, and sends one acknowledgement per batch in the
// order the batches completed. At most kMaxBatchesInFlight batches of a
// stream wait for the disk at once; further reads wait, which pushes back on
// the sender. An invalid batch is acknowledged REJECTED and the stream goes
// on; a stream that breaks the parts protocol ends with FAILED_PRECONDITION;
// a batch that cannot be made durable ends the stream with the storage error
// (UNAVAILABLE or RESOURCE_EXHAUSTED) so the sender keeps it and retries.
class StoreService final : public v1::Store::CallbackService {
 public:
  static constexpr int kMaxBatchesInFlight = 4;

  // `auth` (may be null: no keys) and `metrics` (may be null) must outlive
  // the service.
  StoreService(BlockStore* store, const rpc::ApiKeyAuthorizer* auth,
               StoreMetrics* metrics = nullptr)
      : store_(store), auth_(auth), metrics_(metrics) {}

  grpc::ServerBidiReactor<v1::IngestRequest, v1::IngestAck>* Ingest(
      grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::StoreListInterfacesRequest* request,
                                           v1::StoreListInterfacesResponse* response) override;

 private:
  BlockStore* store_;
  const rpc::ApiKeyAuthorizer* auth_;
  StoreMetrics* const metrics_;
};

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_STORE_SERVICE_H_
