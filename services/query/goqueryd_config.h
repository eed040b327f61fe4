#ifndef GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_
#define GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/service_config.h"
#include "services/query/peer_set.h"
#include "services/query/query_service.h"
#include "services/query/root_query_service.h"

namespace goprobe::query {

// goqueryd's settings: the shared ones (rpc/service_config.h; db_path makes a
// leaf) and its own:
//
//   peers: [ADDR, ...]        --peers LIST (repeatable, comma-separated)  root: the leaves
//   peer_api_key_file         --peer-api-key-file   root: its first key is sent to the leaves
//   host_timeout              --host-timeout        root: seconds per leaf unless a query says (30)
//   query.max_memory_bytes    --max-memory          leaf: cap on one query's aggregation (none)
//   query.threads             --query-threads       leaf: scanning threads per query (0: all cores)
//
// Exactly one of db_path (a leaf) and peers (a root). deploy/config/goqueryd.yaml
// shows every key.
struct GoquerydConfig {
  rpc::ServiceConfig service;
  std::vector<std::string> peers;
  std::string peer_api_key_file;
  double host_timeout_seconds = 30;
  int64_t max_memory_bytes = 0;
  uint64_t threads = 0;

  // Declares every setting on `schema` (whose Origins should be
  // service.origins).
  void Register(rpc::ConfigSchema* schema);
  // A leaf or a root, with only that role's settings; then the shared checks.
  absl::Status Validate() const;
  bool root() const { return !peers.empty(); }

  LeafOptions MakeLeafOptions() const;
  absl::StatusOr<PeerSet> MakePeerSet() const;
  // Loads the peer API key: NotFound/InvalidArgument naming the setting.
  absl::StatusOr<RootOptions> MakeRootOptions() const;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_
