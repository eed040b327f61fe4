#include "services/store/store_service.h"

#include <deque>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/godb_proto.h"
#include "lib/godb/layout.h"
#include "spdlog/spdlog.h"

namespace goprobe::store {
namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case absl::StatusCode::kFailedPrecondition: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case absl::StatusCode::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case absl::StatusCode::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case absl::StatusCode::kPermissionDenied: code = grpc::StatusCode::PERMISSION_DENIED; break;
    case absl::StatusCode::kDataLoss: code = grpc::StatusCode::DATA_LOSS; break;
    // The disk failing is the store's trouble, not the request's: the sender
    // should come back later.
    default: code = grpc::StatusCode::UNAVAILABLE; break;
  }
  return grpc::Status(code, std::string(s.message()));
}

v1::IngestAck RejectAck(const v1::FlowBatch& part, const absl::Status& why) {
  v1::IngestAck ack;
  ack.set_host_id(part.host_id());
  ack.set_iface(part.iface());
  ack.set_block_time(part.block_time());
  ack.set_sequence(part.sequence());
  ack.set_result(v1::IngestAck::RESULT_REJECTED);
  ack.set_message(std::string(why.message()));
  return ack;
}

class IngestReactor final : public grpc::ServerBidiReactor<v1::IngestRequest, v1::IngestAck> {
 public:
  IngestReactor(BlockStore* store, StoreMetrics* metrics, std::string peer)
      : store_(store), metrics_(metrics), peer_(std::move(peer)) {
    if (metrics_ != nullptr) metrics_->streams_open.Increment();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    if (finished_ || !error_.ok()) return;  // a read that was in flight when the stream failed
    if (!ok) {
      reads_done_ = true;
      if (assembler_.pending()) {
        spdlog::warn("ingest from {}: stream ended inside a batch; the sender resends it", peer_);
      }
      MaybeFinishLocked();
      return;
    }
    absl::StatusOr<flow::BatchAssembler::Progress> progress = assembler_.Add(request_.batch());
    if (!progress.ok()) {
      if (!absl::IsInvalidArgument(progress.status())) {
        spdlog::warn("ingest from {}: {}", peer_, std::string(progress.status().message()));
        error_ = ToGrpc(progress.status());
        reads_done_ = true;
        MaybeFinishLocked();
        return;
      }
      spdlog::warn("ingest from {}: rejected batch {}/{}: {}", peer_, request_.batch().iface(),
                   request_.batch().block_time(), std::string(progress.status().message()));
      if (metrics_ != nullptr) metrics_->rejected.Increment();
      QueueAckLocked(RejectAck(request_.batch(), progress.status()));
    } else if (*progress == flow::BatchAssembler::Progress::kComplete) {
      ++in_flight_;
      store_->Submit(assembler_.header(), std::move(assembler_.rows()),
                     [this](absl::StatusOr<v1::IngestAck> ack) { OnStored(std::move(ack)); });
      if (in_flight_ >= StoreService::kMaxBatchesInFlight) {
        read_paused_ = true;
        return;
      }
    }
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    acks_.pop_front();
    writing_ = false;
    if (!ok) {
      // The client is gone; it resends whatever it did not see acknowledged.
      reads_done_ = true;
      acks_.clear();
    } else if (!acks_.empty()) {
      writing_ = true;
      StartWrite(&acks_.front());
    }
    MaybeFinishLocked();
  }

  void OnDone() override {
    if (metrics_ != nullptr) metrics_->streams_open.Decrement();
    delete this;
  }

 private:
  void OnStored(absl::StatusOr<v1::IngestAck> ack) {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (!ack.ok()) {
      spdlog::error("ingest from {}: batch not stored: {}", peer_, std::string(ack.status().message()));
      if (error_.ok()) error_ = ToGrpc(ack.status());
      reads_done_ = true;
      MaybeFinishLocked();
      return;
    }
    if (error_.ok()) QueueAckLocked(std::move(*ack));
    if (read_paused_ && !reads_done_ && error_.ok()) {
      read_paused_ = false;
      StartRead(&request_);
    }
    MaybeFinishLocked();
  }

  void QueueAckLocked(v1::IngestAck ack) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    acks_.push_back(std::move(ack));
    if (!writing_) {
      writing_ = true;
      StartWrite(&acks_.front());
    }
  }

  // Finishes once nothing is left to read, store or send. After an error the
  // acknowledgements already queued are still sent first: they are true.
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reads_done_ || in_flight_ > 0 || writing_) return;
    if (read_paused_ && error_.ok()) return;
    finished_ = true;
    Finish(error_);
  }

  BlockStore* const store_;
  StoreMetrics* const metrics_;
  const std::string peer_;
  absl::Mutex mu_;
  v1::IngestRequest request_ ABSL_GUARDED_BY(mu_);
  flow::BatchAssembler assembler_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::IngestAck> acks_ ABSL_GUARDED_BY(mu_);  // front() is being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status error_ ABSL_GUARDED_BY(mu_);
};

// Ends a stream at once, for calls refused before any message is read.
class RefusedStream final : public grpc::ServerBidiReactor<v1::IngestRequest, v1::IngestAck> {
 public:
  explicit RefusedStream(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerBidiReactor<v1::IngestRequest, v1::IngestAck>* StoreService::Ingest(
    grpc::CallbackServerContext* context) {
  if (auth_ != nullptr) {
    grpc::Status allowed = auth_->Check(*context, "Store.Ingest");
    if (!allowed.ok()) return new RefusedStream(allowed);
  }
  return new IngestReactor(store_, metrics_, context->peer());
}

grpc::ServerUnaryReactor* StoreService::ListInterfaces(
    grpc::CallbackServerContext* context, const v1::StoreListInterfacesRequest* request,
    v1::StoreListInterfacesResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (rpc::RefuseUnauthorized(auth_, context, reactor, "Store.ListInterfaces")) return reactor;
  const int64_t first = request->first();
  const int64_t last = request->last() == 0 ? godb::kMaxBlockTime : request->last();
  if (first < 0 || last < first) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "time range: want 0 <= first <= last (last 0 means no end)"));
    return reactor;
  }
  std::vector<std::string> ifaces(request->ifaces().begin(), request->ifaces().end());
  for (const std::string& iface : ifaces) {
    absl::Status s = godb::ValidateInterfaceName(iface);
    if (!s.ok()) {
      reactor->Finish(ToGrpc(s));
      return reactor;
    }
  }
  absl::StatusOr<std::vector<godb::InterfaceSummary>> summaries =
      store_->Summaries(ifaces, first, last);
  if (!summaries.ok()) {
    // A store that has not stored anything yet has no interfaces.
    if (!absl::IsNotFound(summaries.status())) {
      reactor->Finish(ToGrpc(summaries.status()));
      return reactor;
    }
    summaries = std::vector<godb::InterfaceSummary>{};
  }
  for (const godb::InterfaceSummary& s : *summaries) {
    godb::InterfaceSummaryToProto(s, store_->identity(), response->add_interfaces());
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace goprobe::store
