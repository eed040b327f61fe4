#ifndef GOPROBE_SERVICES_PROBE_PROBE_CONTROL_H_
#define GOPROBE_SERVICES_PROBE_PROBE_CONTROL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/probe/capture_manager.h"
#include "services/probe/capture_query.h"

namespace goprobe::probe {

// What the Probe service (probe_service.h) asks of the running probe. Calls
// block: they cross to the probe's controlling thread and from there to its
// capture threads. Thread-safe.
class ProbeControl {
 public:
  virtual ~ProbeControl() = default;

  enum class State { kCapturing, kDisabled, kError };
  struct InterfaceReport {
    std::string iface;
    State state = State::kCapturing;
    std::string message;  // why not capturing
    // Capturing interfaces: the capture thread's snapshot.
    std::optional<CaptureSnapshot> snapshot;
  };

  // The interfaces named in `ifaces` (empty: all the configuration names or
  // the probe captures), sorted by name; names the probe knows nothing of
  // are left out. Each capturing one comes with a snapshot, with its rows
  // when `with_rows`.
  virtual absl::StatusOr<std::vector<InterfaceReport>> Inspect(
      const std::vector<std::string>& ifaces, bool with_rows) = 0;

  // Re-reads the configuration file and applies it as SIGHUP does. An
  // invalid file is InvalidArgument naming file, key and reason, and the
  // running configuration stays in force.
  virtual absl::StatusOr<CaptureManager::Changes> Reload() = 0;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PROBE_CONTROL_H_
