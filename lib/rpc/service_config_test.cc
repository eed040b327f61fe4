// The shared service settings: from YAML and flags to a serving runtime.

#include "lib/rpc/service_config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <httplib.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/rpc/test_certificates.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"

namespace goprobe::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ServiceConfigTest : public ::testing::Test {
 protected:
  ServiceConfigTest() : schema_("testd", &config_.origins) { config_.Register(&schema_); }

  absl::Status Load(absl::string_view yaml) {
    absl::Status s = schema_.LoadYaml(yaml, "testd.yaml");
    if (s.ok()) s = config_.RequireDbPath();
    return s.ok() ? config_.Validate() : s;
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  godb::TempDir dir_;
  ServiceConfig config_;
  ConfigSchema schema_;
};

TEST_F(ServiceConfigTest, EverySharedKey) {
  ASSERT_TRUE(Load(R"(
db_path: /var/lib/goprobe/db
listen:
  - unix:/run/goprobe/gostore.sock
  - "[::]:8145"
host_id: 1234
hostname: edge-1
machine_id_file: /etc/machine-id
api_key_file: /etc/goprobe/keys
tls:
  cert_file: /etc/goprobe/tls/store.pem
  key_file: /etc/goprobe/tls/store.key
  client_ca_file: /etc/goprobe/tls/ca.pem
logging:
  destination: syslog
  level: debug
metrics:
  listen: 127.0.0.1:9101
limits:
  max_receive_message_bytes: 16MiB
)")
                  .ok());
  EXPECT_EQ(config_.db_path, "/var/lib/goprobe/db");
  EXPECT_THAT(config_.listen, ElementsAre("unix:/run/goprobe/gostore.sock", "[::]:8145"));
  EXPECT_EQ(config_.host_id, 1234u);
  EXPECT_EQ(config_.hostname, "edge-1");
  EXPECT_EQ(config_.api_key_file, "/etc/goprobe/keys");
  EXPECT_EQ(config_.tls.cert_file, "/etc/goprobe/tls/store.pem");
  EXPECT_EQ(config_.tls.key_file, "/etc/goprobe/tls/store.key");
  EXPECT_EQ(config_.tls.client_ca_file, "/etc/goprobe/tls/ca.pem");
  EXPECT_EQ(config_.logging.destination, "syslog");
  EXPECT_EQ(config_.logging.level, "debug");
  EXPECT_EQ(config_.metrics_listen, "127.0.0.1:9101");
  EXPECT_EQ(config_.max_receive_message_bytes, 16 << 20);
}

TEST_F(ServiceConfigTest, BadValuesNameFileLineAndKey) {
  EXPECT_EQ(Load("listen:\n  - 127.0.0.1:8145\n  - localhost\n").message(),
            "testd.yaml:3: listen[1]: want host:port, [ipv6]:port or unix:/path (got \"localhost\")");
  EXPECT_EQ(Load("listen: [\"::1:8145\"]\n").message(),
            "testd.yaml:1: listen[0]: want host:port, [ipv6]:port or unix:/path (got \"::1:8145\")");
  EXPECT_EQ(Load("metrics:\n  listen: 9101\n").message(),
            "testd.yaml:2: metrics.listen: want host:port or [ipv6]:port (got \"9101\")");
  EXPECT_EQ(Load("logging: {level: chatty}\n").message(),
            "testd.yaml:1: logging.level: want trace, debug, info, warn, error or off (got \"chatty\")");
  EXPECT_EQ(Load("limits:\n  max_receive_message_bytes: 1KiB\n").message(),
            "testd.yaml:2: limits.max_receive_message_bytes: want a size in bytes from 4194304 to "
            "1073741824, optionally with KiB, MiB or GiB (got \"1KiB\")");
  EXPECT_EQ(Load("host_id: 0\n").message(),
            "testd.yaml:1: host_id: want a whole number from 1 to 18446744073709551615 (got \"0\")");
  EXPECT_THAT(std::string(Load("tls:\n  cert: x\n").message()),
              HasSubstr("testd.yaml:2: tls.cert: unknown key (did you mean cert_file?)"));
}

TEST_F(ServiceConfigTest, ValidateNamesWhatIsMissing) {
  EXPECT_EQ(Load("listen: [127.0.0.1:1]\n").message(),
            "no goDB directory: set db_path in the configuration or give --db");
  config_ = ServiceConfig();
  EXPECT_EQ(Load("db_path: /db\n").message(),
            "no listen address: set listen in the configuration or give --listen");
  config_ = ServiceConfig();
  EXPECT_EQ(Load("db_path: /db\nlisten: [127.0.0.1:1]\ntls:\n  cert_file: /c.pem\n").message(),
            "testd.yaml:4: tls.cert_file: TLS needs both a certificate and its key "
            "(tls.cert_file/--tls-cert and tls.key_file/--tls-key)");
  config_ = ServiceConfig();
  EXPECT_THAT(std::string(Load("db_path: /db\nlisten: [127.0.0.1:1]\ntls:\n  client_ca_file: /ca\n")
                              .message()),
              HasSubstr("testd.yaml:4: tls.client_ca_file: checking client certificates needs TLS"));
}

TEST_F(ServiceConfigTest, PrepareNamesTheSettingWhoseFileIsBad) {
  ASSERT_TRUE(Load("db_path: /db\nlisten: [127.0.0.1:0]\nhost_id: 5\napi_key_file: /nonexistent/keys\n").ok());
  auto rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().message(),
            "testd.yaml:4: api_key_file: cannot read API key file /nonexistent/keys");

