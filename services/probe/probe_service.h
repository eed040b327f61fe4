#ifndef GOPROBE_SERVICES_PROBE_PROBE_SERVICE_H_
#define GOPROBE_SERVICES_PROBE_PROBE_SERVICE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "lib/host/host_identity.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/probe.grpc.pb.h"
#include "services/probe/block_destination.h"
#include "services/probe/probe_control.h"

namespace goprobe::probe {

// The Probe gRPC service (probe.proto, callback API) over a running probe.
//
// Every call must pass `auth` first (rpc/api_keys.h). The work of a call
// blocks (it waits for the controlling and capture threads, ProbeControl), so
// it runs on the service's own worker thread, never on gRPC's: calls are
// served one after the other, which is what a control API needs.
//
// LiveFlows encodes one interface's snapshot at a time into FlowBatch parts
// (lib/flow/flow_proto.h, at most kMaxRowsPerBatchPart rows each, sequence 0,
// block_time = the window's block time, the window's capture statistics in
// part 0) and streams them; named interfaces that are not capturing are left
// out.
class ProbeService final : public v1::Probe::CallbackService {
 public:
  struct Info {
    host::HostIdentity identity;
    std::string version;
    int64_t started_at = 0;  // unix seconds
  };
  // `control`, `destination` (may be null: not shipping) and `auth` (may be
  // null: no keys) must outlive the service.
  ProbeService(ProbeControl* control, Info info, const BlockDestination* destination,
               const rpc::ApiKeyAuthorizer* auth);
  // Finishes the queued work; the server must be shut down first.
  ~ProbeService() override;

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* ReloadConfig(grpc::CallbackServerContext* context,
                                         const v1::ReloadConfigRequest* request,
                                         v1::ReloadConfigResponse* response) override;
  grpc::ServerWriteReactor<v1::LiveFlowsResponse>* LiveFlows(
      grpc::CallbackServerContext* context, const v1::LiveFlowsRequest* request) override;

  // Queues `work` for the worker thread.
  void Run(std::function<void()> work);

 private:
  class LiveFlowsReactor;
  void Work();
  grpc::Status FillStatus(const v1::GetStatusRequest& request, v1::GetStatusResponse* response);

  ProbeControl* const control_;
  const Info info_;
  const BlockDestination* const destination_;
  const rpc::ApiKeyAuthorizer* const auth_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> work_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread worker_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PROBE_SERVICE_H_
