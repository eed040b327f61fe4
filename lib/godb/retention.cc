#include "lib/godb/retention.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lib/godb/layout.h"
#include "lib/godb/posix_file.h"

namespace goprobe::godb {
namespace {

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Removes `dir` and everything in it. Day directories are flat; anything
// else found there (someone's stray directory) goes too, since the whole
// tree was taken out of the database.
absl::Status RemoveTree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) return ErrnoStatus("remove", dir, ec.value());
  return absl::OkStatus();
}

}  // namespace

uint64_t DirectoryBytes(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  uint64_t total = 0;
  const int fd = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    struct stat st;
    if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
      total += uint64_t(st.st_blocks) * 512;
    }
  }
  ::closedir(d);
  return total;
}

absl::StatusOr<std::vector<StoredDay>> ListStoredDays(const DbReader& db) {
  absl::StatusOr<std::vector<std::string>> ifaces = db.Interfaces();
  if (!ifaces.ok()) return ifaces.status();
  std::vector<StoredDay> days;
  for (const std::string& iface : *ifaces) {
    absl::StatusOr<std::vector<DayPartition>> listed = db.Days(iface, 0, kMaxBlockTime);
    if (!listed.ok()) {
      if (absl::IsNotFound(listed.status())) continue;  // removed meanwhile
      return listed.status();
    }
    for (DayPartition& p : *listed) {
      const uint64_t bytes = DirectoryBytes(p.dir);
      days.push_back({std::move(p), bytes});
    }
  }
  std::stable_sort(days.begin(), days.end(), [](const StoredDay& a, const StoredDay& b) {
    return a.partition.day_start < b.partition.day_start;
  });
  return days;
}

absl::StatusOr<uint64_t> DeleteDayPartition(const std::string& db, const DayPartition& day,
                                            bool sync,
                                            const std::function<void(absl::string_view)>& step) {
  const std::string trash = absl::StrCat(db, "/", kDeletedDirectoryName);
  absl::Status s = CreateDirectories(trash, sync);
  if (!s.ok()) return s;
  const absl::CivilDay civil =
      absl::ToCivilDay(absl::FromUnixSeconds(day.day_start), absl::UTCTimeZone());
  const std::string base = absl::StrFormat("%s/%s.%04d-%02d-%02d", trash, day.iface, civil.year(),
                                           civil.month(), civil.day());
  const uint64_t bytes = DirectoryBytes(day.dir);
  // A name not taken by the remains of an earlier, interrupted deletion.
  std::string target = base;
  for (int n = 1;; ++n) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0) break;
    target = absl::StrCat(base, ".", n);
  }
  if (::rename(day.dir.c_str(), target.c_str()) != 0) {
    return ErrnoStatus(absl::StrCat("move to ", target, ":"), day.dir, errno);
  }
  if (step) step("deletion_renamed");
  if (sync) {
    s = SyncDirectory(Parent(day.dir));
    if (s.ok()) s = SyncDirectory(trash);
    if (!s.ok()) return s;
    if (step) step("deletion_synced");
  }
  s = RemoveTree(target);
  if (!s.ok()) return s;
  if (step) step("deletion_removed");
  // Empty month and year directories go too; rmdir refuses non-empty ones.
  const std::string month = Parent(day.dir);
  if (::rmdir(month.c_str()) == 0) ::rmdir(Parent(month).c_str());
  return bytes;
}

absl::StatusOr<uint64_t> RemoveDeletedLeftovers(const std::string& db) {
  const std::string trash = absl::StrCat(db, "/", kDeletedDirectoryName);
  DIR* d = ::opendir(trash.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return 0;
    return ErrnoStatus("list", trash, errno);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const absl::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  uint64_t freed = 0;
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(trash, "/", name);
    freed += DirectoryBytes(path);
    absl::Status s = RemoveTree(path);
    if (!s.ok()) return s;
  }
  return freed;
}

}  // namespace goprobe::godb
