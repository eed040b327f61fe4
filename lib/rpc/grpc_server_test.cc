// Unix socket listeners: owner-only, and directories another user could
// replace them in are recognised.

#include "lib/rpc/grpc_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::rpc {
namespace {

using ::testing::HasSubstr;

// A directory with a short path: a unix socket path has at most 107
// characters, which the test sandbox's temporary directory can exceed.
class ShortDir {
 public:
  ShortDir() {
    char name[] = "/tmp/grpc-server-test.XXXXXX";
    path_ = ::mkdtemp(name);
  }
  ~ShortDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(GrpcServerTest, UnixSocketIsOwnerOnlyAndRemovedAtShutdown) {
  ShortDir dir;
  ::chmod(dir.path().c_str(), 0755);
  const std::string path = dir.path() + "/s.sock";
  ServerOptions options;
  options.listen = {"unix:" + path};
  const mode_t before = ::umask(0);  // the socket's mode must not depend on the caller's umask
  auto server = GrpcServer::Start(options, {});
  ::umask(before);
  ASSERT_TRUE(server.ok()) << server.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  (*server)->Shutdown(absl::ZeroDuration());
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST(GrpcServerTest, ADirectoryOthersCanWriteIsUnsafeUnlessSticky) {
  ShortDir dir;
  const std::string socket = dir.path() + "/s.sock";
  ::chmod(dir.path().c_str(), 0777);
  absl::Status unsafe = CheckSocketDirectory(socket);
  EXPECT_TRUE(absl::IsPermissionDenied(unsafe)) << unsafe;
  EXPECT_THAT(std::string(unsafe.message()),
              HasSubstr("directory " + dir.path() + " is writable by other users (mode 0777) "
                        "without the sticky bit"));
  ::chmod(dir.path().c_str(), 0775);
  EXPECT_TRUE(absl::IsPermissionDenied(CheckSocketDirectory(socket)));
  ::chmod(dir.path().c_str(), 01777);
  EXPECT_TRUE(CheckSocketDirectory(socket).ok());
  ::chmod(dir.path().c_str(), 0755);
  EXPECT_TRUE(CheckSocketDirectory(socket).ok());
  // Served anyway (with a warning): containers share such directories.
  ::chmod(dir.path().c_str(), 0777);
  ServerOptions options;
  options.listen = {"unix:" + socket};
  auto server = GrpcServer::Start(options, {});
  ASSERT_TRUE(server.ok()) << server.status();
  struct stat st;
  ASSERT_EQ(::stat(socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(GrpcServerTest, RefusesAMissingDirectoryAndAFileInTheWay) {
  ShortDir dir;
  ::chmod(dir.path().c_str(), 0700);
  ServerOptions options;
  options.listen = {"unix:" + dir.path() + "/no/s.sock"};
  auto missing = GrpcServer::Start(options, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("does not exist"));
  const std::string file = dir.path() + "/file";
  ASSERT_EQ(::close(::creat(file.c_str(), 0600)), 0);
  options.listen = {"unix:" + file};
  auto in_the_way = GrpcServer::Start(options, {});
  ASSERT_FALSE(in_the_way.ok());
  EXPECT_THAT(std::string(in_the_way.status().message()), HasSubstr("exists and is not a socket"));
}

}  // namespace
}  // namespace goprobe::rpc
