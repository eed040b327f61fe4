#ifndef GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
#define GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_

#include <memory>
#include <string>

#include "lib/godb/db_reader.h"
#include "lib/host/host_identity.h"
#include "lib/query/query_proto.h"
#include "services/query/live_window.h"
#include "services/query/run_reactor.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::query {

// The Query gRPC service of a leaf: answers over one host's goDB directory,
// read-only and without a lock, so it runs beside the store that writes it.
// Every call must pass `auth` first (rpc/api_keys.h).
//
// With a probe configured (`live`), a request with `live` set also counts
// the probe's current, not yet written window (live_window.h); without one,
// or when the probe does not answer, the query answers from goDB alone and
// says so in its HostStatus warnings.
struct LeafOptions {
  ServerLimits limits;
  size_t rows_per_chunk = 1000;
  int threads = 0;  // scanning threads per query; 0: every core
  std::shared_ptr<const ProbeLiveSource> live;
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
  // `dns`: reverse DNS wanted for the answer's rows (never for partial ones).
  grpc::Status RunLeafQuery(QuerySpec spec, bool progress, bool live, v1::DnsResolution dns,
                            ClientCallCanceller* calls, const RunReactor::Push& push,
                            const std::atomic<bool>& cancelled) const;

  // Adds the live rows to a query run as partial (`partial`: as the client
  // asked), then finishes the rows as the client's query wants them.
  void FoldLiveWindow(const LiveWindow& window, bool partial, QuerySpec* spec,
                      QueryResult* result) const;

  godb::DbReader reader_;
  const host::HostIdentity identity_;
  const rpc::ApiKeyAuthorizer* auth_;
  const ConditionCompiler compile_condition_;
  const LeafOptions options_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_QUERY_SERVICE_H_
