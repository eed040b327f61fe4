#include "services/probe/probe_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/godb_proto.h"
#include "services/probe/block_sink.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {
namespace {

// How long a call waits for the controlling thread and a capture thread (an
// idle capture answers within its 100 ms poll; a reload stops and starts
// captures, which may take seconds).
constexpr absl::Duration kAnswerTimeout = absl::Seconds(30);

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

void CaptureStatsOf(const WindowStats& stats, v1::CaptureStats* out) {
  godb::CaptureStatsToProto(ToCaptureStats(stats), out);
}

v1::InterfaceStatus::State StateOf(ProbeControl::State s) {
  switch (s) {
    case ProbeControl::State::kCapturing: return v1::InterfaceStatus::STATE_CAPTURING;
    case ProbeControl::State::kDisabled: return v1::InterfaceStatus::STATE_DISABLED;
    case ProbeControl::State::kError: return v1::InterfaceStatus::STATE_ERROR;
  }
  return v1::InterfaceStatus::STATE_UNSPECIFIED;
}

v1::ShipperStatus::Result ResultOf(ship::ShipperStats::Result r) {
  switch (r) {
    case ship::ShipperStats::Result::kNone: return v1::ShipperStatus::RESULT_UNSPECIFIED;
    case ship::ShipperStats::Result::kOk: return v1::ShipperStatus::RESULT_OK;
    case ship::ShipperStats::Result::kError: return v1::ShipperStatus::RESULT_ERROR;
    case ship::ShipperStats::Result::kRejected: return v1::ShipperStatus::RESULT_REJECTED;
  }
  return v1::ShipperStatus::RESULT_UNSPECIFIED;
}

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<std::string>& names) {
  return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace

ProbeService::ProbeService(ProbeControl* control, Info info, const BlockDestination* destination,
                           const rpc::ApiKeyAuthorizer* auth)
    : control_(control), info_(std::move(info)), destination_(destination), auth_(auth) {
  worker_ = std::thread([this] { Work(); });
}

ProbeService::~ProbeService() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  worker_.join();
}

void ProbeService::Run(std::function<void()> work) {
  absl::MutexLock lock(&mu_);
  work_.push_back(std::move(work));
}

void ProbeService::Work() {
  for (;;) {
    std::function<void()> work;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ProbeService* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stopping_ || !s->work_.empty();
          },
          this));
      if (work_.empty()) return;  // stopping, nothing left
      work = std::move(work_.front());
      work_.pop_front();
    }
    work();
  }
}

