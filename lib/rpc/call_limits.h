#ifndef GOPROBE_LIB_RPC_CALL_LIMITS_H_
#define GOPROBE_LIB_RPC_CALL_LIMITS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/rate_limiter.h"

namespace goprobe::rpc {

struct CallLimitOptions {
  // Calls per second each caller (API key, or all unix-socket clients, or
  // all clients of a service without keys) may start, and the burst it may
  // save up. 0: no rate limit.
  double requests_per_second = 0;
  double burst = 0;
  // Methods with a cap on calls running at once.
  struct RunningCap {
    std::string method;   // "Query.Run"
    int max = 0;          // at least 1
    std::string setting;  // named in refusals: "query.max_concurrent"
  };
  std::vector<RunningCap> max_running;
};

// Admission of calls beyond authentication: a request rate per caller
// (rate_limiter.h) and a cap on calls of a method running at once.
//
// A call over a cap is refused at once, never queued: a client told
// RESOURCE_EXHAUSTED retries or gives up, where a queued call would hold a
// connection and its memory while the server is already busy. Refusals say
// which limit and its value, and are counted in
// grpc_server_limit_refused_total{method,limit} (limit: "rate",
// "running"); grpc_server_calls_running{method} shows the capped methods'
// running calls.
//
// Running calls are counted by a server interceptor (NewInterceptorFactory,
// installed by GrpcServer), from the call's arrival until gRPC is done with
// it. A handler asks Admit at its start, when its own call is already
// counted; so of calls arriving together beyond the cap, some may be refused
// that a strict queue would have let through, but never more run than the
// cap allows.
class CallLimits {
 public:
  // `registry` (may be null: no metrics) must outlive this.
  CallLimits(const CallLimitOptions& options, metrics::Registry* registry);
  CallLimits(const CallLimits&) = delete;
  CallLimits& operator=(const CallLimits&) = delete;

  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

  // OK, or RESOURCE_EXHAUSTED naming the limit, for a call of `method`
  // ("Query.Run") by `caller` (a non-secret id: ApiKeyId, "unix",
  // "anonymous").
  grpc::Status Admit(absl::string_view method, absl::string_view caller) const;

  // Calls of a capped `method` running now (0 for other methods).
  int running(absl::string_view method) const;

  // "/goprobe.v1.Query/Run" -> "Query.Run", the name handlers use.
  static std::string ShortMethodName(absl::string_view full_method);

  struct Capped {
    int max = 0;
    std::string setting;
    std::atomic<int> running{0};
    metrics::Gauge* gauge = nullptr;
  };

 private:
  mutable RateLimiter rate_;
  metrics::Family<metrics::Counter>* refused_ = nullptr;
  // Fixed after construction, so readers take no lock.
  absl::flat_hash_map<std::string, std::unique_ptr<Capped>> capped_;
};

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_CALL_LIMITS_H_
