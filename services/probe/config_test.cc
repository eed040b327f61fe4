#include "services/probe/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"

namespace goprobe::probe {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, ParsesEverySetting) {
  absl::StatusOr<ProbeConfig> c = ParseProbeConfig(R"(
db_path: /var/lib/goprobe/db
max_flows: 1000
run_as: goprobe
interfaces:
  eth0:
    bpf_filter: "not arp and not icmp"
    buf_size: 2097152
    promisc: false
  eth1:
    bpf_filter: "not arp"
    buf_size: 1048576
    promisc: true
    snaplen: 256
  eth2:
  /^veth[0-9]+$/: {disable: true}
  any: {}
logging:
  destination: syslog
  level: debug
)",
                                                   "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db_path, "/var/lib/goprobe/db");
  EXPECT_EQ(c->max_flows, 1000u);
  EXPECT_EQ(c->run_as, "goprobe");
  ASSERT_EQ(c->interfaces.size(), 5u);
  EXPECT_EQ(c->interfaces[0].key, "eth0");
  EXPECT_EQ(c->interfaces[0].settings.bpf_filter, "not arp and not icmp");
  EXPECT_EQ(c->interfaces[0].settings.buf_size, 2097152);
  EXPECT_FALSE(c->interfaces[0].settings.promisc);
  EXPECT_TRUE(c->interfaces[1].settings.promisc);
  EXPECT_EQ(c->interfaces[1].settings.snaplen, 256);
  EXPECT_EQ(c->interfaces[2].settings, CaptureSettings());  // defaults
  EXPECT_TRUE(c->interfaces[3].settings.disable);
  EXPECT_EQ(c->logging.destination, "syslog");
  EXPECT_EQ(c->logging.level, "debug");
}

