// gostore as an operator runs it: from a YAML file, with TLS on its TCP
// listener and metrics on loopback, fed by a real goprobe; and the
// configurations it must refuse, with the message an operator would read.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/rpc/test_certificates.h"
#include "tests/harness/loopback_port.h"
#include "tests/harness/prometheus_sample.h"
#include "tests/harness/subprocess.h"

namespace goprobe {
namespace {

using ::testing::HasSubstr;
using testing::ChildProcess;
using testing::RunProcess;
using testing::Runfile;

class GostoreProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/goprobe-gostore.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    gostore_ = Runfile("services/store/gostore");
    goprobe_ = Runfile("services/probe/goprobe");
    auto certs = rpc::MakeTestCertificates(dir_);
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_, gostore_, goprobe_;
  rpc::TestCertificates certs_;
};

TEST_F(GostoreProcessTest, ConfigFileTlsAndMetricsWithARealProbe) {
  const int port = testing::FreeLoopbackPort();
  const int metrics_port = testing::FreeLoopbackPort();
  const std::string config = Write("gostore.yaml", absl::StrCat(R"(
db_path: )", dir_, R"(/db
listen:
  - unix:)", dir_, R"(/gostore.sock
  - 127.0.0.1:)", port, R"(
host_id: 7
insecure_no_auth: true   # TLS alone; the API key path is covered in tests/limits
tls:
  cert_file: )", certs_.server_cert, R"(
  key_file: )", certs_.server_key, R"(
logging:
  destination: )", dir_, R"(/gostore.log
  level: info
metrics:
  listen: 127.0.0.1:)", metrics_port, R"(
compression: zstd
)"));
  auto check = RunProcess({gostore_, "--config", config, "--check-config"});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << check->err;
  EXPECT_THAT(check->out, HasSubstr("configuration " + config + " is good"));

  auto store = ChildProcess::Start({gostore_, "--config", config}, dir_ + "/gostore.out");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->WaitForPath(dir_ + "/gostore.sock", absl::Seconds(20))) << (*store)->Log();
  ASSERT_TRUE((*store)->WaitForTcpPort(port, absl::Seconds(20))) << (*store)->Log();
  ASSERT_TRUE((*store)->WaitForTcpPort(metrics_port, absl::Seconds(20))) << (*store)->Log();

  // goprobe ships a capture over TLS, checking the store's certificate.
  const std::string capture = Runfile("tests/data/pcaps/goprobe__default.pcap.gz");
  auto probe = RunProcess({goprobe_, "--pcap", capture, "--iface", "eth0", "--store",
                           absl::StrCat("127.0.0.1:", port), "--store-tls-ca", certs_.ca_cert,
                           "--spool", dir_ + "/spool", "--host-id", "7", "--ship-timeout", "60"});
  ASSERT_TRUE(probe.ok());
  ASSERT_EQ(probe->exit_code, 0) << probe->err;

  // A probe that does not trust the store's CA gets nothing through.
  auto untrusting = RunProcess({goprobe_, "--pcap", capture, "--iface", "eth1", "--store",
                                absl::StrCat("127.0.0.1:", port), "--store-tls-ca",
                                certs_.other_ca_cert, "--spool", dir_ + "/spool2", "--host-id",
                                "7", "--ship-timeout", "2"});
  ASSERT_TRUE(untrusting.ok());
  EXPECT_EQ(untrusting->exit_code, 1);
  EXPECT_THAT(untrusting->err, HasSubstr("not acknowledged"));

  // What the store holds...
  godb::DbReader reader(dir_ + "/db");
  std::vector<godb::ScanProblem> problems;
  uint64_t blocks = 0, rows = 0;
  ASSERT_TRUE(godb::ScanBlocks(reader, "eth0", 0, godb::kMaxBlockTime,
                               godb::ColumnSet().Add(godb::Column::kProto),
                               [&](const godb::BlockInfo& b, const godb::BlockColumns&) {
                                 ++blocks;
                                 rows += b.rows;
                                 return true;
                               },
                               &problems)
                  .ok());
  ASSERT_GT(blocks, 100u);
  uint64_t on_disk = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/db/eth0")) {
    if (e.is_regular_file()) on_disk += e.file_size();
  }

