#include "lib/rpc/api_keys.h"

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::rpc {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ApiKeysTest, LoadsKeysSkippingCommentsAndBlanks) {
  const std::string path =
      WriteFile("keys", "# probe key\n  0123456789abcdef0123  \n\nfedcba9876543210fedc\n");
  auto keys = LoadApiKeys(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, testing::ElementsAre("0123456789abcdef0123", "fedcba9876543210fedc"));
}

TEST(ApiKeysTest, RejectsWeakOrEmptyKeyFilesNamingTheLineNotTheKey) {
  auto short_key = LoadApiKeys(WriteFile("short", "# c\nshortkey\n"));
  ASSERT_FALSE(short_key.ok());
  EXPECT_THAT(std::string(short_key.status().message()),
              testing::AllOf(testing::HasSubstr("short:2"), testing::Not(testing::HasSubstr("shortkey"))));
  auto spaced = LoadApiKeys(WriteFile("spaced", "0123456789 abcdef0123\n"));
  EXPECT_FALSE(spaced.ok());
  EXPECT_FALSE(LoadApiKeys(WriteFile("empty", "# nothing\n")).ok());
  EXPECT_TRUE(absl::IsNotFound(LoadApiKeys("/nonexistent/keys").status()));
}

TEST(ApiKeysTest, KeyIdTellsKeysApartWithoutTellingThem) {
  const std::string id = ApiKeyId("0123456789abcdef0123");
  EXPECT_EQ(id.size(), 4u + 12u);
  EXPECT_EQ(id.substr(0, 4), "key-");
  EXPECT_EQ(id, ApiKeyId("0123456789abcdef0123"));
  EXPECT_NE(id, ApiKeyId("0123456789abcdef0124"));
  EXPECT_EQ(id.find("0123456789"), std::string::npos);
}

TEST(ApiKeysTest, LoadsKeysFromTheEnvironment) {
  ::setenv("API_KEYS_TEST", "0123456789abcdef0123, fedcba9876543210fedc\n", 1);
  auto keys = LoadApiKeysFromEnv("API_KEYS_TEST");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_THAT(*keys, testing::ElementsAre("0123456789abcdef0123", "fedcba9876543210fedc"));
  ::setenv("API_KEYS_TEST", "0123456789abcdef0123,tooshortkey", 1);
  auto bad = LoadApiKeysFromEnv("API_KEYS_TEST");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "environment variable API_KEYS_TEST, key 2: API key shorter than 16 characters");
  ::setenv("API_KEYS_TEST", " , ", 1);
  EXPECT_FALSE(LoadApiKeysFromEnv("API_KEYS_TEST").ok());
  ::unsetenv("API_KEYS_TEST");
  EXPECT_TRUE(absl::IsNotFound(LoadApiKeysFromEnv("API_KEYS_TEST").status()));
}

}  // namespace
}  // namespace goprobe::rpc
