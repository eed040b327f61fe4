#include "lib/security/privileges.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace goprobe::security {
namespace {

absl::Status Errno(absl::string_view what) {
  const int e = errno;
  const std::string message = absl::StrCat(what, ": ", std::strerror(e));
  return e == EPERM ? absl::PermissionDeniedError(message) : absl::InternalError(message);
}

int ThreadCount() {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

int LastCapability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = 0;
  if (in >> last && last > 0 && last < 64) return last;
  return CAP_LAST_CAP;
}

struct User {
  uid_t uid;
  gid_t gid;
};

absl::StatusOr<User> LookUpUser(const std::string& name) {
  struct passwd pw;
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  uint32_t numeric = 0;
  int rc = 0;
  if (absl::SimpleAtoi(name, &numeric)) {
    rc = ::getpwuid_r(uid_t(numeric), &pw, buffer.data(), buffer.size(), &found);
    if (rc == 0 && found == nullptr) return User{uid_t(numeric), gid_t(numeric)};
  } else {
    rc = ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
  }
  if (rc != 0) {
    errno = rc;
    return Errno(absl::StrCat("looking up user ", name));
  }
  if (found == nullptr) return absl::NotFoundError(absl::StrCat("no user named ", name));
  return User{pw.pw_uid, pw.pw_gid};
}

absl::Status SetCapabilities(uint64_t permitted_effective) {
  __user_cap_header_struct header;
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2];
  std::memset(data, 0, sizeof(data));
  for (int i = 0; i < 2; ++i) {
    data[i].effective = data[i].permitted = uint32_t(permitted_effective >> (32 * i));
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0) return Errno("capset");
  return absl::OkStatus();
}

uint64_t ParseHex(absl::string_view text) {
  uint64_t v = 0;
  for (char c : text) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= uint64_t(c - '0');
    else if (c >= 'a' && c <= 'f') v |= uint64_t(c - 'a' + 10);
  }
  return v;
}

}  // namespace

DropOptions CaptureOnly(std::string user) {
  DropOptions options;
  options.keep = {CAP_NET_RAW, CAP_NET_ADMIN};
  options.user = std::move(user);
  return options;
}

uint64_t CapabilityMask(const std::vector<int>& caps) {
  uint64_t mask = 0;
  for (int c : caps) {
    if (c >= 0 && c < 64) mask |= uint64_t{1} << c;
  }
  return mask;
}

absl::Status DropPrivileges(const DropOptions& options) {
  const int threads = ThreadCount();
  if (threads != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dropping privileges: the process has ", threads,
        " threads; capabilities are per thread, so drop them before starting any"));
  }
  for (int c : options.keep) {
    if (c < 0 || c > LastCapability()) {
      return absl::InvalidArgumentError(absl::StrCat("dropping privileges: no capability ", c));
    }
  }
  // Everything that can fail without changing anything comes first.
  std::optional<User> user;
  if (!options.user.empty()) {
    absl::StatusOr<User> found = LookUpUser(options.user);
    if (!found.ok()) return found.status();
    user = *found;
  }
  const uint64_t keep = CapabilityMask(options.keep);
  absl::StatusOr<CapabilitySets> current = ReadCapabilities();
  if (!current.ok()) return current.status();
  // Keep only what is kept and held: a process without CAP_NET_ADMIN cannot
  // gain it here.
  const uint64_t kept = keep & current->permitted;

  // The bounding set first: dropping from it needs CAP_SETPCAP, which goes
  // next. A process without CAP_SETPCAP (started with file capabilities by
  // an unprivileged user) keeps its bounding set; no_new_privs below stops
  // an exec from using it.
  const bool can_drop_bounding = (current->effective >> CAP_SETPCAP) & 1;
  for (int c = 0; can_drop_bounding && c <= LastCapability(); ++c) {
    if ((keep >> c) & 1) continue;
    if (((current->bounding >> c) & 1) == 0) continue;
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
      return Errno(absl::StrCat("prctl(PR_CAPBSET_DROP, ", c, ")"));
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  }
  if (user.has_value()) {
    // Permitted capabilities survive the change of uid only with keep-caps.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Errno("prctl(PR_SET_KEEPCAPS)");
    if (::setgroups(1, &user->gid) != 0) return Errno("setgroups");
    if (::setresgid(user->gid, user->gid, user->gid) != 0) return Errno("setresgid");
    if (::setresuid(user->uid, user->uid, user->uid) != 0) return Errno("setresuid");
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return Errno("prctl(PR_SET_KEEPCAPS, 0)");
  }
  absl::Status s = SetCapabilities(kept);
  if (!s.ok()) return s;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Errno("prctl(PR_SET_NO_NEW_PRIVS)");
  return absl::OkStatus();
}

absl::StatusOr<CapabilitySets> ReadCapabilities() {
  std::ifstream in("/proc/thread-self/status");
  if (!in) return absl::NotFoundError("cannot read /proc/thread-self/status");
  CapabilitySets sets;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view l = line;
    const auto field = [&l](absl::string_view name, uint64_t* out) {
      if (absl::ConsumePrefix(&l, name)) *out = ParseHex(absl::StripAsciiWhitespace(l));
    };
    field("CapInh:", &sets.inheritable);
    field("CapPrm:", &sets.permitted);
    field("CapEff:", &sets.effective);
    field("CapBnd:", &sets.bounding);
    field("CapAmb:", &sets.ambient);
  }
  return sets;
}

}  // namespace goprobe::security
