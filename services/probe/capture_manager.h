#ifndef GOPROBE_SERVICES_PROBE_CAPTURE_MANAGER_H_
#define GOPROBE_SERVICES_PROBE_CAPTURE_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/probe/config.h"
#include "services/probe/live_capture.h"

namespace goprobe::probe {

// The set of running interface captures, brought in line with the
// configuration at start and at every reload.
//
// Apply() touches only what changed: an interface whose settings are the
// same keeps running (no packet or flow of it is lost), one no longer wanted
// is stopped (its window written as a final block), one whose settings
// changed is stopped and started again, a new one is started, and one whose
// capture failed on its own (the interface went away) is started again.
// Not thread-safe: one controlling thread (main's signal loop).
class CaptureManager {
 public:
  using Starter =
      std::function<absl::StatusOr<std::unique_ptr<CaptureHandle>>(const ResolvedInterface&)>;

  explicit CaptureManager(Starter starter) : starter_(std::move(starter)) {}
  ~CaptureManager() { StopAll(); }

  struct Changes {
    // `restarted` includes captures that had failed.
    std::vector<std::string> started, stopped, restarted, unchanged;
    // Interfaces that could not be started, with why; the others run.
    std::vector<absl::Status> failed;
  };
  Changes Apply(const std::vector<ResolvedInterface>& wanted);

  void StopAll();
  std::vector<std::string> running() const;

  // Every interface the last Apply wanted, sorted by name: its capture when
  // one runs (null when it could not be started) and its state: OK while
  // capturing, else why not (the capture's failure, or the start's error).
  // The captures belong to the manager: use them on the controlling thread,
  // before the next Apply or StopAll.
  struct Entry {
    std::string name;
    CaptureHandle* capture = nullptr;
    absl::Status status;
  };
  std::vector<Entry> Entries() const;

 private:
  struct Running {
    CaptureSettings settings;
    std::unique_ptr<CaptureHandle> capture;
  };
  Starter starter_;
  std::map<std::string, Running> running_;
  // Wanted but not started, with why; retried by every Apply.
  std::map<std::string, absl::Status> start_failures_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_CAPTURE_MANAGER_H_
