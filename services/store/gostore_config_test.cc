// gostore's settings, and the example configuration in deploy/config.

#include "services/store/gostore_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"

namespace goprobe::store {
namespace {

using ::testing::ElementsAre;

TEST(GostoreConfigTest, TheExampleConfigurationLoads) {
  GostoreConfig config;
  rpc::ConfigSchema schema("gostore", &config.service.origins);
  config.Register(&schema);
  absl::Status s = schema.LoadFile(testing::Runfile("deploy/config/gostore.yaml"));
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(config.Validate().ok()) << config.Validate();
  EXPECT_EQ(config.service.db_path, "/var/lib/goprobe/db");
  EXPECT_THAT(config.service.listen,
              ElementsAre("unix:/run/goprobe/gostore.sock", "127.0.0.1:8145"));
  EXPECT_EQ(config.service.metrics_listen, "127.0.0.1:9101");
  EXPECT_EQ(config.service.max_receive_message_bytes, 8 << 20);
  EXPECT_EQ(config.WriterOptions().codec, godb::Codec::kLz4);
  EXPECT_FALSE(config.Retention().enabled());
  EXPECT_EQ(config.Retention().check_interval, absl::Minutes(10));
}

TEST(GostoreConfigTest, RetentionLimits) {
  GostoreConfig config;
  rpc::ConfigSchema schema("gostore", &config.service.origins);
  config.Register(&schema);
  ASSERT_TRUE(schema
                  .LoadYaml("retention:\n  max_age_days: 30\n  max_bytes: 2GiB\n"
                            "  check_interval_seconds: 60\n",
                            "gostore.yaml")
                  .ok());
  const RetentionPolicy policy = config.Retention();
  EXPECT_EQ(policy.max_age_days, 30);
  EXPECT_EQ(policy.max_bytes, int64_t{2} << 30);
  EXPECT_EQ(policy.check_interval, absl::Seconds(60));
  EXPECT_TRUE(policy.enabled());
  absl::Status s = schema.LoadYaml("retention:\n  max_bytes: lots\n", "gostore.yaml");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("retention.max_bytes"), absl::string_view::npos) << s;
}

TEST(GostoreConfigTest, CompressionAndTheDatabaseAreChecked) {
  GostoreConfig config;
  rpc::ConfigSchema schema("gostore", &config.service.origins);
  config.Register(&schema);
  absl::Status s = schema.LoadYaml("compression: brotli\n", "gostore.yaml");
  EXPECT_EQ(s.message(), "gostore.yaml:1: compression: want lz4, zstd or none (got \"brotli\")");
  ASSERT_TRUE(schema.LoadYaml("compression: zstd\nlisten: [127.0.0.1:0]\n", "gostore.yaml").ok());
  EXPECT_EQ(config.WriterOptions().codec, godb::Codec::kZstd);
  EXPECT_EQ(config.Validate().message(),
            "no goDB directory: set db_path in the configuration or give --db");
}

}  // namespace
}  // namespace goprobe::store
