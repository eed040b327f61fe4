#ifndef GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_
#define GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/service_config.h"
#include "lib/rpc/tls.h"
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
//   peer_tls.enabled          --peer-tls            root: reach the leaves over TLS (false)
//   peer_tls.ca_file          --peer-tls-ca         root: CAs the leaves' certificates chain to
//   peer_tls.cert_file        --peer-tls-cert       root: client certificate for the leaves
//   peer_tls.key_file         --peer-tls-key        root: its private key
//   peer_tls.server_name      --peer-tls-server-name  root: name every leaf certificate carries
//                                                   (default: the peer entry's host name)
//   probe.addr                --probe               leaf: the co-located goprobe's API, for --live
//   probe.api_key_file        --probe-api-key-file  leaf: its first key is sent to the probe
//   probe.timeout             --probe-timeout       leaf: seconds to wait for the live window (2)
//   query.max_memory_bytes    --max-memory          leaf: cap on one query's aggregation (none)
//   query.threads             --query-threads       leaf: scanning threads per query (0: all cores)
//   query.max_rows            --max-rows            leaf: most rows one query returns (1000000)
//   query.max_concurrent      --max-concurrent-queries  Query.Run calls running at once; more are
//                                                   refused RESOURCE_EXHAUSTED at once (4)
//
// Exactly one of db_path (a leaf) and peers (a root). deploy/config/goqueryd.yaml
// shows every key.
struct GoquerydConfig {
  rpc::ServiceConfig service;
  std::vector<std::string> peers;
  std::string peer_api_key_file;
  double host_timeout_seconds = 30;
  rpc::ClientTlsOptions peer_tls;
  std::string probe_addr;
  std::string probe_api_key_file;
  double probe_timeout_seconds = 2;
  int64_t max_memory_bytes = 0;
  uint64_t threads = 0;
  uint64_t max_rows = 1000000;
  uint64_t max_concurrent = 4;

  // Declares every setting on `schema` (whose Origins should be
  // service.origins).
  void Register(rpc::ConfigSchema* schema);
  // A leaf or a root, with only that role's settings; then the shared checks.
  absl::Status Validate() const;
  bool root() const { return !peers.empty(); }

  // Loads the probe's API key: NotFound/InvalidArgument naming the setting.
  absl::StatusOr<LeafOptions> MakeLeafOptions() const;
  absl::StatusOr<PeerSet> MakePeerSet() const;
  // Loads the peer API key and TLS files: NotFound/InvalidArgument naming
  // the setting.
  absl::StatusOr<RootOptions> MakeRootOptions() const;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_GOQUERYD_CONFIG_H_
