#ifndef GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
#define GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_

#include <string>

#include "lib/godb/db_reader.h"
#include "lib/host/host_identity.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::query {

// The Query gRPC service of a leaf: answers over one host's goDB directory,
// read-only and without a lock, so it runs beside the store that writes it.
//
// Serves ListInterfaces. Run is not overridden yet: gRPC answers it
// UNIMPLEMENTED until the query engine (lib/query) lands.
class LeafQueryService final : public v1::Query::CallbackService {
 public:
  LeafQueryService(std::string db_path, host::HostIdentity identity)
      : reader_(std::move(db_path)), identity_(std::move(identity)) {}

  grpc::ServerUnaryReactor* ListInterfaces(grpc::CallbackServerContext* context,
                                           const v1::QueryListInterfacesRequest* request,
                                           v1::QueryListInterfacesResponse* response) override;

 private:
  godb::DbReader reader_;
  const host::HostIdentity identity_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
