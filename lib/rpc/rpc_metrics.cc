#include "lib/rpc/rpc_metrics.h"

#include <chrono>
#include <string>

#include <grpcpp/server_context.h>

#include "absl/strings/string_view.h"

namespace goprobe::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr const char* kCodeNames[17] = {
    "OK",       "Canceled",         "Unknown",           "InvalidArgument",  "DeadlineExceeded",
    "NotFound", "AlreadyExists",    "PermissionDenied",  "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",       "Unimplemented",     "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated"};

const char* TypeName(int type) {
  switch (grpc::experimental::ServerRpcInfo::Type(type)) {
    case grpc::experimental::ServerRpcInfo::Type::UNARY: return "unary";
    case grpc::experimental::ServerRpcInfo::Type::CLIENT_STREAMING: return "client_stream";
    case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING: return "server_stream";
    case grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unknown";
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics::Method* method, grpc::ServerContextBase* context)
      : method_(method), context_(context), start_(std::chrono::steady_clock::now()) {
    method_->started->Increment();
  }
  ~MetricsInterceptor() override {
    if (!finished_) Finish(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      method_->received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      method_->sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !finished_) {
      Finish(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Finish(int code) {
    finished_ = true;
    // What the handler finished with does not reach a client that is gone
    // (cancelled, deadline passed, connection reset): count what it saw.
    if (context_ != nullptr && context_->IsCancelled()) code = grpc::StatusCode::CANCELLED;
    method_->Handled(code).Increment();
    method_->seconds->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }

  RpcMetrics::Method* const method_;
  grpc::ServerContextBase* const context_;
  const std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(RpcMetrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(&metrics_->ForCall(info->method(), int(info->type())),
                                  info->server_context());
  }

 private:
  RpcMetrics* const metrics_;
};

}  // namespace

const char* GrpcCodeName(int code) { return code >= 0 && code < 17 ? kCodeNames[code] : "Unknown"; }

RpcMetrics::RpcMetrics(metrics::Registry* registry)
    : started_(registry->AddCounterFamily(
          "grpc_server_started_total", "Total number of RPCs started on the server.",
          {"grpc_service", "grpc_method", "grpc_type"})),
      handled_(registry->AddCounterFamily(
          "grpc_server_handled_total",
          "Total number of RPCs completed on the server, regardless of success or failure.",
          {"grpc_service", "grpc_method", "grpc_type", "grpc_code"})),
      seconds_(registry->AddHistogramFamily(
          "grpc_server_handling_seconds",
          "Histogram of response latency (seconds) of gRPC that had been application-level "
          "handled by the server.",
          {"grpc_service", "grpc_method", "grpc_type"}, metrics::LatencyBuckets())),
      received_(registry->AddCounterFamily("grpc_server_msg_received_total",
                                           "Total number of RPC stream messages received on the "
                                           "server.",
                                           {"grpc_service", "grpc_method", "grpc_type"})),
      sent_(registry->AddCounterFamily("grpc_server_msg_sent_total",
                                       "Total number of gRPC stream messages sent by the server.",
                                       {"grpc_service", "grpc_method", "grpc_type"})),
      auth_refused_(registry->AddCounterFamily(
          "grpc_server_auth_refused_total",
          "Calls refused for a missing or invalid API key, by method and reason.",
          {"method", "reason"})) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::NewInterceptorFactory() {
  return std::make_unique<Factory>(this);
}

metrics::Counter& RpcMetrics::Method::Handled(int code) {
  if (code < 0 || code >= 17) code = grpc::StatusCode::UNKNOWN;
  metrics::Counter* c = handled[code].load(std::memory_order_acquire);
  if (c == nullptr) {
    // Two first calls may both look it up: the family returns the same child.
    c = &handled_family->Labels({labels[0], labels[1], labels[2], kCodeNames[code]});
    handled[code].store(c, std::memory_order_release);
  }
  return *c;
}

RpcMetrics::Method& RpcMetrics::ForCall(const char* full_method, int type) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Method>& m = methods_[full_method];
  if (m == nullptr) {
    m = std::make_unique<Method>();
    // "/goprobe.v1.Store/Ingest" -> "goprobe.v1.Store", "Ingest".
    absl::string_view name = full_method == nullptr ? "" : full_method;
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    const size_t slash = name.find('/');
    m->labels[0] = std::string(slash == absl::string_view::npos ? "unknown" : name.substr(0, slash));
    m->labels[1] = std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
    m->labels[2] = TypeName(type);
    m->started = &started_.Labels({m->labels[0], m->labels[1], m->labels[2]});
    m->received = &received_.Labels({m->labels[0], m->labels[1], m->labels[2]});
    m->sent = &sent_.Labels({m->labels[0], m->labels[1], m->labels[2]});
    m->seconds = &seconds_.Labels({m->labels[0], m->labels[1], m->labels[2]});
    m->handled_family = &handled_;
  }
  return *m;
}

}  // namespace goprobe::rpc