TEST(ConfigTest, ParsesTheStoreSection) {
  auto c = ParseProbeConfig(
      "store:\n  addr: unix:/run/goprobe/gostore.sock\n  spool_dir: /var/lib/goprobe/spool\n"
      "  spool_max_bytes: 2097152\n  api_key_file: /etc/goprobe/store.key\n"
      "host_id: 42\nhostname: probe1\ninterfaces: {eth0: {}}\n",
      "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->store.has_value());
  EXPECT_TRUE(c->db_path.empty());
  EXPECT_EQ(c->store->addr, "unix:/run/goprobe/gostore.sock");
  EXPECT_EQ(c->store->spool_dir, "/var/lib/goprobe/spool");
  EXPECT_EQ(c->store->spool_max_bytes, 2097152u);
  EXPECT_EQ(c->store->api_key_file, "/etc/goprobe/store.key");
  EXPECT_EQ(c->host_id, 42u);
  EXPECT_EQ(c->hostname, "probe1");
}

TEST(ConfigTest, ParsesTheStoreTlsSection) {
  auto c = ParseProbeConfig(
      "store:\n  addr: gostore.example:8145\n  spool_dir: /sp\n  tls:\n"
      "    ca_file: /etc/goprobe/tls/ca.pem\n    cert_file: /etc/goprobe/tls/probe.pem\n"
      "    key_file: /etc/goprobe/tls/probe.key\n    server_name: store.internal\n"
      "interfaces: {eth0: {}}\n",
      "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const StoreTls& tls = c->store->tls;
  EXPECT_TRUE(tls.enabled);
  EXPECT_EQ(tls.ca_file, "/etc/goprobe/tls/ca.pem");
  EXPECT_EQ(tls.cert_file, "/etc/goprobe/tls/probe.pem");
  EXPECT_EQ(tls.key_file, "/etc/goprobe/tls/probe.key");
  EXPECT_EQ(tls.server_name, "store.internal");

  // An empty section turns TLS on with the system's CAs; no section leaves it off.
  c = ParseProbeConfig("store: {addr: 'store:8145', spool_dir: /sp, tls: {}}\ninterfaces: {eth0: {}}",
                       "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->store->tls.enabled);
  EXPECT_TRUE(c->store->tls.ca_file.empty());
  c = ParseProbeConfig("store: {addr: 'store:8145', spool_dir: /sp, tls: }\ninterfaces: {eth0: {}}",
                       "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->store->tls.enabled);
  c = ParseProbeConfig("store: {addr: 'store:8145', spool_dir: /sp}\ninterfaces: {eth0: {}}",
                       "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->store->tls.enabled);
}

TEST(ConfigTest, ErrorsNameFileKeyAndReason) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"interfaces: {eth0: {}}", "probe.yaml: db_path: give exactly one of db_path"},
      {"db_path: /x\nstore: {addr: 'unix:/s', spool_dir: /sp}\ninterfaces: {eth0: {}}",
       "probe.yaml: db_path: give exactly one of db_path"},
      {"store: {spool_dir: /sp}\ninterfaces: {eth0: {}}", "probe.yaml: store.addr: missing"},
      {"store: {addr: 'unix:/s'}\ninterfaces: {eth0: {}}", "probe.yaml: store.spool_dir: missing"},
      {"store: {addr: 'unix:/s', spool_dir: /sp, spool_max_bytes: 10}\ninterfaces: {eth0: {}}",
       "probe.yaml: store.spool_max_bytes: must be at least 1 MiB"},
      {"store: {addr: 'unix:/s', spool_dir: /sp, port: 1}\ninterfaces: {eth0: {}}",
       "probe.yaml: store.port: unknown key"},
      {"db_path: /x\nhost_id: -3\ninterfaces: {eth0: {}}", "probe.yaml: host_id: must be a positive"},
      {"db_path: /x\ninterfaces: {}", "probe.yaml: interfaces: must map at least one"},
      {"db_path: /x\ninterfaces: {eth0: {promisc: maybe}}",
       "probe.yaml: interfaces.eth0.promisc: must be true or false"},
      {"db_path: /x\ninterfaces: {eth0: {buf_size: 10}}",
       "probe.yaml: interfaces.eth0.buf_size: must be between"},
      {"db_path: /x\ninterfaces: {eth0: {bpf: x}}",
       "probe.yaml: interfaces.eth0.bpf: unknown key (known: bpf_filter, buf_size"},
      {"db_path: /x\ninterfaces: {eth0: {}}\nlogs: {}", "probe.yaml: logs: unknown key"},
      {"db_path: /x\ninterfaces: {'/[a-/': {}}", "interfaces./[a-/: not a valid regular expression"},
      {"db_path: /x\ninterfaces: {'../etc': {}}", "interfaces.../etc:"},
      {"db_path: /x\ninterfaces: {eth0: {}}\nlogging: {level: loud}",
       "logging.level: must be trace, debug"},
      {"db_path: [unclosed", "probe.yaml: line 1"},
      {"store: {addr: 'unix:/s', spool_dir: /sp, tls: {ca_file: /ca.pem}}\ninterfaces: {eth0: {}}",
       "probe.yaml: store.tls: TLS is for TCP addresses; unix:/s is a unix socket"},
      {"store: {addr: 's:1', spool_dir: /sp, tls: {cert_file: /c.pem}}\ninterfaces: {eth0: {}}",
       "probe.yaml: store.tls: a client certificate needs its key"},
      {"store: {addr: 's:1', spool_dir: /sp, tls: {ca: /c.pem}}\ninterfaces: {eth0: {}}",
       "probe.yaml: store.tls.ca: unknown key (known: ca_file, cert_file, key_file, server_name)"},
      // Complex keys (found by fuzz/config_fuzzer): refused, not thrown.
      {"db_path: /x\ninterfaces:\n  eth0:\n  ? bpf_filter: x\n", "probe.yaml: interfaces: keys must be plain names"},
      {"db_path: /x\ninterfaces: {eth0: {? [a]: 1}}", "probe.yaml: interfaces.eth0: keys must be plain names"},
      {"? {db_path: /x}\ninterfaces: {eth0: {}}", "probe.yaml: (top): keys must be plain names"},
      {"db_path: /x\nrun_as: ''\ninterfaces: {eth0: {}}", "probe.yaml: run_as: must name a user"},
      {"db_path: /x\nrun_as: [a]\ninterfaces: {eth0: {}}", "probe.yaml: run_as: must be a user name"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ProbeConfig> got = ParseProbeConfig(c.yaml, "probe.yaml");
    ASSERT_FALSE(got.ok()) << c.yaml;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr(c.want)) << c.yaml;
  }
  EXPECT_EQ(LoadProbeConfig("/nonexistent/probe.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ConfigTest, ResolveInterfaces) {
  CaptureSettings promisc;
  promisc.promisc = true;
  CaptureSettings filtered;
  filtered.bpf_filter = "tcp";
  CaptureSettings off;
  off.disable = true;
  const std::vector<InterfaceRule> rules = {
      {"eth0", filtered},  // exact names win over patterns
      {"/^veth.*/", promisc},
      {"veth9", off},      // excluded even though the pattern matches
      {"any", CaptureSettings()},
      {"tun7", CaptureSettings()},  // named but absent: still tried
  };
  const std::vector<std::string> present = {"lo", "eth0", "eth1", "veth1", "veth9", "wlan0"};
  const std::vector<std::string> up = {"eth0", "eth1", "veth1", "veth9"};
  std::vector<ResolvedInterface> got = ResolveInterfaces(rules, present, up);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].name, "eth0");
  EXPECT_EQ(got[0].settings, filtered);
  EXPECT_EQ(got[1].name, "eth1");
  EXPECT_EQ(got[1].settings, CaptureSettings());
  EXPECT_EQ(got[2].name, "tun7");
  EXPECT_EQ(got[3].name, "veth1");
  EXPECT_EQ(got[3].settings, promisc);
}

TEST(ConfigTest, ApiSectionBecomesServiceSettings) {
  absl::StatusOr<ProbeConfig> c = ParseProbeConfig(R"(db_path: /db
host_id: 42
interfaces: {eth0: {}}
logging: {level: debug}
api:
  listen:
    - unix:/run/goprobe/goprobe.sock
    - 127.0.0.1:8146
  api_key_file: /etc/goprobe/goprobe.keys
  tls:
    cert_file: /tls/probe.pem
    key_file: /tls/probe.key
  limits: {max_receive_message_bytes: 16MiB}
metrics:
  listen: 127.0.0.1:9102
)",
                                                   "probe.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->api.listen,
              ::testing::ElementsAre("unix:/run/goprobe/goprobe.sock", "127.0.0.1:8146"));
  EXPECT_EQ(c->api.api_key_file, "/etc/goprobe/goprobe.keys");
  EXPECT_EQ(c->api.tls.cert_file, "/tls/probe.pem");
  EXPECT_EQ(c->api.tls.key_file, "/tls/probe.key");
  EXPECT_EQ(c->api.max_receive_message_bytes, 16 << 20);
  EXPECT_EQ(c->api.metrics_listen, "127.0.0.1:9102");
  EXPECT_EQ(c->api.host_id, 42u);
  EXPECT_EQ(c->api.logging.level, "debug");
  // Messages about a setting name the file's line and the probe's key.
  EXPECT_EQ(c->api.origins.Describe("tls.key_file"), "probe.yaml:12: api.tls.key_file");
  EXPECT_EQ(c->api.origins.Describe("metrics.listen"), "probe.yaml:15: metrics.listen");
}

TEST(ConfigTest, NoApiSectionServesNothing) {
  absl::StatusOr<ProbeConfig> c = ParseProbeConfig("db_path: /db\ninterfaces: {eth0: {}}\n", "p.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->api.listen.empty());
  EXPECT_TRUE(c->api.metrics_listen.empty());
}

TEST(ConfigTest, BadApiSettingsNameFileAndKey) {
  const auto error = [](const std::string& yaml) {
    return std::string(
        ParseProbeConfig("db_path: /db\ninterfaces: {eth0: {}}\n" + yaml, "p.yaml").status().message());
  };
  EXPECT_THAT(error("api: {listen: localhost}\n"),
              ::testing::AllOf(HasSubstr("p.yaml"), HasSubstr("api.listen[0]"),
                               HasSubstr("localhost")));
  EXPECT_THAT(error("api: {api_key_file: /k}\n"),
              ::testing::AllOf(HasSubstr("p.yaml: api.listen"), HasSubstr("at least one")));
  EXPECT_THAT(error("api: {listen: 127.0.0.1:1, tls: {cert_file: /c}}\n"),
              ::testing::AllOf(HasSubstr("p.yaml:3: api.tls.cert_file"), HasSubstr("key")));
  EXPECT_THAT(error("api: {listen: 127.0.0.1:1, tsl: {}}\n"),
              ::testing::AllOf(HasSubstr("api.tsl"), HasSubstr("unknown key")));
  EXPECT_THAT(error("api: {listen: 127.0.0.1:1, limits: {max_receive_message_bytes: 1KiB}}\n"),
              HasSubstr("api.limits.max_receive_message_bytes"));
  EXPECT_THAT(error("metrics: {listen: nowhere}\n"), HasSubstr("metrics.listen"));
}

TEST(ConfigTest, DeployedExampleLoads) {
  absl::StatusOr<ProbeConfig> c =
      LoadProbeConfig(goprobe::testing::Runfile("deploy/config/goprobe.yaml"));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->store.has_value());
  EXPECT_EQ(c->store->addr, "unix:/run/goprobe/gostore.sock");
  EXPECT_THAT(c->api.listen,
              ::testing::ElementsAre("unix:/run/goprobe/goprobe.sock", "127.0.0.1:8147"));
  EXPECT_EQ(c->api.metrics_listen, "127.0.0.1:9103");
  EXPECT_EQ(c->api.max_receive_message_bytes, 8 << 20);
  ASSERT_EQ(c->interfaces.size(), 1u);
  EXPECT_EQ(c->interfaces[0].settings.bpf_filter, "not arp");
}

}  // namespace
}  // namespace goprobe::probe
