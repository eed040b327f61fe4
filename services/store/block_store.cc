#include "services/store/block_store.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "lib/godb/column.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/godb_proto.h"
#include "lib/godb/layout.h"
#include "lib/godb/retention.h"
#include "spdlog/spdlog.h"

namespace goprobe::store {

absl::StatusOr<std::unique_ptr<BlockStore>> BlockStore::Open(const std::string& db_path,
                                                             host::HostIdentity identity,
                                                             godb::WriterOptions options,
                                                             StoreMetrics* metrics,
                                                             RetentionPolicy retention) {
  absl::StatusOr<std::unique_ptr<godb::DbWriter>> writer =
      godb::DbWriter::Open(db_path, std::move(options));
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<BlockStore>(
      new BlockStore(std::move(*writer), std::move(identity), metrics, retention));
}

BlockStore::BlockStore(std::unique_ptr<godb::DbWriter> writer, host::HostIdentity identity,
                       StoreMetrics* metrics, RetentionPolicy retention)
    : writer_(std::move(writer)),
      reader_(writer_->path()),
      identity_(std::move(identity)),
      metrics_(metrics),
      retention_(retention),
      thread_([this] { Run(); }) {}

BlockStore::~BlockStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void BlockStore::Submit(const v1::FlowBatch& header, std::vector<flow::FlowRow> rows, Done done) {
  absl::MutexLock lock(&mu_);
  queue_.push_back({header, std::move(rows), std::move(done)});
  if (metrics_ != nullptr) metrics_->write_queue.Increment();
}

void BlockStore::Run() {
  for (;;) {
    if (retention_.enabled() && absl::Now() >= next_retention_check_) EnforceRetention();
    Job job;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = absl::Condition(
          +[](BlockStore* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stopping_ || !s->queue_.empty();
          },
          this);
      if (retention_.enabled()) {
        if (!mu_.AwaitWithDeadline(ready, next_retention_check_)) continue;  // check is due
      } else {
        mu_.Await(ready);
      }
      if (queue_.empty()) return;  // stopping, and everything queued is written
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (metrics_ != nullptr) metrics_->write_queue.Decrement();
    const std::string day_dir =
        retention_.max_bytes > 0 && godb::ValidateInterfaceName(job.header.iface()).ok() &&
                godb::ValidateBlockTime(job.header.block_time()).ok()
            ? godb::DayDirectory(writer_->path(), job.header.iface(),
                                 godb::DayStart(job.header.block_time()))
            : std::string();
    const uint64_t day_before = day_dir.empty() ? 0 : godb::DirectoryBytes(day_dir);
    const uint64_t before =
        metrics_ != nullptr ? DayBytes(job.header.iface(), job.header.block_time()) : 0;
    const absl::Time start = absl::Now();
    absl::StatusOr<v1::IngestAck> ack = Write(job);
    const absl::Duration took = absl::Now() - start;
    const bool stored = ack.ok() && ack->result() == v1::IngestAck::RESULT_STORED;
    if (metrics_ != nullptr) {
      const uint64_t after =
          stored ? DayBytes(job.header.iface(), job.header.block_time()) : before;
      Count(ack, job.rows.size(), took, after > before ? after - before : 0);
    }
    job.done(std::move(ack));
    if (stored && !day_dir.empty()) {
      const uint64_t day_after = godb::DirectoryBytes(day_dir);
      db_bytes_ += day_after > day_before ? day_after - day_before : 0;
      if (metrics_ != nullptr) metrics_->database_bytes.Set(double(db_bytes_));
      if (db_bytes_ > uint64_t(retention_.max_bytes)) EnforceRetention();
    }
  }
}

void BlockStore::EnforceRetention() {
  next_retention_check_ = absl::Now() + retention_.check_interval;
  absl::StatusOr<std::vector<godb::StoredDay>> days = godb::ListStoredDays(reader_);
  if (!days.ok()) {
    if (metrics_ != nullptr) metrics_->retention_errors.Increment();
    spdlog::error("gostore: retention: cannot list the days of {}: {}", writer_->path(),
                  days.status().ToString());
    return;
  }
  uint64_t total = 0;
  for (const godb::StoredDay& d : *days) total += d.bytes;
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (const DayToDelete& d : PlanDeletions(*days, now, retention_)) {
    const godb::DayPartition& p = d.day.partition;
    absl::StatusOr<uint64_t> freed = writer_->DeleteDay(p.iface, p.day_start);
    if (!freed.ok()) {
      if (metrics_ != nullptr) metrics_->retention_errors.Increment();
      spdlog::error("gostore: retention: cannot delete {}: {}", p.dir, freed.status().ToString());
      continue;
    }
    total -= std::min(total, d.day.bytes);
    if (metrics_ != nullptr) {
      metrics_->days_deleted.Labels({ReasonName(d.reason)}).Increment();
      metrics_->bytes_freed.Increment(*freed);
    }
    spdlog::info("gostore: retention: deleted {} ({} bytes; {})", p.dir, *freed,
                 d.reason == DayToDelete::Reason::kAge ? "older than the age limit"
                                                       : "over the size limit");
  }
  db_bytes_ = total;
  if (metrics_ != nullptr) metrics_->database_bytes.Set(double(db_bytes_));
  const bool over = retention_.max_bytes > 0 && total > uint64_t(retention_.max_bytes);
  if (over && !over_limit_reported_) {
    spdlog::warn("gostore: retention: the database takes {} bytes, over its limit of {}, but "
                 "only the days being written are left",
                 total, retention_.max_bytes);
  }
  over_limit_reported_ = over;
}

absl::StatusOr<v1::IngestAck> BlockStore::Write(Job& job) {
  const v1::FlowBatch& h = job.header;
  v1::IngestAck ack;
  ack.set_host_id(h.host_id());
  ack.set_iface(h.iface());
  ack.set_block_time(h.block_time());
  ack.set_sequence(h.sequence());
  if (h.host_id() != identity_.host_id) {
    ack.set_result(v1::IngestAck::RESULT_REJECTED);
    ack.set_message(absl::StrCat("this store holds the flows of host ", identity_.hostname, " (id ",
                                 identity_.host_id, "), not of ", h.hostname(), " (id ",
                                 h.host_id(), ")"));
    return ack;
  }
  absl::Status s = writer_->WriteBlock(h.iface(), h.block_time(), job.rows,
                                       godb::CaptureStatsFromProto(h.capture()));
  if (s.ok()) {
    ack.set_result(v1::IngestAck::RESULT_STORED);
    ack.set_rows_written(job.rows.size());
  } else if (absl::IsAlreadyExists(s)) {
    ack.set_result(v1::IngestAck::RESULT_DUPLICATE);
    ack.set_message(std::string(s.message()));
  } else if (absl::IsInvalidArgument(s)) {
    ack.set_result(v1::IngestAck::RESULT_REJECTED);
    ack.set_message(std::string(s.message()));
  } else {
    return s;  // not durable: the sender keeps the batch and retries
  }
  return ack;
}

void BlockStore::Count(const absl::StatusOr<v1::IngestAck>& ack, size_t rows, absl::Duration took,
                       uint64_t bytes) {
  if (!ack.ok()) {
    metrics_->write_errors.Increment();
    return;
  }
  switch (ack->result()) {
    case v1::IngestAck::RESULT_STORED:
      metrics_->stored.Increment();
      metrics_->rows_written.Increment(rows);
      metrics_->bytes_written.Increment(bytes);
      metrics_->write_seconds.ObserveDuration(took);
      metrics_->last_write.Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
      break;
    case v1::IngestAck::RESULT_DUPLICATE: metrics_->duplicates.Increment(); break;
    default: metrics_->rejected.Increment(); break;
  }
}

uint64_t BlockStore::DayBytes(absl::string_view iface, int64_t time) const {
  if (!godb::ValidateInterfaceName(iface).ok() || !godb::ValidateBlockTime(time).ok()) return 0;
  const std::string dir = godb::DayDirectory(writer_->path(), iface, godb::DayStart(time));
  uint64_t total = 0;
  struct stat st;
  for (int f = 0; f < godb::kNumFiles; ++f) {
    if (::stat(absl::StrCat(dir, "/", godb::DataFileName(f)).c_str(), &st) == 0) total += st.st_size;
  }
  if (::stat(absl::StrCat(dir, "/", godb::kMetadataFileName).c_str(), &st) == 0) total += st.st_size;
  return total;
}

absl::StatusOr<std::vector<godb::InterfaceSummary>> BlockStore::Summaries(
    const std::vector<std::string>& ifaces, int64_t first, int64_t last) const {
  std::vector<godb::ScanProblem> problems;
  return godb::SummarizeInterfaces(reader_, ifaces, first, last, &problems);
}

}  // namespace goprobe::store