  // ...is what its metrics say, scraped over loopback.
  httplib::Client client("127.0.0.1", metrics_port);
  auto scrape = client.Get("/metrics");
  ASSERT_TRUE(scrape) << httplib::to_string(scrape.error());
  ASSERT_EQ(scrape->status, 200);
  const std::string& text = scrape->body;
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_batches_total{result=\"stored\"}"), double(blocks));
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_batches_total{result=\"rejected\"}"), 0);
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_rows_written_total"), double(rows));
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_bytes_written_total"), double(on_disk));
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_write_seconds_count"), double(blocks));
  EXPECT_EQ(testing::PrometheusSample(text, "gostore_ingest_streams_open"), 0);
  EXPECT_GE(testing::PrometheusSample(text, "grpc_server_handled_total{grpc_service=\"goprobe.v1.Store\","
                         "grpc_method=\"Ingest\",grpc_type=\"bidi_stream\",grpc_code=\"OK\"}"),
            1);
  EXPECT_GT(testing::PrometheusSample(text, "process_resident_memory_bytes"), 0);

  (*store)->Signal(SIGTERM);
  auto code = (*store)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << (*store)->Log();
  std::ifstream log(dir_ + "/gostore.log");
  const std::string logged(std::istreambuf_iterator<char>(log), {});
  EXPECT_THAT(logged, HasSubstr(absl::StrCat("on 127.0.0.1:", port, " (port ", port, ", TLS)")));
  EXPECT_THAT(logged, HasSubstr("gostore: stopped"));
}

TEST_F(GostoreProcessTest, BadConfigurationsAreRefusedWithFileKeyAndReason) {
  struct Case {
    std::string yaml;
    std::vector<std::string> flags;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"db_path: /tmp/x\nlisten:\n  - 127.0.0.1:0\n  - localhost\n", {},
       "gostore.yaml:4: listen[1]: want host:port, [ipv6]:port or unix:/path (got \"localhost\")"},
      {"db_path: /tmp/x\nlisten: [127.0.0.1:0]\nlisen: [x]\n", {},
       "gostore.yaml:3: lisen: unknown key (did you mean listen?)"},
      {"db_path: /tmp/x\nlisten: [127.0.0.1:0]\n", {"--compression", "gzip"},
       "--compression: want lz4, zstd or none (got \"gzip\")"},
      {"listen: [127.0.0.1:0]\n", {}, "no goDB directory: set db_path"},
      {"db_path: /tmp/x\nlisten: [127.0.0.1:0]\nhost_id: 1\ntls:\n  cert_file: " +
           certs_.server_cert + "\n  key_file: " + certs_.client_key + "\n",
       {},
       "gostore.yaml:6: tls.key_file: TLS key " + certs_.client_key +
           " does not belong to the certificate in " + certs_.server_cert},
      {"db_path: /tmp/x\nlisten: [127.0.0.1:0]\nhost_id: 1\ntls:\n  cert_file: " + dir_ +
           "/missing.pem\n  key_file: " + certs_.server_key + "\n",
       {},
       "gostore.yaml:5: tls.cert_file: cannot read TLS certificate " + dir_ +
           "/missing.pem: No such file or directory"},
  };
  for (const Case& c : cases) {
    const std::string config = Write("gostore.yaml", c.yaml);
    std::vector<std::string> argv = {gostore_, "--config", config};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    auto r = RunProcess(argv);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << c.yaml;
    // Messages name the file as given on the command line.
    std::string want = c.want;
    if (want.rfind("gostore.yaml", 0) == 0) want = dir_ + "/" + want;
    EXPECT_THAT(r->err, HasSubstr(want)) << c.yaml;
  }
}

TEST_F(GostoreProcessTest, ScriptsKeepWorkingWithFlagsAlone) {
  auto r = RunProcess({gostore_, "--db", dir_ + "/db", "--listen", "nonsense", "--host-id", "1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_THAT(r->err, HasSubstr("--listen: want host:port, [ipv6]:port or unix:/path (got "
                                "\"nonsense\")"));
  r = RunProcess({gostore_, "--db", dir_ + "/db", "--listen", "127.0.0.1:0", "--host-id", "1",
                  "--insecure-no-auth", "--check-config"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_THAT(r->out, HasSubstr("configuration (flags) is good"));
}

}  // namespace
}  // namespace goprobe
