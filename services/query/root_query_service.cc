#include "services/query/root_query_service.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/layout.h"
#include "services/query/fan_out.h"
#include "services/query/list_interfaces_fan_out.h"
#include "services/query/run_reactor.h"

namespace goprobe::query {

grpc::ServerWriteReactor<v1::QueryResponse>* RootQueryService::Run(
    grpc::CallbackServerContext* context, const v1::QueryRequest* request) {
  if (auth_ != nullptr) {
    grpc::Status allowed = auth_->Check(*context, "Query.Run");
    if (!allowed.ok()) return RefusedRun(std::move(allowed));
  }
  // Validated here so a bad request fails once, not once per leaf.
  absl::StatusOr<QuerySpec> spec = SpecFromRequest(*request, compile_condition_, {});
  if (!spec.ok()) return RefusedRun(QueryStatusToGrpc(spec.status()));
  auto shared_spec = std::make_shared<QuerySpec>(std::move(*spec));
  v1::QueryRequest leaf_request = *request;
  leaf_request.set_partial(true);
  leaf_request.clear_dns();
  leaf_request.set_progress_interval_ms(0);
  leaf_request.set_resolution_seconds(uint32_t(shared_spec->resolution));
  const absl::Duration host_timeout = request->host_timeout_ms() != 0
                                          ? absl::Milliseconds(request->host_timeout_ms())
                                          : options_.host_timeout;
  const bool progress = request->progress_interval_ms() != 0;
  auto calls = std::make_shared<ClientCallCanceller>();
  const v1::DnsResolution dns = request->dns();
  auto produce = [this, shared_spec, leaf_request, host_timeout, progress, dns, calls](
                     const RunReactor::Push& push, const std::atomic<bool>& cancelled) {
    const absl::Time start = absl::Now();
    const std::vector<Peer> leaves = peers_.Resolve();
    std::vector<LeafAnswer> answers = FanOutRun(
        &leaf_client_, leaves, leaf_request, host_timeout, options_.max_concurrent, calls.get(),
        [&](size_t done) {
          if (!progress) return;
          v1::QueryResponse m;
          m.mutable_progress()->set_hosts_total(uint32_t(leaves.size()));
          m.mutable_progress()->set_hosts_done(uint32_t(done));
          m.mutable_progress()->set_elapsed_us(absl::ToInt64Microseconds(absl::Now() - start));
          push(std::move(m));
        });
    if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");

    // One host reached at two addresses (say IPv4 and IPv6) counts once.
    absl::flat_hash_set<uint64_t> hosts_seen;
    std::vector<std::vector<ResultRow>*> parts;
    QueryResult merged;
    int64_t first = 0, last = 0;
    absl::flat_hash_set<std::string> ifaces;
    for (LeafAnswer& a : answers) {
      if (!a.ok) continue;
      if (!hosts_seen.insert(a.status.host_id()).second) {
        a.ok = false;
        a.status.add_warnings("same host as another peer address; counted once");
        continue;
      }
      parts.push_back(&a.rows);
      if (a.summary.time_first() != 0 && (first == 0 || a.summary.time_first() < first)) {
        first = a.summary.time_first();
      }
      last = std::max(last, a.summary.time_last());
      for (const std::string& i : a.summary.interfaces()) ifaces.insert(i);
    }
    // Leaves answered with raw counters; direction, totals, hits, sort and
    // cut apply to the merged rows only.
    FinishMergedRows(*shared_spec, MergeRows(parts), &merged);
    absl::Duration dns_took;
    const dns::AddressNames names =
        ResolveRowNames(merged.rows, shared_spec->attributes, dns, &dns_took);
    for (v1::QueryResponse& chunk :
         RowsToChunks(merged.rows, shared_spec->attributes, options_.rows_per_chunk,
                      dns.enabled() ? &names : nullptr)) {
      push(std::move(chunk));
    }
    for (LeafAnswer& a : answers) {
      v1::QueryResponse m;
      *m.mutable_host_status() = std::move(a.status);
      push(std::move(m));
    }
    v1::QueryResponse summary_message;
    v1::Summary* summary = summary_message.mutable_summary();
    summary->set_hostname(identity_.hostname);
    flow::CountersToProto(merged.totals, summary->mutable_totals());
    summary->set_hits_displayed(merged.rows.size());
    summary->set_hits_total(merged.hits_total);
    summary->set_time_first(first);
    summary->set_time_last(last);
    std::vector<std::string> sorted(ifaces.begin(), ifaces.end());
    std::sort(sorted.begin(), sorted.end());
    for (const std::string& i : sorted) summary->add_interfaces(i);
    summary->mutable_timings()->set_query_start_unix_us(absl::ToUnixMicros(start));
    summary->mutable_timings()->set_dns_duration_us(absl::ToInt64Microseconds(dns_took));
    summary->mutable_timings()->set_query_duration_us(
        absl::ToInt64Microseconds(absl::Now() - start));
    summary->set_resolution_seconds(
        shared_spec->attributes.Has(Attribute::kTime) ? uint32_t(shared_spec->resolution) : 0);
    push(std::move(summary_message));
    return grpc::Status::OK;
  };
  return new RunReactor(std::move(produce), std::move(calls));
}

grpc::ServerUnaryReactor* RootQueryService::ListInterfaces(
    grpc::CallbackServerContext* context, const v1::QueryListInterfacesRequest* request,
    v1::QueryListInterfacesResponse* response) {
  if (auth_ != nullptr) {
    grpc::Status allowed = auth_->Check(*context, "Query.ListInterfaces");
    if (!allowed.ok()) {
      grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
      reactor->Finish(std::move(allowed));
      return reactor;
    }
  }
  const absl::Duration host_timeout = request->host_timeout_ms() != 0
                                          ? absl::Milliseconds(request->host_timeout_ms())
                                          : options_.host_timeout;
  return ListInterfacesFanOut::Start(&leaf_client_, peers_.Resolve(), *request, response,
                                     host_timeout);
}

}  // namespace goprobe::query
