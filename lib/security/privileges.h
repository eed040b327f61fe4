#ifndef GOPROBE_LIB_SECURITY_PRIVILEGES_H_
#define GOPROBE_LIB_SECURITY_PRIVILEGES_H_

// Giving up what a capturing process does not need. goprobe starts as root
// (or with capabilities) to open raw sockets; what it keeps after DropPrivileges:
//
//   - the capabilities in `keep` (normally CAP_NET_RAW and CAP_NET_ADMIN),
//     permitted and effective, so captures can still be (re)opened, on a
//     configuration reload or when an interface comes back;
//   - nothing else: every other capability leaves the permitted, effective,
//     inheritable and ambient sets and the bounding set, so neither this
//     process nor anything it could execute gets it back;
//   - no_new_privs, so executing a set-user-id program gains nothing;
//   - with `user`, that user's uid and gid (real, effective and saved) and
//     its primary group only.
//
// Capabilities belong to threads, not processes: DropPrivileges must run
// while the process has one thread, before any thread that should be
// constrained exists (threads started later inherit the reduced sets).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::security {

struct DropOptions {
  // Capability numbers (linux/capability.h) to keep.
  std::vector<int> keep;
  // A user name (or numeric uid) to become; empty stays the current user.
  std::string user;
};

// CAP_NET_RAW and CAP_NET_ADMIN: what live capture needs.
DropOptions CaptureOnly(std::string user = "");

// FailedPrecondition when the process has more than one thread;
// NotFound for an unknown user; PermissionDenied when the process may not
// change its identity or capabilities (the syscall and errno named).
absl::Status DropPrivileges(const DropOptions& options);

// The capability sets of the calling thread, from /proc/thread-self/status.
struct CapabilitySets {
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
  uint64_t bounding = 0;
  uint64_t ambient = 0;
};
absl::StatusOr<CapabilitySets> ReadCapabilities();

// A bit mask of `caps` (1 << cap each).
uint64_t CapabilityMask(const std::vector<int>& caps);

}  // namespace goprobe::security

#endif  // GOPROBE_LIB_SECURITY_PRIVILEGES_H_
