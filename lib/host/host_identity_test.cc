#include "lib/host/host_identity.h"

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace goprobe::host {
namespace {

TEST(HostIdentityTest, IdIsStableNonZeroAndIgnoresTrailingNewline) {
  const uint64_t a = HostIdFromMachineId("0123456789abcdef0123456789abcdef\n");
  EXPECT_NE(a, 0u);
  EXPECT_EQ(a, HostIdFromMachineId("0123456789abcdef0123456789abcdef"));
  EXPECT_NE(a, HostIdFromMachineId("fedcba9876543210fedcba9876543210"));
}

TEST(HostIdentityTest, ReadsTheMachineIdFile) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/machine-id";
  std::ofstream(path) << "abc\n";
  auto id = LocalHostIdentity(path);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->host_id, HostIdFromMachineId("abc"));
  EXPECT_FALSE(id->hostname.empty());
}

TEST(HostIdentityTest, MissingOrEmptyFileIsAClearError) {
  auto missing = LocalHostIdentity("/nonexistent/machine-id");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_NE(missing.status().message().find("/nonexistent/machine-id"), std::string::npos);
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/empty-id";
  std::ofstream(path) << "\n";
  EXPECT_FALSE(LocalHostIdentity(path).ok());
}

TEST(HostIdentityTest, FlagsOverrideAndFillIn) {
  auto given = ResolveHostIdentity(7, "probe1", "/nonexistent/machine-id");
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(given->host_id, 7u);
  EXPECT_EQ(given->hostname, "probe1");
  auto named = ResolveHostIdentity(9, "", "/nonexistent/machine-id");
  ASSERT_TRUE(named.ok());
  EXPECT_FALSE(named->hostname.empty());
  EXPECT_FALSE(ResolveHostIdentity(0, "x", "/nonexistent/machine-id").ok());
}

}  // namespace
}  // namespace goprobe::host
