#include "services/query/run_reactor.h"

#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/query/query_engine.h"
#include "lib/query/query_proto.h"

namespace goprobe::query {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()));
    case absl::StatusCode::kResourceExhausted:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, std::string(s.message()));
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, std::string(s.message()));
    case absl::StatusCode::kCancelled:
      return grpc::Status(grpc::StatusCode::CANCELLED, std::string(s.message()));
    default:
      return grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
  }
}

}  // namespace

RunReactor::RunReactor(const godb::DbReader* reader, host::HostIdentity identity, QuerySpec spec,
                       bool report_progress, size_t rows_per_chunk)
    : reader_(reader),
      identity_(std::move(identity)),
      spec_(std::move(spec)),
      report_progress_(report_progress),
      rows_per_chunk_(rows_per_chunk) {
  worker_ = std::thread([this] { Work(); });
}

void RunReactor::Work() {
  const absl::Time start = absl::Now();
  spec_.cancelled = &cancelled_;
  if (report_progress_) {
    spec_.progress = [this, start](const ScanStats& scan) {
      v1::QueryResponse m;
      *m.mutable_progress() = ProgressToProto(scan, absl::Now() - start);
      Push(std::move(m));
    };
  }
  absl::StatusOr<QueryResult> result = RunQuery(*reader_, spec_);
  if (!result.ok()) {
    Close(ToGrpc(result.status()));
    return;
  }
  for (v1::QueryResponse& chunk : RowsToChunks(result->rows, spec_.attributes, rows_per_chunk_)) {
    Push(std::move(chunk));
  }
  v1::QueryResponse status;
  v1::HostStatus* host = status.mutable_host_status();
  host->set_hostname(identity_.hostname);
  host->set_host_id(identity_.host_id);
  host->set_code(result->hits_total == 0 ? v1::HostStatus::CODE_EMPTY : v1::HostStatus::CODE_OK);
  for (const std::string& p : result->problems) host->add_warnings(p);
  host->mutable_timings()->set_query_start_unix_us(absl::ToUnixMicros(start));
  host->mutable_timings()->set_query_duration_us(absl::ToInt64Microseconds(result->duration));
  *host->mutable_scan() = ProgressToProto(result->scan, result->duration).scan();
  Push(status);

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
  summary->set_resolution_seconds(uint32_t(spec_.resolution));
  Push(std::move(summary_message));
  Close(grpc::Status::OK);
}

void RunReactor::Push(v1::QueryResponse message) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  // Progress is only worth sending when the client keeps up.
  if (message.has_progress() && queue_.size() > 2) return;
  queue_.push_back(std::move(message));
  if (!writing_) {
    writing_ = true;
    StartWrite(&queue_.front());
  }
}

void RunReactor::Close(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  status_ = std::move(status);
  MaybeFinishLocked();
}

void RunReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  queue_.pop_front();
  writing_ = false;
  if (!ok) {
    cancelled_ = true;  // the client is gone: stop scanning
    queue_.clear();
  } else if (!queue_.empty()) {
    writing_ = true;
    StartWrite(&queue_.front());
  }
  MaybeFinishLocked();
}

void RunReactor::MaybeFinishLocked() {
  if (finished_ || !closed_ || writing_) return;
  finished_ = true;
  Finish(status_);
}

void RunReactor::OnDone() {
  worker_.join();
  delete this;
}

}  // namespace goprobe::query
