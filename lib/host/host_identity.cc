#include "lib/host/host_identity.h"

#include <unistd.h>
#include <xxhash.h>

#include <climits>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace goprobe::host {

uint64_t HostIdFromMachineId(absl::string_view machine_id) {
  const absl::string_view id = absl::StripAsciiWhitespace(machine_id);
  const uint64_t h = XXH3_64bits(id.data(), id.size());
  return h == 0 ? 1 : h;  // 0 means "unset" on the wire
}

absl::StatusOr<HostIdentity> LocalHostIdentity(const std::string& machine_id_path) {
  std::ifstream in(machine_id_path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", machine_id_path,
                                            " for the host id; set the host id explicitly"));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (absl::StripAsciiWhitespace(text.str()).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(machine_id_path, " is empty; set the host id explicitly"));
  }
  HostIdentity identity;
  identity.host_id = HostIdFromMachineId(text.str());
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    identity.hostname = "localhost";
  } else {
    identity.hostname = name;
  }
  return identity;
}

absl::StatusOr<HostIdentity> ResolveHostIdentity(uint64_t host_id, const std::string& hostname,
                                                 const std::string& machine_id_path) {
  absl::StatusOr<HostIdentity> local = LocalHostIdentity(machine_id_path);
  if (!local.ok() && host_id == 0) return local.status();
  HostIdentity identity = local.ok() ? *local : HostIdentity{0, "localhost"};
  if (!local.ok()) {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0') identity.hostname = name;
  }
  if (host_id != 0) identity.host_id = host_id;
  if (!hostname.empty()) identity.hostname = hostname;
  return identity;
}

}  // namespace goprobe::host