grpc::Status ProbeService::FillStatus(const v1::GetStatusRequest& request,
                                      v1::GetStatusResponse* response) {
  response->set_hostname(info_.identity.hostname);
  response->set_host_id(info_.identity.host_id);
  response->set_version(info_.version);
  response->set_started_at(info_.started_at);
  absl::StatusOr<std::vector<ProbeControl::InterfaceReport>> reports =
      control_->Inspect(Names(request.ifaces()), /*with_rows=*/false);
  if (!reports.ok()) return ToGrpc(reports.status());
  for (const ProbeControl::InterfaceReport& r : *reports) {
    v1::InterfaceStatus* out = response->add_interfaces();
    out->set_iface(r.iface);
    out->set_state(StateOf(r.state));
    out->set_message(r.message);
    if (!r.snapshot.has_value()) continue;
    const CaptureSnapshot& s = *r.snapshot;
    out->set_capture_started_at(s.capture_started_at);
    CaptureStatsOf(s.total, out->mutable_capture_total());
    CaptureStatsOf(s.window, out->mutable_capture_window());
    flow::CountersToProto(s.traffic, out->mutable_traffic_window());
    out->set_active_flows(s.active_flows);
    out->set_window_block_time(s.window_block_time);
    out->set_last_block_time(s.last_block_time);
  }
  if (destination_ != nullptr && destination_->ships()) {
    const ship::ShipperStats stats = destination_->shipper_stats();
    v1::ShipperStatus* out = response->mutable_shipper();
    out->set_store_address(destination_->store_address());
    out->set_connected(stats.connected);
    out->set_spool_batches(destination_->spool_depth());
    out->set_spool_bytes(destination_->spool_bytes());
    out->set_spool_capacity_bytes(destination_->spool_capacity_bytes());
    out->set_spool_dropped_batches(destination_->spool_dropped_batches());
    if (stats.last_result_time != absl::InfinitePast()) {
      out->set_last_ship_time(absl::ToUnixSeconds(stats.last_result_time));
    }
    out->set_last_ship_result(ResultOf(stats.last_result));
    out->set_last_ship_error(stats.last_error);
    out->set_last_acked_sequence(stats.last_acked_sequence);
    out->set_batches_acked(stats.stored + stats.duplicates);
    out->set_batches_rejected(stats.rejected);
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ProbeService::GetStatus(grpc::CallbackServerContext* context,
                                                  const v1::GetStatusRequest* request,
                                                  v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (rpc::RefuseUnauthorized(auth_, context, reactor, "Probe.GetStatus")) return reactor;
  Run([this, reactor, request, response] { reactor->Finish(FillStatus(*request, response)); });
  return reactor;
}

grpc::ServerUnaryReactor* ProbeService::ReloadConfig(grpc::CallbackServerContext* context,
                                                     const v1::ReloadConfigRequest* /*request*/,
                                                     v1::ReloadConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (rpc::RefuseUnauthorized(auth_, context, reactor, "Probe.ReloadConfig")) return reactor;
  Run([this, reactor, response] {
    absl::StatusOr<CaptureManager::Changes> changes = control_->Reload();
    if (!changes.ok()) {
      reactor->Finish(ToGrpc(changes.status()));
      return;
    }
    for (const std::string& n : changes->started) response->add_added(n);
    for (const std::string& n : changes->stopped) response->add_removed(n);
    for (const std::string& n : changes->restarted) response->add_restarted(n);
    for (const std::string& n : changes->unchanged) response->add_unchanged(n);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

// Streams the snapshots: the worker takes them and encodes one interface at
// a time; gRPC's completion of each write asks for the next part.
class ProbeService::LiveFlowsReactor final : public grpc::ServerWriteReactor<v1::LiveFlowsResponse> {
 public:
  LiveFlowsReactor(ProbeService* service, std::vector<std::string> ifaces)
      : service_(service), ifaces_(std::move(ifaces)) {
    service_->Run([this] { TakeSnapshots(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    if (++next_part_ < parts_.size()) {
      StartWrite(&parts_[next_part_]);
      return;
    }
    service_->Run([this] { EncodeNext(); });
  }
  void OnDone() override { delete this; }

 private:
  // Worker thread.
  void TakeSnapshots() {
    absl::StatusOr<std::vector<ProbeControl::InterfaceReport>> reports =
        service_->control_->Inspect(ifaces_, /*with_rows=*/true);
    if (!reports.ok()) {
      Finish(ToGrpc(reports.status()));
      return;
    }
    for (ProbeControl::InterfaceReport& r : *reports) {
      if (r.snapshot.has_value()) {
        snapshots_.push_back(std::make_pair(std::move(r.iface), std::move(*r.snapshot)));
      }
    }
    EncodeNext();
  }

  // Worker thread: the parts of the next interface, and the first write.
  void EncodeNext() {
    parts_.clear();
    next_part_ = 0;
    if (next_iface_ == snapshots_.size()) {
      Finish(grpc::Status::OK);
      return;
    }
    auto& [iface, snapshot] = snapshots_[next_iface_++];
    v1::FlowBatch header;
    header.set_host_id(service_->info_.identity.host_id);
    header.set_hostname(service_->info_.identity.hostname);
    header.set_iface(iface);
    header.set_block_time(snapshot.window_block_time);
    header.set_sequence(0);
    CaptureStatsOf(snapshot.window, header.mutable_capture());
    absl::StatusOr<std::vector<v1::FlowBatch>> batches =
        flow::EncodeBatchParts(header, snapshot.rows);
    std::vector<flow::FlowRow>().swap(snapshot.rows);  // encoded: free them now
    if (!batches.ok()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("interface ", iface, ": ", batches.status().message())));
      return;
    }
    const int64_t taken_ms = absl::ToUnixMillis(snapshot.taken);
    for (v1::FlowBatch& b : *batches) {
      v1::LiveFlowsResponse& r = parts_.emplace_back();
      *r.mutable_batch() = std::move(b);
      r.set_snapshot_time_unix_ms(taken_ms);
    }
    StartWrite(&parts_[0]);
  }

  ProbeService* const service_;
  const std::vector<std::string> ifaces_;
  std::vector<std::pair<std::string, CaptureSnapshot>> snapshots_;
  size_t next_iface_ = 0;
  std::vector<v1::LiveFlowsResponse> parts_;
  size_t next_part_ = 0;
};

grpc::ServerWriteReactor<v1::LiveFlowsResponse>* ProbeService::LiveFlows(
    grpc::CallbackServerContext* context, const v1::LiveFlowsRequest* request) {
  const grpc::Status allowed =
      auth_ == nullptr ? grpc::Status::OK : auth_->Check(*context, "Probe.LiveFlows");
  if (!allowed.ok()) {
    class Refused final : public grpc::ServerWriteReactor<v1::LiveFlowsResponse> {
     public:
      explicit Refused(const grpc::Status& status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    return new Refused(allowed);
  }
  return new LiveFlowsReactor(this, Names(request->ifaces()));
}

}  // namespace goprobe::probe
