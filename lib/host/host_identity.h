#ifndef GOPROBE_LIB_HOST_HOST_IDENTITY_H_
#define GOPROBE_LIB_HOST_HOST_IDENTITY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::host {

// Who a host is, as every batch and query result names it.
struct HostIdentity {
  uint64_t host_id = 0;  // never 0
  std::string hostname;
};

// A host id derived from a machine id (the text of /etc/machine-id): stable
// across restarts and reinstalls of goProbe, distinct between machines.
uint64_t HostIdFromMachineId(absl::string_view machine_id);

// This machine's identity: the host id from `machine_id_path` (normally
// /etc/machine-id) and the kernel's hostname. The error names the file.
absl::StatusOr<HostIdentity> LocalHostIdentity(
    const std::string& machine_id_path = "/etc/machine-id");

// The identity a service runs as: `host_id` and `hostname` where given
// (non-zero, non-empty), the rest from LocalHostIdentity. Fails only when the
// host id is not given and cannot be derived.
absl::StatusOr<HostIdentity> ResolveHostIdentity(uint64_t host_id, const std::string& hostname,
                                                 const std::string& machine_id_path);

}  // namespace goprobe::host

#endif  // GOPROBE_LIB_HOST_HOST_IDENTITY_H_
