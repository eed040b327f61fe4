#include "lib/godb/posix_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace goprobe::godb {

absl::Status ErrnoStatus(absl::string_view what, const std::string& path, int err) {
  const std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT: return absl::NotFoundError(msg);
    case ENOSPC:
    case EDQUOT: return absl::ResourceExhaustedError(msg);
    case EACCES:
    case EPERM: return absl::PermissionDeniedError(msg);
    default: return absl::InternalError(msg);
  }
}

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    o.fd_ = -1;
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<File> File::OpenForRead(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return File(fd, path);
}

absl::StatusOr<File> File::OpenForWrite(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return File(fd, path);
}

absl::StatusOr<File> File::OpenDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", path, errno);
  return File(fd, path);
}

absl::StatusOr<File> File::OpenForReadAt(const File& dir, absl::string_view name) {
  std::string path = absl::StrCat(dir.path_, "/", name);
  const int fd = ::openat(dir.fd_, std::string(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return File(fd, std::move(path));
}

absl::StatusOr<bool> File::IsAt(const std::string& path) const {
  struct stat mine, there;
  if (::fstat(fd_, &mine) != 0) return ErrnoStatus("stat", path_, errno);
  if (::stat(path.c_str(), &there) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoStatus("stat", path, errno);
  }
  return mine.st_dev == there.st_dev && mine.st_ino == there.st_ino;
}

absl::StatusOr<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoStatus("stat", path_, errno);
  return uint64_t(st.st_size);
}

absl::Status File::ReadAt(uint64_t offset, size_t n, char* out) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, out + done, n - done, off_t(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path_, errno);
    }
    if (r == 0) {
      return absl::DataLossError(absl::StrCat(path_, ": truncated: wanted ", n, " bytes at offset ",
                                              offset, ", file ends after ", done));
    }
    done += size_t(r);
  }
  return absl::OkStatus();
}

absl::Status File::WriteAt(uint64_t offset, absl::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t w = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(offset + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path_, errno);
    }
    done += size_t(w);
  }
  return absl::OkStatus();
}

absl::Status File::Truncate(uint64_t size) {
  if (::ftruncate(fd_, off_t(size)) != 0) return ErrnoStatus("truncate", path_, errno);
  return absl::OkStatus();
}

absl::Status File::Sync() {
  if (::fdatasync(fd_) != 0) return ErrnoStatus("sync", path_, errno);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  absl::StatusOr<File> f = File::OpenForRead(path);
  if (!f.ok()) return f.status();
  absl::StatusOr<uint64_t> size = f->Size();
  if (!size.ok()) return size.status();
  std::string data(*size, '\0');
  absl::Status s = f->ReadAt(0, data.size(), data.data());
  if (!s.ok()) return s;
  return data;
}

absl::Status SyncDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", path, errno);
  const int r = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (r != 0) return ErrnoStatus("sync directory", path, err);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view data, bool sync,
                                 bool* renamed,
                                 const std::function<void(absl::string_view)>& step) {
  if (renamed != nullptr) *renamed = false;
  const std::string tmp = path + ".tmp";
  absl::StatusOr<File> f = File::OpenForWrite(tmp);
  if (!f.ok()) return f.status();
  absl::Status s = f->Truncate(0);
  if (s.ok()) s = f->WriteAt(0, data);
  if (s.ok() && sync) s = f->Sync();
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (step) step("temp_written");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("rename to", path, err);
  }
  if (renamed != nullptr) *renamed = true;
  if (step) step("renamed");
  if (!sync) return absl::OkStatus();
  const size_t slash = path.rfind('/');
  s = SyncDirectory(slash == std::string::npos ? "." : path.substr(0, slash + (slash == 0)));
  if (s.ok() && step) step("directory_synced");
  return s;
}

absl::Status CreateDirectories(const std::string& path, bool sync) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a directory"));
  }
  const size_t slash = path.find_last_of('/');
  const std::string parent =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  if (slash != std::string::npos && slash > 0) {
    absl::Status s = CreateDirectories(parent, sync);
    if (!s.ok()) return s;
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("create directory", path, errno);
  }
  return sync ? SyncDirectory(parent) : absl::OkStatus();
}

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  absl::StatusOr<File> f = File::OpenForWrite(path);
  if (!f.ok()) return f.status();
  if (::flock(f->fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is locked: another writer has this database open"));
    }
    return ErrnoStatus("lock", path, errno);
  }
  return FileLock(std::move(*f));
}

}  // namespace goprobe::godb
