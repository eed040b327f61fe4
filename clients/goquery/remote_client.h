#ifndef GOPROBE_CLIENTS_GOQUERY_REMOTE_CLIENT_H_
#define GOPROBE_CLIENTS_GOQUERY_REMOTE_CLIENT_H_

// goquery --server ADDR: the Query service of a goqueryd (a leaf or a root
// over many hosts) over gRPC.
//
// Errors come back as absl statuses with gRPC's code kept, so the caller can
// tell the cases a person must act on differently, each with a message that
// names the server:
//   Unavailable       the server cannot be reached (not running, wrong
//                     address, network)
//   Unauthenticated   it refused the API key (or none was sent)
//   DeadlineExceeded  the query ran out of time (--timeout)
//   InvalidArgument   it refused the request; a condition error keeps the
//                     server's "condition: position N: ..." text, so the
//                     caret can be drawn (condition_error.h)
//   others            as the server said

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/goquery/query_answer.h"
#include "lib/rpc/tls.h"
#include "proto/goprobe/v1/flow.pb.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::goquery {

struct RemoteServer {
  // "host:port", "[v6]:port" or "unix:/path".
  std::string address;
  // Sent as "authorization: Bearer <key>"; empty sends none.
  std::string api_key;
  // TLS for TCP addresses (lib/rpc/tls.h); a unix socket with TLS is refused.
  rpc::ClientTlsOptions tls;
  // How long to wait for the connection before calling the server
  // unreachable.
  absl::Duration connect_timeout = absl::Seconds(10);
};

// Runs `request` on `server`, handing each streamed message to `sink` as it
// arrives. `deadline` bounds the whole call (InfiniteFuture: none).
absl::Status RunRemoteQuery(const RemoteServer& server, const v1::QueryRequest& request,
                            absl::Time deadline, AnswerSink* sink);

struct RemoteInterfaces {
  std::vector<v1::InterfaceSummary> interfaces;
  std::vector<v1::HostStatus> hosts;
};

// Query.ListInterfaces: the interfaces with data between first and last
// (0: unbounded) matching `selector`, on every host the server answers for.
absl::StatusOr<RemoteInterfaces> ListRemoteInterfaces(const RemoteServer& server,
                                                      const v1::InterfaceSelector& selector,
                                                      int64_t first, int64_t last,
                                                      absl::Time deadline);

// The API key in `path`: its first key (rpc::LoadApiKeys' rules). The error
// names the file.
absl::StatusOr<std::string> ReadClientApiKey(const std::string& path);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_REMOTE_CLIENT_H_
