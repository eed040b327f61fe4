#include "clients/goquery/embedded_query.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/db_reader.h"
#include "lib/query/condition_row_selector.h"
#include "lib/query/interface_selector.h"
#include "lib/query/query_engine.h"
#include "lib/query/query_proto.h"

namespace goprobe::goquery {

host::HostIdentity LocalIdentityForLabels() {
  absl::StatusOr<host::HostIdentity> identity = host::LocalHostIdentity();
  if (identity.ok()) return *identity;
  host::HostIdentity fallback;
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) == 0) fallback.hostname = name;
  return fallback;
}

absl::Status RunEmbeddedQuery(const EmbeddedSource& source, const v1::QueryRequest& request,
                              AnswerSink* sink) {
  const godb::DbReader db(source.db_path);
  absl::StatusOr<std::vector<std::string>> available = db.Interfaces();
  if (!available.ok()) {
    if (absl::IsNotFound(available.status())) {
      std::error_code ec;
      return absl::NotFoundError(
          std::filesystem::is_directory(source.db_path, ec)
              ? absl::StrCat(source.db_path, " holds no goDB yet (no interface directories)")
              : absl::StrCat("no goDB at ", source.db_path, ": no such directory"));
    }
    return available.status();
  }
  // On one host a misspelt interface must not read as "no traffic".
  absl::StatusOr<query::InterfaceSelector> selector =
      query::InterfaceSelector::FromProto(request.interfaces());
  if (!selector.ok()) return selector.status();
  absl::StatusOr<std::vector<std::string>> selected = selector->SelectAll(*available);
  if (!selected.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("-i: ", selected.status().message()));
  }

  absl::StatusOr<query::QuerySpec> spec =
      query::SpecFromRequest(request, query::CompileCondition, query::ServerLimits{});
  if (!spec.ok()) return spec.status();
  spec->threads = source.threads;
  const absl::Time start = absl::Now();
  if (request.progress_interval_ms() != 0) {
    spec->progress = [sink, start](const query::ScanStats& scan) {
      v1::Progress p = query::ProgressToProto(scan, absl::Now() - start);
      p.set_hosts_total(1);
      sink->OnProgress(p);
    };
  }
  absl::StatusOr<query::QueryResult> result = query::RunQuery(db, *spec);
  if (!result.ok()) return result.status();

  const bool host = spec->attributes.Has(query::Attribute::kHost);
  const bool host_id = spec->attributes.Has(query::Attribute::kHostId);
  for (query::ResultRow& r : result->rows) {
    if (host) r.hostname = source.identity.hostname;
    if (host_id) r.host_id = source.identity.host_id;
  }
  const size_t displayed = result->rows.size();
  if (absl::Status s = sink->OnRows(std::move(result->rows)); !s.ok()) return s;

  v1::HostStatus status;
  status.set_hostname(source.identity.hostname);
  status.set_host_id(source.identity.host_id);
  status.set_code(result->hits_total == 0 ? v1::HostStatus::CODE_EMPTY : v1::HostStatus::CODE_OK);
  for (const std::string& p : result->problems) status.add_warnings(p);
  status.mutable_timings()->set_query_start_unix_us(absl::ToUnixMicros(start));
  status.mutable_timings()->set_query_duration_us(
      uint64_t(absl::ToInt64Microseconds(result->duration)));
  *status.mutable_scan() = query::ProgressToProto(result->scan, result->duration).scan();
  sink->OnHostStatus(status);

  v1::Summary summary;
  summary.set_hostname(source.identity.hostname);
  flow::CountersToProto(result->totals, summary.mutable_totals());
  summary.set_hits_displayed(displayed);
  summary.set_hits_total(result->hits_total);
  summary.set_time_first(result->time_first);
  summary.set_time_last(result->time_last);
  for (const std::string& i : result->interfaces) summary.add_interfaces(i);
  *summary.mutable_timings() = status.timings();
  *summary.mutable_scan() = status.scan();
  if (spec->attributes.Has(query::Attribute::kTime)) {
    summary.set_resolution_seconds(uint32_t(spec->resolution));
  }
  return sink->OnSummary(summary);
}

}  // namespace goprobe::goquery
