// goqueryd's settings, and the example configuration in deploy/config.

#include "services/query/goqueryd_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"

namespace goprobe::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GoquerydConfigTest : public ::testing::Test {
 protected:
  GoquerydConfigTest() : schema_("goqueryd", &config_.service.origins) {
    config_.Register(&schema_);
  }
  absl::Status Load(absl::string_view yaml) {
    absl::Status s = schema_.LoadYaml(yaml, "goqueryd.yaml");
    return s.ok() ? config_.Validate() : s;
  }
  GoquerydConfig config_;
  rpc::ConfigSchema schema_;
};

TEST_F(GoquerydConfigTest, TheExampleConfigurationLoads) {
  absl::Status s = schema_.LoadFile(testing::Runfile("deploy/config/goqueryd.yaml"));
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(config_.Validate().ok()) << config_.Validate();
  EXPECT_FALSE(config_.root());
  EXPECT_EQ(config_.service.db_path, "/var/lib/goprobe/db");
  EXPECT_THAT(config_.service.listen,
              ElementsAre("unix:/run/goprobe/goqueryd.sock", "127.0.0.1:8146"));
  EXPECT_EQ(config_.service.metrics_listen, "127.0.0.1:9102");
  EXPECT_EQ(config_.MakeLeafOptions()->limits.max_memory_bytes, 0u);
  EXPECT_EQ(config_.MakeLeafOptions()->threads, 0);
}

TEST_F(GoquerydConfigTest, LeafSettings) {
  ASSERT_TRUE(Load("db_path: /db\nlisten: [127.0.0.1:0]\nquery: {max_memory_bytes: 2GiB, "
                   "threads: 4}\n")
                  .ok());
  EXPECT_EQ(config_.MakeLeafOptions()->limits.max_memory_bytes, uint64_t{2} << 30);
  EXPECT_EQ(config_.MakeLeafOptions()->threads, 4);
}

TEST_F(GoquerydConfigTest, RootSettings) {
  ASSERT_TRUE(Load("peers: [\"leaf-a:8146\", \"[fd00::1]:8146\", \"unix:/run/l.sock\"]\n"
                   "host_timeout: 12.5\nlisten: [127.0.0.1:0]\n")
                  .ok());
  EXPECT_TRUE(config_.root());
  auto peers = config_.MakePeerSet();
  ASSERT_TRUE(peers.ok());
  EXPECT_THAT(peers->entries(), ElementsAre("leaf-a:8146", "[fd00::1]:8146", "unix:/run/l.sock"));
  auto options = config_.MakeRootOptions();
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->host_timeout, absl::Milliseconds(12500));
}

TEST_F(GoquerydConfigTest, CommaSeparatedPeersAsTheFlagTakesThem) {
  ASSERT_TRUE(Load("peers: \"a:1, b:2\"\nlisten: [127.0.0.1:0]\n").ok());
  EXPECT_THAT(config_.peers, ElementsAre("a:1", "b:2"));
}

TEST_F(GoquerydConfigTest, RoleAndValueErrorsAreNamed) {
  EXPECT_EQ(Load("listen: [127.0.0.1:0]\n").message(),
            "give db_path (--db) for a leaf or peers (--peers) for a root");
  EXPECT_EQ(Load("db_path: /db\npeers: [a:1]\nlisten: [127.0.0.1:0]\n").message(),
            "goqueryd.yaml:2: peers: a goqueryd is a leaf over goqueryd.yaml:1: db_path or a root "
            "over peers, not both");
  config_ = GoquerydConfig();
  EXPECT_EQ(Load("db_path: /db\nhost_timeout: 5\nlisten: [127.0.0.1:0]\n").message(),
            "goqueryd.yaml:2: host_timeout: a root's setting; this goqueryd is a leaf (db_path)");
  config_ = GoquerydConfig();
  EXPECT_EQ(Load("peers: [a:1]\nquery: {threads: 2}\nlisten: [127.0.0.1:0]\n").message(),
            "goqueryd.yaml:2: query.threads: a leaf's setting; this goqueryd is a root (peers)");
  EXPECT_THAT(std::string(Load("peers: [nonsense]\n").message()),
              HasSubstr("goqueryd.yaml:1: peers[0]: peer \"nonsense\": want host:port"));
  EXPECT_EQ(Load("host_timeout: -1\n").message(),
            "goqueryd.yaml:1: host_timeout: want seconds, more than 0 and at most 86400 (got \"-1\")");
}

TEST_F(GoquerydConfigTest, PeerKeyFileErrorsNameTheSetting) {
  ASSERT_TRUE(Load("peers: [a:1]\npeer_api_key_file: /nonexistent/key\nlisten: [127.0.0.1:0]\n").ok());
  auto options = config_.MakeRootOptions();
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().message(),
            "goqueryd.yaml:2: peer_api_key_file: cannot read API key file /nonexistent/key");
}

}  // namespace
}  // namespace goprobe::query
