#ifndef GOPROBE_LIB_RPC_RPC_METRICS_H_
#define GOPROBE_LIB_RPC_RPC_METRICS_H_

#include <array>
#include <atomic>
#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "lib/metrics/metrics.h"

namespace goprobe::rpc {

// The gRPC server metrics every goProbe service exports, named and labelled
// as go-grpc-prometheus names them so existing dashboards and alerts apply:
//
//   grpc_server_started_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type}  (histogram)
//   grpc_server_msg_received_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_msg_sent_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_auth_refused_total{method,reason}  (reason: missing_key, invalid_key)
//
// grpc_service is the full service name ("goprobe.v1.Store"), grpc_code the
// status code's name ("OK", "Unauthenticated"). Handling time runs from the
// call's arrival to its status being sent. A call the client abandoned
// (cancelled, deadline passed, connection gone) counts as Canceled whatever
// the handler finished with, as the client saw it. The services of the server
// must use the sync or callback API, where ServerContext::IsCancelled may be
// asked at any time (all of goProbe's do).
//
// Collected by a server interceptor (NewInterceptorFactory) on every call of
// every service of the server, health and reflection included. After a
// method's first call, counting takes no lock and allocates nothing but the
// interceptor gRPC creates per call.
class RpcMetrics {
 public:
  // Registers the metrics on `registry`, which must outlive this.
  explicit RpcMetrics(metrics::Registry* registry);
  RpcMetrics(const RpcMetrics&) = delete;
  RpcMetrics& operator=(const RpcMetrics&) = delete;

  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  // For ApiKeyAuthorizer: refusals by method ("Store.Ingest") and reason.
  metrics::Family<metrics::Counter>& auth_refused() { return auth_refused_; }

  // The children of one method, found once per method and kept.
  struct Method {
    metrics::Counter* started = nullptr;
    metrics::Counter* received = nullptr;
    metrics::Counter* sent = nullptr;
    metrics::Histogram* seconds = nullptr;
    metrics::Family<metrics::Counter>* handled_family = nullptr;
    std::array<std::string, 3> labels;  // service, method, type
    // Created on first use of each code (17 gRPC codes).
    std::array<std::atomic<metrics::Counter*>, 17> handled{};
    metrics::Counter& Handled(int code);
  };
  Method& ForCall(const char* full_method, int type);

 private:
  metrics::Family<metrics::Counter>& started_;
  metrics::Family<metrics::Counter>& handled_;
  metrics::Family<metrics::Histogram>& seconds_;
  metrics::Family<metrics::Counter>& received_;
  metrics::Family<metrics::Counter>& sent_;
  metrics::Family<metrics::Counter>& auth_refused_;

  absl::Mutex mu_;
  // By the method-name pointer gRPC passes (one per registered method), so a
  // lookup hashes a pointer, not a string.
  absl::flat_hash_map<const char*, std::unique_ptr<Method>> methods_ ABSL_GUARDED_BY(mu_);
};

// The name of a gRPC status code as go-grpc-prometheus spells it ("OK",
// "Canceled", "Unauthenticated", ...).
const char* GrpcCodeName(int code);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_RPC_METRICS_H_
