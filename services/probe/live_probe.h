#ifndef GOPROBE_SERVICES_PROBE_LIVE_PROBE_H_
#define GOPROBE_SERVICES_PROBE_LIVE_PROBE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/probe/capture_manager.h"
#include "services/probe/config.h"
#include "services/probe/control_loop.h"
#include "services/probe/probe_control.h"

namespace goprobe::probe {

// The captures of a live probe and the configuration they follow, owned by
// the controlling thread (ControlLoop). Reload and Rescan run there; other
// threads reach them through ProbeControl, which posts the work to the loop
// and waits for it, so the CaptureManager only ever has that one thread.
class LiveProbe : public ProbeControl {
 public:
  // `loop` must outlive this; `starter` opens one interface's capture;
  // `amend` (may be empty) is applied to every configuration read again, as
  // it was to `config` (the flags that override the file).
  using Amend = std::function<absl::Status(ProbeConfig*)>;
  LiveProbe(std::string config_path, ProbeConfig config, ControlLoop* loop,
            CaptureManager::Starter starter, Amend amend = nullptr);

  // Controlling thread. Captures what the configuration names; the
  // interfaces that could not be started are logged.
  absl::Status Start();
  // The SIGHUP path: re-read the file, apply the interface section; the
  // other sections take effect at the next start (logged when changed).
  absl::StatusOr<CaptureManager::Changes> ReloadNow();
  // The periodic pass: interfaces that appeared, captures that failed.
  void Rescan();
  void StopAll() { manager_.StopAll(); }
  std::vector<std::string> running() const { return manager_.running(); }

  // ProbeControl, from any thread but the controlling one.
  absl::StatusOr<std::vector<InterfaceReport>> Inspect(const std::vector<std::string>& ifaces,
                                                       bool with_rows) override;
  absl::StatusOr<CaptureManager::Changes> Reload() override;

 private:
  absl::Status Apply(const ProbeConfig& config, CaptureManager::Changes* changes);

  const std::string config_path_;
  ProbeConfig config_;
  ControlLoop* const loop_;
  const Amend amend_;
  CaptureManager manager_;
};

// Logs what an Apply did.
void LogChanges(const CaptureManager::Changes& changes);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LIVE_PROBE_H_
