#include "clients/goconvert/store_sink.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/flow/flow_proto.h"

namespace goprobe::goconvert {
namespace {

// The spool file's header beside the batch (batch_spool.h).
constexpr uint64_t kSpoolFileOverhead = 16;

}  // namespace

absl::StatusOr<std::unique_ptr<StoreSink>> StoreSink::Open(StoreSinkOptions options) {
  absl::StatusOr<std::unique_ptr<ship::BatchSpool>> spool =
      ship::BatchSpool::Open(options.spool_dir, options.spool_max_bytes);
  if (!spool.ok()) return spool.status();
  auto sink = std::unique_ptr<StoreSink>(new StoreSink(std::move(options), std::move(*spool)));
  absl::Status started = sink->shipper_->Start();
  if (!started.ok()) {
    return absl::Status(started.code(), absl::StrCat("store ", sink->options_.shipper.address,
                                                     ": ", started.message()));
  }
  return sink;
}

StoreSink::StoreSink(StoreSinkOptions options, std::unique_ptr<ship::BatchSpool> spool)
    : options_(std::move(options)), spool_(std::move(spool)) {
  ship::ShipperOptions shipper = options_.shipper;
  shipper.on_ack = [this](const v1::IngestAck& ack) { OnAck(ack); };
  shipper_ = std::make_unique<ship::BatchShipper>(spool_.get(), std::move(shipper));
  last_ack_ = absl::Now();
}

StoreSink::~StoreSink() {
  if (shipper_) shipper_->Stop();
}

void StoreSink::OnAck(const v1::IngestAck& ack) {
  absl::MutexLock lock(&mu_);
  last_ack_ = absl::Now();
  auto it = queued_.find(ack.sequence());
  if (it == queued_.end()) return;  // not this run's (cannot happen with a fresh spool)
  switch (ack.result()) {
    case v1::IngestAck::RESULT_STORED:
      stored_ifaces_.insert(it->second.iface);
      break;
    case v1::IngestAck::RESULT_DUPLICATE:
      duplicates_.push_back(std::move(it->second));
      break;
    default:
      rejected_.emplace_back(std::move(it->second), ack.message());
      break;
  }
  queued_.erase(it);
}

absl::Status StoreSink::WaitWhileAcked(const std::function<bool()>& done,
                                       absl::string_view waiting_for) {
  for (;;) {
    if (done()) return absl::OkStatus();
    {
      absl::MutexLock lock(&mu_);
      if (absl::Now() - last_ack_ > options_.stall_timeout) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  const ship::ShipperStats stats = shipper_->stats();
  return absl::DeadlineExceededError(absl::StrCat(
      "store ", options_.shipper.address, " acknowledged nothing for ",
      absl::FormatDuration(options_.stall_timeout), " while ", waiting_for, " (",
      stats.last_error.empty() ? "no error seen" : stats.last_error, "); ", spool_->depth(),
      " blocks not stored"));
}

absl::Status StoreSink::WriteBlock(absl::string_view iface, int64_t time,
                                   absl::Span<const flow::FlowRow> rows,
                                   const BlockOrigin& origin) {
  v1::FlowBatch batch;
  batch.set_host_id(options_.identity.host_id);
  batch.set_hostname(options_.identity.hostname);
  batch.set_iface(std::string(iface));
  batch.set_block_time(time);
  // Imported blocks carry no capture statistics (godb_sink.h says why).
  batch.mutable_capture();
  if (absl::Status s = flow::SetBatchRows(rows, &batch); !s.ok()) return s;
  const uint64_t bytes = batch.ByteSizeLong() + kSpoolFileOverhead;
  if (bytes > options_.spool_max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(bytes, " bytes encoded, more than the spool's ",
                                                     options_.spool_max_bytes));
  }
  // Never let the spool make room by dropping an unshipped block.
  absl::Status room = WaitWhileAcked(
      [&] { return spool_->bytes() + bytes <= options_.spool_max_bytes; }, "the spool was full");
  if (!room.ok()) return room;
  {
    // Held across Add, so an acknowledgement finds the block queued.
    absl::MutexLock lock(&mu_);
    absl::StatusOr<uint64_t> sequence = spool_->Add(std::move(batch));
    if (!sequence.ok()) return sequence.status();
    queued_[*sequence] = Queued{std::string(iface), time, std::string(origin.where),
                                origin.lines, static_cast<int64_t>(rows.size())};
  }
  shipper_->Notify();
  return absl::OkStatus();
}

absl::Status StoreSink::Finish(bool skip_existing, ImportStats* stats) {
  absl::Status drained = WaitWhileAcked(
      [&] {
        absl::MutexLock lock(&mu_);
        return queued_.empty();
      },
      "waiting for the last blocks");
  shipper_->Stop();

  absl::MutexLock lock(&mu_);
  // What was queued but never acknowledged is not stored either.
  for (const auto& [sequence, q] : queued_) rejected_.emplace_back(q, "");
  const auto unwrite = [stats](const Queued& q) {
    --stats->blocks_written;
    stats->rows_written -= q.lines;
    stats->flows_written -= q.flows;
  };
  for (const Queued& q : duplicates_) {
    unwrite(q);
    ++stats->existing_blocks_skipped;
    stats->existing_rows_skipped += q.lines;
  }
  std::vector<std::string> lines;
  for (const auto& [q, why] : rejected_) {
    unwrite(q);
    stats->rows_unwritten += q.lines;
    if (!why.empty()) {
      lines.push_back(absl::StrCat(q.where, ": ", BlockName(q.iface, q.time),
                                   ": rejected by the store: ", why));
    }
  }
  // The importer counted an interface once a block of it was queued.
  stats->interfaces_written = stored_ifaces_;
  if (!drained.ok()) return drained;
  if (!lines.empty()) return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  if (!duplicates_.empty() && !skip_existing) {
    const Queued& first = duplicates_.front();
    return absl::AlreadyExistsError(absl::StrCat(
        first.where, ": ", BlockName(first.iface, first.time), duplicates_.size() > 1
            ? absl::StrCat(" and ", duplicates_.size() - 1, " more blocks were")
            : " was",
        " already stored; the store kept what it had (--skip-existing skips such blocks)"));
  }
  return absl::OkStatus();
}

}  // namespace goprobe::goconvert
