#ifndef GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
#define GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_

#include <string>

#include "lib/godb/db_reader.h"
#include "lib/host/host_identity.h"
#include "lib/query/query_proto.h"
#include "services/query/run_reactor.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::query {

// The Query gRPC service of a leaf: answers over one host's goDB directory,
// read-only and without a lock, so it runs beside the store that writes it.
//
// Every call must pass `auth` first (rpc/api_keys.h). Serves ListInterfaces. Run is not overridden yet: gRPC answers it
// UNIMPLEMENTED until the query engine (lib/query) lands.
struct LeafOptions {
  ServerLimits limits;
  size_t rows_per_chunk = 1000;
  int threads = 0;  // scanning threads per query; 0: every core
};

class LeafQueryService final : public v1::Query::CallbackService {
 public:
  // `auth` (may be null: no keys) must outlive the service.
  // `compile_condition` turns condition strings into row filters.
  LeafQueryService(std::string db_path, host::HostIdentity identity,
                   const rpc::ApiKeyAuthorizer* auth, ConditionCompiler compile_condition = nullptr,
                   LeafOptions options = {})
      : reader_(std::move(db_path)),
        identity_(std::move(identity)),
        auth_(auth),
        compile_condition_(std::move(compile_condition)),
        options_(options) {}

  grpc::ServerWriteReactor<v1::QueryResponse>* Run(grpc::CallbackServerContext* context,
                                                   const v1::QueryRequest* request) override;

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::QueryListInterfacesRequest* request,
                                           v1::QueryListInterfacesResponse* response) override;

 private:
  grpc::Status RunLeafQuery(QuerySpec spec, bool progress, const RunReactor::Push& push,
                            const std::atomic<bool>& cancelled) const;

  godb::DbReader reader_;
  const host::HostIdentity identity_;
  const rpc::ApiKeyAuthorizer* auth_;
  const ConditionCompiler compile_condition_;
  const LeafOptions options_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
