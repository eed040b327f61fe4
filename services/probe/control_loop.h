#ifndef GOPROBE_SERVICES_PROBE_CONTROL_LOOP_H_
#define GOPROBE_SERVICES_PROBE_CONTROL_LOOP_H_

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace goprobe::probe {

// The probe's controlling thread: the one thread that changes the set of
// captures (CaptureManager is not thread-safe). It waits for signals and for
// work posted by other threads (the API's reload and status calls) at once,
// through a signalfd and an eventfd, so neither waits for the other.
//
// Create() blocks the signals in the calling thread; call it before any other
// thread starts so every thread inherits the mask and only the loop takes
// them.
class ControlLoop {
 public:
  static absl::StatusOr<std::unique_ptr<ControlLoop>> Create(const std::vector<int>& signals);
  ~ControlLoop();

  // Queues `task` for the controlling thread; any thread. False (and the task
  // dropped) once Close() was called.
  bool Post(std::function<void()> task);

  // Controlling thread: runs the tasks posted so far, then waits up to
  // `timeout` for a signal or more tasks (running those). Returns the signal
  // taken, or 0 when the time ran out.
  int Wait(absl::Duration timeout);

  // Refuses further tasks and runs those still queued.
  void Close();

 private:
  ControlLoop(int signal_fd, int event_fd) : signal_fd_(signal_fd), event_fd_(event_fd) {}
  void RunTasks();

  const int signal_fd_;
  const int event_fd_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_CONTROL_LOOP_H_
