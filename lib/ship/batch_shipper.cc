#include "lib/ship/batch_shipper.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <random>

#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/store.grpc.pb.h"
#include "spdlog/spdlog.h"

namespace goprobe::ship {

BatchShipper::BatchShipper(BatchSpool* spool, ShipperOptions options)
    : spool_(spool), options_(std::move(options)) {
  stats_.last_ack = absl::InfinitePast();
  stats_.last_result_time = absl::InfinitePast();
}

BatchShipper::~BatchShipper() { Stop(); }

absl::Status BatchShipper::Start() {
  absl::Status s = rpc::CheckClientTlsAddress(options_.address, options_.tls);
  if (!s.ok()) return s;
  tls_file_times_ = TlsFileTimes();
  absl::StatusOr<rpc::ClientChannelFactory> channels =
      rpc::ClientChannelFactory::Create(options_.tls);
  if (!channels.ok()) return channels.status();
  channels_ = std::move(*channels);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

std::vector<int64_t> BatchShipper::TlsFileTimes() const {
  std::vector<int64_t> times;
  for (const std::string* path :
       {&options_.tls.ca_file, &options_.tls.cert_file, &options_.tls.key_file}) {
    struct stat st;
    times.push_back(!path->empty() && ::stat(path->c_str(), &st) == 0
                        ? int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec
                        : -1);
  }
  return times;
}

std::shared_ptr<grpc::Channel> BatchShipper::Connect() {
  if (options_.tls.enabled) {
    std::vector<int64_t> times = TlsFileTimes();
    if (times != tls_file_times_) {
      tls_file_times_ = std::move(times);
      absl::StatusOr<rpc::ClientChannelFactory> renewed =
          rpc::ClientChannelFactory::Create(options_.tls);
      if (renewed.ok()) {
        spdlog::info("shipper: TLS files changed; using the new ones");
        channels_ = std::move(*renewed);
      } else {
        spdlog::error("shipper: TLS files changed but do not load ({}); keeping the previous ones",
                      std::string(renewed.status().message()));
      }
    }
  }
  return channels_->Connect(options_.address);
}

void BatchShipper::Notify() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  wake_.SignalAll();
}

void BatchShipper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
    if (active_context_ != nullptr) static_cast<grpc::ClientContext*>(active_context_)->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool BatchShipper::WaitUntilDrained(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (spool_->depth() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

ShipperStats BatchShipper::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void BatchShipper::Run() {
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = options_.min_backoff;
  for (;;) {
    {
      // Sleep until there is something to send (or a stop).
      absl::MutexLock lock(&mu_);
      while (!stopping_ && spool_->depth() == 0) wake_.WaitWithTimeout(&mu_, absl::Seconds(1));
      if (stopping_) return;
    }
    const absl::Status ended = RunStream();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stats_.last_error = ended.ok() ? "" : std::string(ended.message());
      if (!ended.ok()) {
        stats_.last_result = ShipperStats::Result::kError;
        stats_.last_result_time = absl::Now();
      }
    }
    if (ended.ok()) {
      backoff = options_.min_backoff;
      continue;
    }
    spdlog::warn("shipper: store {}: {}; retrying in {}", options_.address,
                 std::string(ended.message()), absl::FormatDuration(backoff));
    // Full jitter, so many probes do not reconnect to one store in step.
    const absl::Duration wait =
        backoff * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
    {
      absl::MutexLock lock(&mu_);
      const absl::Time until = absl::Now() + wait;
      while (!stopping_ && absl::Now() < until) wake_.WaitWithDeadline(&mu_, until);
      if (stopping_) return;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::Status BatchShipper::RunStream() {
  auto stub = v1::Store::NewStub(Connect());
  grpc::ClientContext context;
  rpc::AddApiKey(options_.api_key, &context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    active_context_ = &context;
    ++stats_.streams;
    stats_.connected = true;
  }
  auto stream = stub->Ingest(&context);

  // The reader thread turns acknowledgements into spool removals; the writer
  // (this thread) keeps up to `window` batches unacknowledged.
  absl::Mutex window_mu;
  absl::CondVar window_changed;
  std::deque<uint64_t> unacked;  // sequences, in send order
  bool reader_done = false;
  std::thread reader([&] {
    v1::IngestAck ack;
    while (stream->Read(&ack)) {
      // Stats first, then the spool: WaitUntilDrained watches the spool, so
      // once it is empty the stats already count every acknowledgement.
      {
        absl::MutexLock lock(&mu_);
        stats_.last_ack = stats_.last_result_time = absl::Now();
        stats_.last_acked_sequence = std::max(stats_.last_acked_sequence, ack.sequence());
        switch (ack.result()) {
          case v1::IngestAck::RESULT_STORED:
            ++stats_.stored;
            stats_.last_result = ShipperStats::Result::kOk;
            break;
          case v1::IngestAck::RESULT_DUPLICATE:
            ++stats_.duplicates;
            stats_.last_result = ShipperStats::Result::kOk;
            break;
          default:
            ++stats_.rejected;
            stats_.last_result = ShipperStats::Result::kRejected;
            break;
        }
      }
      const absl::Status removed = spool_->Remove(ack.sequence());
      if (ack.result() == v1::IngestAck::RESULT_REJECTED) {
        spdlog::error("shipper: store rejected batch {} of {} at {}: {}; dropped", ack.sequence(),
                      ack.iface(), ack.block_time(), ack.message());
      }
      if (!removed.ok()) spdlog::error("shipper: {}", std::string(removed.message()));
      if (options_.on_ack) options_.on_ack(ack);
      absl::MutexLock lock(&window_mu);
      unacked.erase(std::remove(unacked.begin(), unacked.end(), ack.sequence()), unacked.end());
      window_changed.SignalAll();
    }
    absl::MutexLock lock(&window_mu);
    reader_done = true;
    window_changed.SignalAll();
  });

  absl::Status result;
  uint64_t after = 0;
  for (;;) {
    {
      absl::MutexLock lock(&window_mu);
      if (!reader_done && int(unacked.size()) >= options_.window) {
        window_changed.WaitWithTimeout(&window_mu, absl::Milliseconds(200));
      }
      if (reader_done) break;
      if (int(unacked.size()) >= options_.window) continue;
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    absl::StatusOr<v1::FlowBatch> batch = spool_->Next(after);
    if (!batch.ok()) {
      // Nothing newer: wait for acks or new batches; end the stream once all
      // is acknowledged and the spool is empty.
      absl::MutexLock lock(&window_mu);
      if (unacked.empty() && spool_->depth() == 0) break;
      if (!reader_done) window_changed.WaitWithTimeout(&window_mu, absl::Milliseconds(50));
      continue;
    }
    after = batch->sequence();
    std::vector<v1::FlowBatch> parts;
    if (batch->flows().row_count() <= flow::kMaxRowsPerBatchPart) {
      parts.push_back(std::move(*batch));
    } else {
      absl::StatusOr<std::vector<flow::FlowRow>> rows = flow::RowsFromBatch(*batch);
      absl::StatusOr<std::vector<v1::FlowBatch>> split =
          rows.ok() ? flow::EncodeBatchParts(*batch, *rows) : rows.status();
      if (!split.ok()) {
        spdlog::error("shipper: spooled batch {} is invalid ({}); dropped", after,
                      std::string(split.status().message()));
        (void)spool_->Remove(after);
        continue;
      }
      parts = std::move(*split);
    }
    {
      absl::MutexLock lock(&window_mu);
      unacked.push_back(after);
    }
    bool written = true;
    for (const v1::FlowBatch& part : parts) {
      v1::IngestRequest request;
      *request.mutable_batch() = part;
      if (!stream->Write(request)) {
        written = false;
        break;
      }
    }
    if (!written) break;
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  {
    absl::MutexLock lock(&mu_);
    active_context_ = nullptr;
    stats_.connected = false;
  }
  if (!status.ok()) {
    result = absl::UnavailableError(
        absl::StrCat("stream ended: ", status.error_message(), " (code ", status.error_code(), ")"));
  } else if (!unacked.empty()) {
    result = absl::UnavailableError("stream ended with batches unacknowledged");
  }
  return result;
}

}  // namespace goprobe::ship
