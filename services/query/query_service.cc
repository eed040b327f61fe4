#include "services/query/query_service.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/godb/godb_proto.h"
#include "lib/godb/interface_summary.h"
#include "lib/godb/layout.h"
#include "lib/query/interface_selector.h"
#include "lib/flow/flow_proto.h"
#include "lib/query/query_engine.h"
#include "services/query/fan_out.h"
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
  if (auth_ != nullptr) {
    grpc::Status allowed = auth_->Check(*context, "Query.Run");
    if (!allowed.ok()) return RefusedRun(std::move(allowed));
  }
  absl::StatusOr<QuerySpec> spec = SpecFromRequest(*request, compile_condition_, options_.limits);
  if (!spec.ok()) return RefusedRun(QueryStatusToGrpc(spec.status()));
  spec->threads = options_.threads;
  // A gRPC deadline bounds the scan too.
  const absl::Time grpc_deadline = absl::FromChrono(context->deadline());
  if (grpc_deadline < spec->deadline) spec->deadline = grpc_deadline;
  const bool progress = request->progress_interval_ms() != 0;
  // Shared: a spec holds compiled regexes and cannot be copied into a std::function.
  auto shared = std::make_shared<QuerySpec>(std::move(*spec));
  const bool live = request->live();
  v1::DnsResolution dns = request->partial() ? v1::DnsResolution() : request->dns();
  auto calls = std::make_shared<ClientCallCanceller>();
  auto produce = [this, shared, progress, live, dns, calls](const RunReactor::Push& push,
                                                            const std::atomic<bool>& cancelled) {
    return RunLeafQuery(std::move(*shared), progress, live, dns, calls.get(), push, cancelled);
  };
  return new RunReactor(std::move(produce), std::move(calls));
}

void LeafQueryService::FoldLiveWindow(const LiveWindow& window, bool partial, QuerySpec* spec,
                                      QueryResult* result) const {
  std::vector<std::string> ifaces;
  std::vector<int64_t> times;
  std::vector<ResultRow> live_rows = AggregateLiveWindow(*spec, window, reader_, &ifaces, &times);
  spec->partial = partial;
  std::vector<ResultRow> merged = MergeRows({&result->rows, &live_rows});
  if (partial) {
    result->rows = std::move(merged);
    result->totals = {};
    for (const ResultRow& r : result->rows) result->totals += r.counters;
    result->hits_total = result->rows.size();
  } else {
    FinishMergedRows(*spec, std::move(merged), result);
  }
  for (int64_t t : times) {
    if (result->time_first == 0 || t < result->time_first) result->time_first = t;
    result->time_last = std::max(result->time_last, t);
  }
  for (std::string& i : ifaces) result->interfaces.push_back(std::move(i));
  std::sort(result->interfaces.begin(), result->interfaces.end());
  result->interfaces.erase(std::unique(result->interfaces.begin(), result->interfaces.end()),
                           result->interfaces.end());
}

grpc::Status LeafQueryService::RunLeafQuery(QuerySpec spec, bool progress, bool live,
                                            v1::DnsResolution dns, ClientCallCanceller* calls,
                                            const RunReactor::Push& push,
                                            const std::atomic<bool>& cancelled) const {
  const absl::Time start = absl::Now();
  std::vector<std::string> warnings;
  std::optional<LiveWindow> window;
  if (live && options_.live == nullptr) {
    warnings.push_back("live window not counted: this goqueryd has no probe configured (--probe)");
  } else if (live) {
    // Taken before the scan: a window that rotates into goDB meanwhile is
    // found there afterwards and left out, never counted twice.
    absl::StatusOr<LiveWindow> fetched = options_.live->Fetch(calls);
    if (fetched.ok()) {
      window = std::move(*fetched);
    } else {
      warnings.push_back(
          absl::StrCat("live window not counted: ", fetched.status().message()));
    }
  }
  const bool partial = spec.partial;
  // Live rows merge with the stored ones before direction, sort and cut.
  if (window) spec.partial = true;
  spec.cancelled = &cancelled;
  if (progress) {
    spec.progress = [&push, start](const ScanStats& scan) {
      v1::QueryResponse m;
      *m.mutable_progress() = ProgressToProto(scan, absl::Now() - start);
      push(std::move(m));
    };
  }
  absl::StatusOr<QueryResult> result = RunQuery(reader_, spec);
  if (!result.ok()) return QueryStatusToGrpc(result.status());
  if (window) FoldLiveWindow(*window, partial, &spec, &*result);
  // The engine knows no hosts: this leaf labels its rows with itself.
  if (spec.attributes.Has(Attribute::kHost) || spec.attributes.Has(Attribute::kHostId)) {
    for (ResultRow& r : result->rows) {
      if (spec.attributes.Has(Attribute::kHost)) r.hostname = identity_.hostname;
      if (spec.attributes.Has(Attribute::kHostId)) r.host_id = identity_.host_id;
    }
  }
  absl::Duration dns_took;
  const dns::AddressNames names = ResolveRowNames(result->rows, spec.attributes, dns, &dns_took);
  for (v1::QueryResponse& chunk :
       RowsToChunks(result->rows, spec.attributes, options_.rows_per_chunk,
                    dns.enabled() ? &names : nullptr)) {
    push(std::move(chunk));
  }
  v1::QueryResponse status;
  v1::HostStatus* host = status.mutable_host_status();
  host->set_hostname(identity_.hostname);
  host->set_host_id(identity_.host_id);
  host->set_code(result->hits_total == 0 ? v1::HostStatus::CODE_EMPTY : v1::HostStatus::CODE_OK);
  for (const std::string& p : result->problems) host->add_warnings(p);
  for (const std::string& w : warnings) host->add_warnings(w);
  host->mutable_timings()->set_query_start_unix_us(absl::ToUnixMicros(start));
  host->mutable_timings()->set_query_duration_us(absl::ToInt64Microseconds(result->duration));
  host->mutable_timings()->set_dns_duration_us(absl::ToInt64Microseconds(dns_took));
  *host->mutable_scan() = ProgressToProto(result->scan, result->duration).scan();
  push(status);

  v1::QueryResponse summary_message;
  v1::Summary* summary = summary_message.mutable_summary();
  summary->set_hostname(identity_.hostname);
  flow::CountersToProto(result->totals, summary->mutable_totals());
  summary->set_hits_displayed(result->rows.size());
  summary->set_hits_total(result->hits_total);
  summary->set_time_first(result->time_first);
  summary->set_time_last(result->time_last);
  for (const std::string& i : result->interfaces) summary->add_interfaces(i);
  *summary->mutable_timings() = host->timings();
  *summary->mutable_scan() = host->scan();
  // Time bins exist only when time is grouped.
  summary->set_resolution_seconds(
      spec.attributes.Has(Attribute::kTime) ? uint32_t(spec.resolution) : 0);
  push(std::move(summary_message));
  return grpc::Status::OK;
}

}  // namespace goprobe::query
