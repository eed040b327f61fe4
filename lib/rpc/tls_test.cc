// TLS round trips on loopback with certificates made at test time, and the
// checks that name a bad certificate or key before gRPC sees it.

#include "lib/rpc/tls.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/temp_dir_for_test.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/test_certificates.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"
#include "tests/harness/subprocess.h"

namespace goprobe::rpc {
namespace {

using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto certs = MakeTestCertificates(dir_.path());
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
  }

  // A server with only health and reflection, TLS on TCP.
  std::unique_ptr<GrpcServer> Serve(const ServerTlsFiles& files,
                                    std::vector<std::string> listen = {"127.0.0.1:0"}) {
    auto creds = LoadServerCredentials(files);
    EXPECT_TRUE(creds.ok()) << creds.status();
    ServerOptions options;
    options.listen = std::move(listen);
    options.tls = *creds;
    auto server = GrpcServer::Start(options, {});
    EXPECT_TRUE(server.ok()) << server.status();
    return std::move(*server);
  }

  ServerTlsFiles ServerFiles() const { return {certs_.server_cert, certs_.server_key, ""}; }

  // A health check through `channel`: the call's status.
  static grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = stub->Check(&ctx, request, &response);
    if (s.ok()) EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
    return s;
  }

  static std::shared_ptr<grpc::Channel> Connect(const ClientTlsOptions& tls,
                                                const std::string& address) {
    auto factory = ClientChannelFactory::Create(tls);
    EXPECT_TRUE(factory.ok()) << factory.status();
    return factory->Connect(address);
  }

  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  godb::TempDir dir_;
  TestCertificates certs_;
};

TEST_F(TlsTest, RoundTripOnLoopbackAndRefusals) {
  auto server = Serve(ServerFiles());
  const std::string address = "127.0.0.1:" + std::to_string(server->bound_ports()[0]);

  ClientTlsOptions tls{true, certs_.ca_cert, "", "", ""};
  EXPECT_TRUE(Check(Connect(tls, address)).ok());

  // A plaintext client, and a client that trusts another CA, get nowhere.
  EXPECT_EQ(Check(Connect({}, address)).error_code(), grpc::StatusCode::UNAVAILABLE);
  ClientTlsOptions other{true, certs_.other_ca_cert, "", "", ""};
  EXPECT_EQ(Check(Connect(other, address)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ServerNameOverrideIsChecked) {
  auto server = Serve(ServerFiles());
  const std::string address = "127.0.0.1:" + std::to_string(server->bound_ports()[0]);
  EXPECT_TRUE(Check(Connect({true, certs_.ca_cert, "", "", "localhost"}, address)).ok());
  EXPECT_EQ(Check(Connect({true, certs_.ca_cert, "", "", "store.example"}, address)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ClientCertificatesRequiredWithAClientCa) {
  ServerTlsFiles files = ServerFiles();
  files.client_ca_file = certs_.ca_cert;
  auto server = Serve(files);
  const std::string address = "127.0.0.1:" + std::to_string(server->bound_ports()[0]);
  EXPECT_EQ(Check(Connect({true, certs_.ca_cert, "", "", ""}, address)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(
      Check(Connect({true, certs_.ca_cert, certs_.client_cert, certs_.client_key, ""}, address))
          .ok());
}

TEST_F(TlsTest, UnixListenersStayPlaintext) {
  char tmpl[] = "/tmp/goprobe-tls.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string socket = std::string(tmpl) + "/s.sock";
  auto server = Serve(ServerFiles(), {"127.0.0.1:0", "unix:" + socket});
  EXPECT_TRUE(Check(grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials())).ok());
  server.reset();
  ::rmdir(tmpl);
}

TEST_F(TlsTest, ClientRefusesTlsOverAUnixSocket) {
  absl::Status s = CheckClientTlsAddress("unix:/run/gostore.sock", {true, "", "", "", ""});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("unix:/run/gostore.sock is a unix socket"));
  EXPECT_TRUE(CheckClientTlsAddress("unix:/run/gostore.sock", {}).ok());
  EXPECT_TRUE(CheckClientTlsAddress("store:8145", {true, "", "", "", ""}).ok());
}

TEST_F(TlsTest, BadFilesAreNamedBeforeGrpcSeesThem) {
  const auto error = [](const ServerTlsFiles& f) {
    auto creds = LoadServerCredentials(f);
    EXPECT_FALSE(creds.ok());
    return std::string(creds.status().message());
  };
  EXPECT_EQ(error({dir_.path() + "/nope.pem", certs_.server_key, ""}),
            "cannot read TLS certificate " + dir_.path() + "/nope.pem: No such file or directory");
  EXPECT_EQ(error({certs_.server_cert, dir_.path() + "/nope.key", ""}),
            "cannot read TLS key " + dir_.path() + "/nope.key: No such file or directory");
  EXPECT_EQ(error({certs_.server_cert, certs_.client_key, ""}),
            "TLS key " + certs_.client_key + " does not belong to the certificate in " +
                certs_.server_cert);
  const std::string garbage = Write("garbage.pem", "not a certificate\n");
  EXPECT_EQ(error({garbage, certs_.server_key, ""}),
            "TLS certificate " + garbage + ": no PEM certificate in it");
  EXPECT_EQ(error({certs_.server_cert, certs_.server_cert, ""}),
            "TLS key " + certs_.server_cert + ": no PEM private key in it");
  EXPECT_EQ(error({certs_.server_cert, "", ""}),
            "server TLS: a certificate needs its key and a key its certificate; got only the "
            "certificate " +
                certs_.server_cert);
  EXPECT_EQ(error({certs_.server_cert, certs_.server_key, garbage}),
            "TLS client CA " + garbage + ": no PEM certificate in it");
  EXPECT_EQ(error({dir_.path(), certs_.server_key, ""}),
            "TLS certificate " + dir_.path() + ": not a regular file");

  const std::string encrypted = dir_.path() + "/encrypted.key";
  auto r = testing::RunProcess({"/usr/bin/openssl", "pkey", "-in", certs_.server_key, "-aes256",
                                "-passout", "pass:secret", "-out", encrypted});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->err;
  EXPECT_THAT(error({certs_.server_cert, encrypted, ""}),
              HasSubstr("TLS key " + encrypted + " is encrypted"));
}

TEST_F(TlsTest, ClientFilesAreCheckedToo) {
  auto f = ClientChannelFactory::Create({true, dir_.path() + "/nope.pem", "", "", ""});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "cannot read TLS CA " + dir_.path() + "/nope.pem: No such file or directory");
  f = ClientChannelFactory::Create({true, certs_.ca_cert, certs_.client_cert, "", ""});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("client TLS: a certificate needs its key"));
  f = ClientChannelFactory::Create({true, certs_.ca_cert, certs_.client_cert, certs_.server_key, ""});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("does not belong to the certificate"));
  f = ClientChannelFactory::Create({});
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->tls());
}

TEST_F(TlsTest, AChainFileWithIntermediatesIsAccepted) {
  // The server's certificate followed by its CA, as servers usually send them.
  const std::string chain =
      Write("chain.pem", Read(certs_.server_cert) + Read(certs_.ca_cert), 0644);
  auto server = Serve({chain, certs_.server_key, ""});
  const std::string address = "127.0.0.1:" + std::to_string(server->bound_ports()[0]);
  EXPECT_TRUE(Check(Connect({true, certs_.ca_cert, "", "", ""}, address)).ok());
}

}  // namespace
}  // namespace goprobe::rpc
