#include "services/probe/control_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace goprobe::probe {

absl::StatusOr<std::unique_ptr<ControlLoop>> ControlLoop::Create(const std::vector<int>& signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    return absl::InternalError("cannot block the control signals");
  }
  const int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return absl::InternalError(absl::StrCat("signalfd: ", std::strerror(errno)));
  const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0) {
    ::close(sfd);
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  return std::unique_ptr<ControlLoop>(new ControlLoop(sfd, efd));
}

ControlLoop::~ControlLoop() {
  Close();
  ::close(signal_fd_);
  ::close(event_fd_);
}

bool ControlLoop::Post(std::function<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return false;
    tasks_.push_back(std::move(task));
  }
  const uint64_t one = 1;
  // The counter only needs to be non-zero to wake the loop; a full counter
  // (EAGAIN) already is.
  (void)!::write(event_fd_, &one, sizeof one);
  return true;
}

void ControlLoop::RunTasks() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

int ControlLoop::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    RunTasks();
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return 0;
    struct pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {event_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, int(std::min<int64_t>(ms, 1 << 30)));
    if (ready <= 0) continue;  // timeout or EINTR: check the deadline
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      (void)!::read(event_fd_, &n, sizeof n);
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      if (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        RunTasks();
        return int(info.ssi_signo);
      }
    }
  }
}

void ControlLoop::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  RunTasks();
}

}  // namespace goprobe::probe
