#include "services/probe/live_flags.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Parses `args` (after the program name) with goprobe's live flags.
absl::Status Apply(std::vector<std::string> args, ProbeConfig* config) {
  CLI::App app;
  std::string config_path;
  CLI::Option* config_flag = app.add_option("--config", config_path);
  LiveFlags flags;
  flags.host_id_flag = app.add_option("--host-id", flags.host_id);
  flags.hostname_flag = app.add_option("--hostname", flags.hostname);
  flags.Register(&app, config_flag);
  args.insert(args.begin(), {"--config", "probe.yaml"});
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  return flags.ApplyTo(config);
}

ProbeConfig FromFile() {
  absl::StatusOr<ProbeConfig> c = ParseProbeConfig(R"(db_path: /db
interfaces: {eth0: {}}
api:
  listen: [unix:/run/p.sock]
metrics: {listen: 127.0.0.1:9102}
)",
                                                   "probe.yaml");
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

TEST(LiveFlagsTest, FlagsOverrideTheFile) {
  ProbeConfig c = FromFile();
  ASSERT_TRUE(Apply({"--listen", "127.0.0.1:8146", "--listen", "unix:/tmp/p.sock", "--log-level",
                     "debug", "--metrics-listen", "", "--host-id", "9",
                     "--max-receive-message-bytes", "16MiB"},
                    &c)
                  .ok());
  EXPECT_THAT(c.api.listen, ElementsAre("127.0.0.1:8146", "unix:/tmp/p.sock"));
  EXPECT_EQ(c.api.origins.Describe("listen"), "--listen");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.api.logging.level, "debug");
  EXPECT_TRUE(c.api.metrics_listen.empty());
  EXPECT_EQ(c.host_id, 9u);
  EXPECT_EQ(c.api.host_id, 9u);
  EXPECT_EQ(c.api.max_receive_message_bytes, 16 << 20);
}

TEST(LiveFlagsTest, NoFlagsKeepTheFile) {
  ProbeConfig c = FromFile();
  ASSERT_TRUE(Apply({}, &c).ok());
  EXPECT_THAT(c.api.listen, ElementsAre("unix:/run/p.sock"));
  EXPECT_EQ(c.api.metrics_listen, "127.0.0.1:9102");
}

TEST(LiveFlagsTest, BadValuesNameTheFlag) {
  ProbeConfig c = FromFile();
  EXPECT_THAT(std::string(Apply({"--listen", "localhost"}, &c).message()),
              HasSubstr("--listen"));
  c = FromFile();
  EXPECT_THAT(std::string(Apply({"--log-level", "loud"}, &c).message()),
              HasSubstr("--log-level"));
  c = FromFile();
  // A certificate without its key.
  EXPECT_THAT(std::string(Apply({"--tls-cert", "/c.pem"}, &c).message()), HasSubstr("--tls-cert"));
}

}  // namespace
}  // namespace goprobe::probe
