#include "lib/rpc/call_limits.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {
namespace {

class RunningInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RunningInterceptor(CallLimits::Capped* capped) : capped_(capped) {
    capped_->running.fetch_add(1, std::memory_order_acq_rel);
    if (capped_->gauge != nullptr) capped_->gauge->Increment();
  }
  ~RunningInterceptor() override {
    capped_->running.fetch_sub(1, std::memory_order_acq_rel);
    if (capped_->gauge != nullptr) capped_->gauge->Decrement();
  }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }

 private:
  CallLimits::Capped* const capped_;
};

class PassThrough final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(const absl::flat_hash_map<std::string, std::unique_ptr<CallLimits::Capped>>* capped)
      : capped_(capped) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (!capped_->empty() && info->method() != nullptr) {
      auto it = capped_->find(CallLimits::ShortMethodName(info->method()));
      if (it != capped_->end()) return new RunningInterceptor(it->second.get());
    }
    return new PassThrough;
  }

 private:
  const absl::flat_hash_map<std::string, std::unique_ptr<CallLimits::Capped>>* const capped_;
};

}  // namespace

std::string CallLimits::ShortMethodName(absl::string_view full_method) {
  if (!full_method.empty() && full_method.front() == '/') full_method.remove_prefix(1);
  const size_t slash = full_method.find('/');
  if (slash == absl::string_view::npos) return std::string(full_method);
  absl::string_view service = full_method.substr(0, slash);
  const size_t dot = service.rfind('.');
  if (dot != absl::string_view::npos) service.remove_prefix(dot + 1);
  return absl::StrCat(service, ".", full_method.substr(slash + 1));
}

CallLimits::CallLimits(const CallLimitOptions& options, metrics::Registry* registry)
    : rate_(options.requests_per_second, options.burst) {
  metrics::Family<metrics::Gauge>* running = nullptr;
  if (registry != nullptr) {
    refused_ = &registry->AddCounterFamily(
        "grpc_server_limit_refused_total",
        "Calls refused RESOURCE_EXHAUSTED by a server limit, by method and limit (rate: the "
        "caller's request rate; running: calls of the method running at once).",
        {"method", "limit"});
    if (!options.max_running.empty()) {
      running = &registry->AddGaugeFamily(
          "grpc_server_calls_running",
          "Calls running now of the methods with a cap on running calls.", {"method"});
    }
  }
  for (const CallLimitOptions::RunningCap& cap : options.max_running) {
    auto capped = std::make_unique<Capped>();
    capped->max = cap.max;
    capped->setting = cap.setting;
    if (running != nullptr) capped->gauge = &running->Labels({cap.method});
    capped_[cap.method] = std::move(capped);
  }
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CallLimits::NewInterceptorFactory() {
  return std::make_unique<Factory>(&capped_);
}

int CallLimits::running(absl::string_view method) const {
  auto it = capped_.find(method);
  return it == capped_.end() ? 0 : it->second->running.load(std::memory_order_acquire);
}

grpc::Status CallLimits::Admit(absl::string_view method, absl::string_view caller) const {
  if (!rate_.Allow(caller, absl::Now())) {
    if (refused_ != nullptr) refused_->Labels({method, "rate"}).Increment();
    spdlog::debug("refused {} for {}: request rate", std::string(method), std::string(caller));
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrFormat("request rate of %s over limits.requests_per_second = %g (burst %g); "
                        "retry later",
                        std::string(caller), rate_.per_second(), rate_.burst()));
  }
  auto it = capped_.find(method);
  if (it != capped_.end()) {
    // Includes this call, counted at its arrival.
    const int running = it->second->running.load(std::memory_order_acquire);
    if (running > it->second->max) {
      if (refused_ != nullptr) refused_->Labels({method, "running"}).Increment();
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat(method, ": ", it->second->max, " calls already running (",
                                       it->second->setting, " = ", it->second->max,
                                       "); retry later"));
    }
  }
  return grpc::Status::OK;
}

}  // namespace goprobe::rpc
