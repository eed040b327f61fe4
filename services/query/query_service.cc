#include "services/query/query_service.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "lib/godb/godb_proto.h"
#include "lib/godb/interface_summary.h"
#include "lib/godb/layout.h"
#include "lib/query/interface_selector.h"
#include "services/query/run_reactor.h"

namespace goprobe::query {

grpc::ServerUnaryReactor* LeafQueryService::ListInterfaces(
    grpc::CallbackServerContext* context, const v1::QueryListInterfacesRequest* request,
    v1::QueryListInterfacesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (rpc::RefuseUnauthorized(auth_, context, reactor, "Query.ListInterfaces")) return reactor;
  const auto start = std::chrono::steady_clock::now();
  const int64_t first = request->first();
  const int64_t last = request->last() == 0 ? godb::kMaxBlockTime : request->last();
  if (first < 0 || last < first) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "time range: want 0 <= first <= last (last 0 means no end)"));
    return reactor;
  }
  absl::StatusOr<InterfaceSelector> selector = InterfaceSelector::FromProto(request->interfaces());
  if (!selector.ok()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(selector.status().message())));
    return reactor;
  }

  v1::HostStatus* status = response->add_hosts();
  status->set_hostname(identity_.hostname);
  status->set_host_id(identity_.host_id);
  absl::StatusOr<std::vector<std::string>> all = reader_.Interfaces();
  std::vector<std::string> ifaces;
  if (all.ok()) {
    ifaces = selector->Select(*all);
  } else if (!absl::IsNotFound(all.status())) {
    status->set_code(v1::HostStatus::CODE_ERROR);
    status->set_message(std::string(all.status().message()));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  std::vector<godb::ScanProblem> problems;
  absl::StatusOr<std::vector<godb::InterfaceSummary>> summaries =
      ifaces.empty() ? std::vector<godb::InterfaceSummary>{}
                     : godb::SummarizeInterfaces(reader_, ifaces, first, last, &problems);
  if (!summaries.ok()) {
    status->set_code(v1::HostStatus::CODE_ERROR);
    status->set_message(std::string(summaries.status().message()));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  for (const godb::ScanProblem& p : problems) {
    status->add_warnings(absl::StrCat(p.where, ": ", p.status.message()));
  }
  status->set_code(summaries->empty() ? v1::HostStatus::CODE_EMPTY : v1::HostStatus::CODE_OK);
  for (const godb::InterfaceSummary& s : *summaries) {
    godb::InterfaceSummaryToProto(s, identity_, response->add_interfaces());
  }
  status->mutable_timings()->set_query_duration_us(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                            start)
          .count());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<v1::QueryResponse>* LeafQueryService::Run(
    grpc::CallbackServerContext* context, const v1::QueryRequest* request) {
  const auto refuse = [](grpc::Status status) {
    class Refused final : public grpc::ServerWriteReactor<v1::QueryResponse> {
     public:
      explicit Refused(grpc::Status s) { Finish(std::move(s)); }
      void OnDone() override { delete this; }
    };
    return new Refused(std::move(status));
  };
  if (auth_ != nullptr) {
    grpc::Status allowed = auth_->Check(*context, "Query.Run");
    if (!allowed.ok()) return refuse(std::move(allowed));
  }
  absl::StatusOr<QuerySpec> spec = SpecFromRequest(*request, compile_condition_, options_.limits);
  if (!spec.ok()) {
    return refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               std::string(spec.status().message())));
  }
  spec->threads = options_.threads;
  // A gRPC deadline bounds the scan too.
  const absl::Time grpc_deadline = absl::FromChrono(context->deadline());
  if (grpc_deadline < spec->deadline) spec->deadline = grpc_deadline;
  return new RunReactor(&reader_, identity_, std::move(*spec),
                        request->progress_interval_ms() != 0, options_.rows_per_chunk);
}

}  // namespace goprobe::query