  auto certs = MakeTestCertificates(dir_.path());
  ASSERT_TRUE(certs.ok()) << certs.status();
  config_ = ServiceConfig();
  ASSERT_TRUE(Load("db_path: /db\nlisten: [127.0.0.1:0]\nhost_id: 5\ntls:\n  cert_file: " +
                   certs->server_cert + "\n  key_file: " + certs->client_key +
                   "\ninsecure_no_auth: true\n")
                  .ok());
  rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().message(), "testd.yaml:6: tls.key_file: TLS key " + certs->client_key +
                                       " does not belong to the certificate in " +
                                       certs->server_cert);

  config_ = ServiceConfig();
  ASSERT_TRUE(Load("db_path: /db\nlisten: [unix:/run/x.sock]\nmachine_id_file: /nonexistent/id\n").ok());
  rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_FALSE(rt.ok());
  EXPECT_THAT(std::string(rt.status().message()),
              HasSubstr("testd.yaml:3: machine_id_file: "));
  EXPECT_THAT(std::string(rt.status().message()), HasSubstr("(or set host_id / --host-id)"));

  config_ = ServiceConfig();
  ASSERT_TRUE(Load("db_path: /db\nlisten: [unix:/run/x.sock]\nhost_id: 5\nlogging:\n  destination: /proc/nope/x.log\n").ok());
  rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_FALSE(rt.ok());
  EXPECT_THAT(std::string(rt.status().message()),
              HasSubstr("testd.yaml:5: logging.destination: cannot log to /proc/nope/x.log"));
}

TEST_F(ServiceConfigTest, ServesTlsHealthAndMetricsAndLogsToAFile) {
  auto certs = MakeTestCertificates(dir_.path());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const std::string log = dir_.path() + "/testd.log";
  ASSERT_TRUE(Load("db_path: /db\nlisten: [127.0.0.1:0]\nhost_id: 5\nhostname: h\n"
                   "metrics: {listen: 127.0.0.1:0}\n"
                   "logging: {destination: " + log + "}\n"
                   "tls: {cert_file: " + certs->server_cert + ", key_file: " + certs->server_key +
                   "}\ninsecure_no_auth: true\n")
                  .ok());
  auto rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_TRUE(rt.ok()) << rt.status();
  EXPECT_EQ((*rt)->identity().host_id, 5u);
  EXPECT_FALSE((*rt)->auth()->enabled());
  ASSERT_TRUE((*rt)->Serve({}).ok());
  ASSERT_GT((*rt)->metrics_port(), 0);

  auto factory = ClientChannelFactory::Create({true, certs->ca_cert, "", "", ""});
  ASSERT_TRUE(factory.ok());
  auto stub = grpc::health::v1::Health::NewStub(factory->Connect(
      "127.0.0.1:" + std::to_string((*rt)->server()->bound_ports()[0])));
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(&ctx, {}, &response).ok());

  httplib::Client client("127.0.0.1", (*rt)->metrics_port());
  auto scrape = client.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_THAT(scrape->body, HasSubstr("grpc_server_handled_total{grpc_service=\"grpc.health.v1."
                                      "Health\",grpc_method=\"Check\",grpc_type=\"unary\","
                                      "grpc_code=\"OK\"} 1\n"));
  EXPECT_THAT(scrape->body, HasSubstr("process_start_time_seconds "));

  (*rt)->Shutdown(absl::Seconds(1));
  std::ifstream in(log);
  const std::string logged(std::istreambuf_iterator<char>(in), {});
  EXPECT_THAT(logged, HasSubstr("testd: serving /db on 127.0.0.1:0 (port "));
  EXPECT_THAT(logged, HasSubstr(", TLS)"));
  EXPECT_THAT(logged, HasSubstr("insecure_no_auth: TCP listeners take calls from anyone"));
}

