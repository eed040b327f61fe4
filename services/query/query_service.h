#ifndef GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
#define GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_

#include <string>

#include "lib/godb/db_reader.h"
#include "lib/host/host_identity.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::query {

// The Query gRPC service of a leaf: answers over one host's goDB directory,
// read-only and without a lock, so it runs beside the store that writes it.
//
// Every call must pass `auth` first (rpc/api_keys.h). Serves ListInterfaces. Run is not overridden yet: gRPC answers it
// UNIMPLEMENTED until the query engine (lib/query) lands.
class LeafQueryService final : public v1::Query::CallbackService {
 public:
  // `auth` (may be null: no keys) must outlive the service.
  LeafQueryService(std::string db_path, host::HostIdentity identity,
                   const rpc::ApiKeyAuthorizer* auth)
      : reader_(std::move(db_path)), identity_(std::move(identity)), auth_(auth) {}

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::QueryListInterfacesRequest* request,
                                           v1::QueryListInterfacesResponse* response) override;

 private:
  godb::DbReader reader_;
  const host::HostIdentity identity_;
  const rpc::ApiKeyAuthorizer* auth_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
