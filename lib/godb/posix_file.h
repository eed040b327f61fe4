#ifndef GOPROBE_LIB_GODB_POSIX_FILE_H_
#define GOPROBE_LIB_GODB_POSIX_FILE_H_

// The few file operations goDB needs, on POSIX descriptors, each returning a
// Status that names the path and the system's reason.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::godb {

// A Status for a failed system call on `path`, mapped from errno: ENOENT is
// NotFound, ENOSPC and EDQUOT are ResourceExhausted, the rest Internal.
absl::Status ErrnoStatus(absl::string_view what, const std::string& path, int err);

absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Replaces `path` with `data` so that a crash leaves either the old or the
// new contents: writes `path`.tmp, syncs it, renames it over `path`, and
// syncs the directory. *renamed (if given) tells whether the new contents
// took the old ones' place, which is still true when only the final directory
// sync failed. `step` (if given) is called after each step ("temp_written",
// "renamed", "directory_synced") for crash tests.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view data, bool sync,
                                 bool* renamed = nullptr,
                                 const std::function<void(absl::string_view)>& step = nullptr);

// Creates `path` and its missing parents (mode 0755), syncing each parent
// that gained an entry so the new directories survive a crash.
absl::Status CreateDirectories(const std::string& path, bool sync);

absl::Status SyncDirectory(const std::string& path);

// An open descriptor, closed on destruction.
class File {
 public:
  // Opens for reading, or for reading and writing (created if missing).
  static absl::StatusOr<File> OpenForRead(const std::string& path);
  static absl::StatusOr<File> OpenForWrite(const std::string& path);
  // Opens a directory (for OpenForReadAt and IsAt).
  static absl::StatusOr<File> OpenDirectory(const std::string& path);
  // Opens `name` in the open directory `dir` for reading. The file is found
  // through the descriptor, not the path, so it is the one in `dir` even if
  // `dir` was renamed since it was opened. Messages name dir's path/name.
  static absl::StatusOr<File> OpenForReadAt(const File& dir, absl::string_view name);

  File() = default;
  File(File&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  absl::StatusOr<uint64_t> Size() const;
  // Whether `path` names this very file (same device and inode) right now;
  // false when `path` does not exist.
  absl::StatusOr<bool> IsAt(const std::string& path) const;
  // Reads exactly n bytes at offset; a short file is DataLoss naming the
  // offset, since a caller only asks for bytes the metadata says exist.
  absl::Status ReadAt(uint64_t offset, size_t n, char* out) const;
  absl::Status WriteAt(uint64_t offset, absl::string_view data);
  absl::Status Truncate(uint64_t size);
  absl::Status Sync();

 private:
  friend class FileLock;
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// An exclusive advisory lock (flock) on a file, held until destruction. The
// kernel releases it if the process dies, so a crashed writer never leaves
// the database locked.
class FileLock {
 public:
  // Fails with FailedPrecondition if another process holds the lock.
  static absl::StatusOr<FileLock> Acquire(const std::string& path);

  FileLock(FileLock&& o) noexcept : file_(std::move(o.file_)) {}
  FileLock& operator=(FileLock&&) = default;

 private:
  explicit FileLock(File file) : file_(std::move(file)) {}
  File file_;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_POSIX_FILE_H_