TEST_F(ServiceConfigTest, TcpWithoutKeysIsRefusedUnlessOptedOut) {
  const auto start = [this](const std::string& yaml) {
    config_ = ServiceConfig();
    absl::Status s = Load("db_path: /db\nhost_id: 5\n" + yaml);
    if (!s.ok()) return s;
    return ServiceRuntime::Prepare("testd", config_).status();
  };
  EXPECT_EQ(start("listen: [unix:/run/s.sock, 127.0.0.1:8145]\n").message(),
            "testd.yaml:3: listen: TCP listener 127.0.0.1:8145 needs API keys: set api_key_file "
            "(--api-key-file) or api_key_env (--api-key-env), or accept any client that reaches "
            "the port with insecure_no_auth: true (--insecure-no-auth)");
  EXPECT_TRUE(start("listen: [unix:/run/s.sock]\n").ok());
  EXPECT_TRUE(start("listen: [127.0.0.1:8145]\ninsecure_no_auth: true\n").ok());
  ::setenv("TESTD_KEYS", "0123456789abcdef0123", 1);
  EXPECT_TRUE(start("listen: [127.0.0.1:8145]\napi_key_env: TESTD_KEYS\n").ok());
  ::unsetenv("TESTD_KEYS");
}

TEST_F(ServiceConfigTest, KeysFromTheEnvironmentAndAFileWorkAndAreNeverLogged) {
  const std::string file_key = "file-key-0123456789abcdef";
  const std::string env_key = "env-key-0123456789abcdef";
  const std::string keys = Write("keys", file_key + "\n");
  ::chmod(keys.c_str(), 0644);
  ::setenv("TESTD_API_KEYS", ("  " + env_key + ",\n").c_str(), 1);
  const std::string log = dir_.path() + "/keys.log";
  ASSERT_TRUE(Load("db_path: /db\nlisten: [127.0.0.1:0]\nhost_id: 5\napi_key_file: " + keys +
                   "\napi_key_env: TESTD_API_KEYS\nlogging: {destination: " + log +
                   ", level: debug}\n")
                  .ok());
  auto rt = ServiceRuntime::Prepare("testd", config_);
  ASSERT_TRUE(rt.ok()) << rt.status();
  EXPECT_TRUE((*rt)->auth()->enabled());
  ASSERT_TRUE((*rt)->Serve({}).ok());
  (*rt)->Shutdown(absl::Seconds(1));
  ::unsetenv("TESTD_API_KEYS");

  std::ifstream in(log);
  const std::string logged(std::istreambuf_iterator<char>(in), {});
  EXPECT_THAT(logged, HasSubstr("API key file " + keys + " has mode 0644"));
  EXPECT_THAT(logged, HasSubstr("API keys required on TCP"));
  EXPECT_THAT(logged, ::testing::Not(HasSubstr(file_key)));
  EXPECT_THAT(logged, ::testing::Not(HasSubstr(env_key)));

  // A bad key in the environment is named by its place, not its value.
  ::setenv("TESTD_API_KEYS", "short", 1);
  rt = ServiceRuntime::Prepare("testd", config_);
  ::unsetenv("TESTD_API_KEYS");
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().message(),
            "testd.yaml:5: api_key_env: environment variable TESTD_API_KEYS, key 1: API key "
            "shorter than 16 characters");
}

}  // namespace
}  // namespace goprobe::rpc
