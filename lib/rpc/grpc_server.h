#ifndef GOPROBE_LIB_RPC_GRPC_SERVER_H_
#define GOPROBE_LIB_RPC_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/rpc/call_limits.h"
#include "lib/rpc/rpc_metrics.h"

namespace goprobe::rpc {

// A listen address: "host:port" (TCP; "[::]:port" for all addresses) or
// "unix:/path" (a unix socket). InvalidArgument says what is wanted (the
// caller names the address and where it came from).
absl::Status ValidateListenAddress(absl::string_view address);

// Whether a unix socket may be created at `socket_path`: NotFound when its
// directory does not exist, FailedPrecondition when it is not a directory,
// PermissionDenied (naming the directory and its mode) when another user
// could replace the socket in it (writable by group or others without the
// sticky bit /tmp has).
absl::Status CheckSocketDirectory(const std::string& socket_path);

struct ServerOptions {
  std::vector<std::string> listen;  // at least one
  int max_receive_message_bytes = 8 << 20;
  // TLS for the TCP listeners (rpc/tls.h); null serves plaintext. Unix
  // sockets are always plaintext: their file permissions guard them.
  std::shared_ptr<grpc::ServerCredentials> tls;
  // Counts every call (rpc_metrics.h) when set; must outlive the server.
  RpcMetrics* metrics = nullptr;
  // Counts the running calls of capped methods (call_limits.h) when set;
  // must outlive the server.
  CallLimits* limits = nullptr;
};

// A running gRPC server with every goProbe convention: the services given,
// gRPC health checking (every service SERVING), server reflection, and a
// listener per address. Unix sockets are created owner-only (0600) and a
// stale socket file is replaced; a directory CheckSocketDirectory calls
// unsafe is logged as a warning, a missing one refused. TCP port 0 picks a free port; bound_ports() tells
// which.
class GrpcServer {
 public:
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const ServerOptions& options,
                                                           const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  // The port each TCP listener bound, in the order given (0 for unix sockets).
  const std::vector<int>& bound_ports() const { return ports_; }
  grpc::Server* server() { return server_.get(); }
  // Stops accepting, lets running calls finish for up to `grace`, then
  // cancels what is left.
  void Shutdown(absl::Duration grace);

 private:
  std::unique_ptr<grpc::Server> server_;
  std::vector<int> ports_;
  std::vector<std::string> unix_paths_;
};

// Blocks SIGINT and SIGTERM in the calling thread and the threads it starts
// later, so that WaitForTerminationSignal receives them. Call first in main.
void BlockTerminationSignals();
// Waits for SIGINT or SIGTERM and returns the signal's name.
std::string WaitForTerminationSignal();

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_GRPC_SERVER_H_
